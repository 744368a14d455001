package simulate

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/schema"
)

// planner expands one scenario instance into rows.
type planner struct {
	g      *Generator
	sc     *Scenario
	run    *scenarioRun
	r      *rng
	data   TemplateData
	picked map[any]bool
	procs  map[string]*proc  // "id@device" and "image@device" (already-running processes)
	images map[string]*image // ad-hoc binaries by path
	rows   []*injRow
}

func (p *planner) plan() error {
	o := p.g.org
	p.data = TemplateData{Org: o, A: map[string]any{}, Vars: map[string]string{}, Rand: &TemplateRand{r: p.r, docs: p.g.world.docs}}
	if err := p.actors(); err != nil {
		return err
	}
	for _, name := range p.sc.Vars.keys {
		v, err := p.sc.Vars.vals[name].eval(&p.data)
		if err != nil {
			return fmt.Errorf("var %s: %w", name, err)
		}
		p.data.Vars[name] = v
	}
	for _, st := range p.sc.Steps {
		if err := p.step(st); err != nil {
			return fmt.Errorf("step %s: %w", st.Name, err)
		}
	}
	return nil
}

func hasRole(roles stringList, role string) bool {
	if len(roles) == 0 {
		return true
	}
	for _, r := range roles {
		if strings.EqualFold(r, role) {
			return true
		}
	}
	return false
}

// actors picks every actor, in the order declared. Single picks are
// distinct from every actor picked before them.
func (p *planner) actors() error {
	o := p.g.org
	for _, name := range p.sc.Actors.keys {
		a := p.sc.Actors.vals[name]
		excluded := map[any]bool{}
		for _, ex := range a.Exclude {
			switch v := p.data.A[ex].(type) {
			case []*Device:
				for _, d := range v {
					excluded[d] = true
				}
			case []*User:
				for _, u := range v {
					excluded[u] = true
				}
			default:
				excluded[v] = true
			}
		}
		switch a.Kind {
		case "user", "users":
			pool := o.Users
			if hasRole(a.Role, UserService) && len(a.Role) > 0 {
				pool = append(append([]*User(nil), o.Users...), o.ServiceAccounts...)
			}
			var cands []*User
			for _, u := range pool {
				if hasRole(a.Role, u.Role) && (!a.WithDevice || u.Device != nil) && (!a.WithSPN || u.SPN != "") && !excluded[u] && (a.Kind == "users" || !p.picked[u]) {
					cands = append(cands, u)
				}
			}
			if len(cands) == 0 {
				return fmt.Errorf("actor %s: no user in the organisation matches", name)
			}
			if a.Kind == "user" {
				u := cands[p.r.intn(len(cands))]
				p.picked[u] = true
				p.data.A[name] = u
			} else {
				p.data.A[name] = sample(p.r, cands, a.Count)
			}
		case "device", "devices":
			if a.Of != "" {
				u := p.data.A[a.Of].(*User)
				if u.Device == nil {
					return fmt.Errorf("actor %s: %s has no workstation", name, u.Name)
				}
				p.picked[u.Device] = true
				p.data.A[name] = u.Device
				continue
			}
			var cands []*Device
			for _, d := range o.Devices {
				if !hasRole(a.Role, d.Role) || excluded[d] || p.picked[d] {
					continue
				}
				if a.OS != "" && !strings.EqualFold(a.OS, d.OS) {
					continue
				}
				if a.Function != "" && a.Function != d.Function {
					continue
				}
				cands = append(cands, d)
			}
			if len(cands) == 0 {
				return fmt.Errorf("actor %s: no device in the organisation matches", name)
			}
			if a.Kind == "device" {
				d := cands[p.r.intn(len(cands))]
				p.picked[d] = true
				p.data.A[name] = d
			} else {
				ds := sample(p.r, cands, a.Count)
				if a.Count > 0 && len(ds) < a.Count {
					return fmt.Errorf("actor %s: want %d devices, the organisation has %d that match", name, a.Count, len(ds))
				}
				p.data.A[name] = ds
			}
		}
	}
	return nil
}

// sample picks n distinct items in random order (all when n is 0).
func sample[T any](r *rng, items []T, n int) []T {
	cp := append([]T(nil), items...)
	for i := len(cp) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		cp[i], cp[j] = cp[j], cp[i]
	}
	if n > 0 && n < len(cp) {
		cp = cp[:n]
	}
	return cp
}

func (p *planner) jitter(d Duration) int64 {
	j := time.Duration(d).Microseconds()
	if j <= 0 {
		return 0
	}
	return p.r.between(-j, j)
}

func (p *planner) step(st *StepSpec) error {
	truth := &stepTruth{scenario: p.sc.Name, run: p.run.id, step: st.Name, technique: st.Technique, tactic: st.Tactic}
	// Sub-second noise: people and tools do not act on the round second.
	base := p.run.at + time.Duration(st.At).Microseconds() + p.jitter(st.Jitter) + p.r.between(0, usSecond-1)
	if base < p.run.at {
		base = p.run.at
	}
	elems := []any{nil}
	if len(st.Foreach) > 0 {
		elems = elems[:0]
		for _, f := range st.Foreach {
			switch v := p.data.A[f].(type) {
			case []*Device:
				for _, d := range v {
					elems = append(elems, d)
				}
			case []*User:
				for _, u := range v {
					elems = append(elems, u)
				}
			default:
				elems = append(elems, v)
			}
		}
	}
	count, every, jit := 1, int64(0), Duration(0)
	if st.Repeat != nil {
		count, every, jit = st.Repeat.Count, time.Duration(st.Repeat.Every).Microseconds(), st.Repeat.Jitter
	}
	next := base
	for _, each := range elems {
		t := next
		if st.Parallel {
			t = base + p.r.between(0, 20*usSecond)
		}
		last := t
		for i := 0; i < count; i++ {
			rowT := t
			for k, rs := range st.Rows {
				switch {
				case rs.After != nil:
					rowT += time.Duration(*rs.After).Microseconds()
				case k > 0:
					rowT += p.r.between(100_000, 900_000)
				}
				if err := p.row(st, rs, rowT, each, i, truth); err != nil {
					return fmt.Errorf("row %d: %w", k+1, err)
				}
			}
			last = rowT
			if every > 0 {
				t += every + p.jitter(jit)
				if t <= rowT {
					t = rowT + 1000
				}
			} else {
				t = rowT + p.r.between(100_000, 900_000)
			}
		}
		next = last + p.r.between(usSecond, 5*usSecond)
	}
	return nil
}

func (p *planner) accountOf(u *User) *account {
	return p.g.accts[u.Index]
}

// row plans one row.
func (p *planner) row(st *StepSpec, rs *RowSpec, at int64, each any, iter int, truth *stepTruth) error {
	t := tabByName[rs.Table]
	var dev *Device
	switch {
	case rs.Device == "each":
		d, ok := each.(*Device)
		if !ok {
			return fmt.Errorf("device each: the foreach element is not a device")
		}
		dev = d
	case rs.Device != "":
		dev = p.data.A[rs.Device].(*Device)
	case st.Device != "":
		dev = p.data.A[st.Device].(*Device)
	}
	var user *User
	if st.User != "" {
		user = p.data.A[st.User].(*User)
	}
	data := p.data
	data.Device, data.User, data.Each, data.I = dev, user, each, iter
	data.Time = time.UnixMicro(at).UTC()

	r := newRow(t)
	r.ts = at
	if dev != nil && t.hasDevice {
		r.str(cDeviceId, dev.ID)
		r.str(cDeviceName, dev.Name)
	}
	ir := &injRow{at: at, t: t, dev: dev, step: truth}

	if rs.Account != nil {
		a, u, err := p.account(rs.Account, each, &data)
		if err != nil {
			return err
		}
		r.account(a)
		if t == tCloud {
			r.sym(cAccountId, a.objectID)
		}
		ir.acct, ir.user = a, u
		if u != nil {
			data.User = u
		}
	}
	if rs.Process != nil {
		if dev == nil {
			return fmt.Errorf("a process needs a device")
		}
		proc, err := p.startProc(rs.Process, dev, user, at, &data)
		if err != nil {
			return err
		}
		if t == tProc {
			r.created(proc)
			r.initiating(proc.parent)
			if proc.acct != nil && ir.acct == nil {
				ir.acct = proc.acct
			}
		} else {
			r.int(cProcessId, proc.pid)
			r.sym(cProcessCommandLine, proc.cmd)
			r.time(cProcessCreationTime, proc.created)
			r.sym(cProcessElevation, proc.elev)
		}
	}
	if rs.Initiating != "" {
		if dev == nil {
			return fmt.Errorf("initiating %s needs a device", rs.Initiating)
		}
		ip, err := p.procRef(rs.Initiating, dev, user, at, 0)
		if err != nil {
			return err
		}
		r.initiating(ip)
		if ir.acct == nil && ip.acct != nil && !ip.acct.system {
			ir.acct = ip.acct
		}
	}
	if rs.File != nil {
		if err := p.file(r, rs.File, dev, &data); err != nil {
			return err
		}
	}
	for _, name := range rs.Set.keys {
		col, pos, _ := t.s.Column(name)
		v, ok, err := p.cell(rs.Set.vals[name], col, &data)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if ok {
			r.at(pos, v)
		}
	}
	p.defaults(r, dev, rs)
	r.forEach(func(i int) { ir.vals = append(ir.vals, posVal{i, r.v[i]}) })
	p.rows = append(p.rows, ir)
	return nil
}

// defaults fills what a row of its table always has when the scenario did
// not say: the process-created action, the device's side of a connection,
// the domain controller of an identity event.
func (p *planner) defaults(r *row, dev *Device, rs *RowSpec) {
	o := p.g.org
	switch r.t {
	case tProc:
		if !r.has(cActionType) {
			r.sym(cActionType, symProcessCreated)
		}
	case tNet:
		if dev != nil {
			if !r.has(cLocalIP) {
				r.str(cLocalIP, dev.IP)
			}
			if !r.has(cLocalPort) {
				r.int(cLocalPort, p.r.between(49152, 65000))
			}
			if !r.has(cLocalIPType) {
				r.sym(cLocalIPType, symPrivate)
			}
		}
		if !r.has(cProtocol) {
			r.sym(cProtocol, symTcp)
		}
		if i := r.t.idx[cRemoteIP]; i >= 0 && r.isSet(int(i)) && !r.has(cRemoteIPType) {
			r.sym(cRemoteIPType, ipType(!isPrivate(valueText(&r.v[i]))))
		}
	case tIdLogon, tIdDir, tIdQuery:
		// Cloud sign-ins have no domain controller on the other end.
		if i := r.t.idx[cApplication]; i >= 0 && r.isSet(int(i)) && valueText(&r.v[i]) != "Active Directory" {
			return
		}
		if dev != nil {
			if !r.has(cDeviceName) {
				r.str(cDeviceName, dev.Name)
			}
			if !r.has(cIPAddress) {
				r.str(cIPAddress, dev.IP)
			}
		}
		if !r.has(cDestinationDeviceName) {
			r.str(cDestinationDeviceName, o.DC.Name)
		}
		if !r.has(cDestinationIPAddress) {
			r.str(cDestinationIPAddress, o.DC.IP)
		}
		if !r.has(cApplication) {
			r.sym(cApplication, symActiveDirectory)
		}
	case tLogon:
		if i := r.t.idx[cRemoteIP]; i >= 0 && r.isSet(int(i)) && !r.has(cRemoteIPType) {
			r.sym(cRemoteIPType, ipType(!isPrivate(valueText(&r.v[i]))))
		}
	}
}

func valueText(v *value) string {
	if v.k == kSym {
		return v.y.s
	}
	return v.s
}

func isPrivate(ip string) bool {
	return strings.HasPrefix(ip, "10.") || strings.HasPrefix(ip, "192.168.") || strings.HasPrefix(ip, "127.")
}

// account resolves a row's account: an actor, the foreach element, or an
// inline account (the decoy, a service the attacker invents).
func (p *planner) account(ref *AccountRef, each any, data *TemplateData) (*account, *User, error) {
	switch ref.Actor {
	case "":
	case "each":
		u, ok := each.(*User)
		if !ok {
			return nil, nil, fmt.Errorf("account each: the foreach element is not a user")
		}
		return p.accountOf(u), u, nil
	default:
		u := p.data.A[ref.Actor].(*User)
		return p.accountOf(u), u, nil
	}
	name, err := ref.Name.eval(data)
	if err != nil || name == "" {
		return nil, nil, fmt.Errorf("inline account needs a name: %v", err)
	}
	a := &account{name: newSym(name)}
	for _, f := range []struct {
		t   *tmpl
		dst **sym
	}{{ref.Domain, &a.domain}, {ref.Upn, &a.upn}, {ref.Sid, &a.sid}, {ref.DisplayName, &a.display}} {
		s, err := f.t.eval(data)
		if err != nil {
			return nil, nil, err
		}
		if s != "" {
			*f.dst = newSym(s)
		}
	}
	if a.domain == nil {
		a.domain = newSym(strings.ToLower(p.g.org.NetBIOS))
	}
	return a, nil, nil
}

// processAccount resolves who runs a process.
func (p *planner) processAccount(name string, dev *Device, stepUser *User) *account {
	switch name {
	case "system":
		if !dev.IsWindows() {
			return p.root(dev)
		}
		return acctSystem
	case "local service":
		return acctLocal
	case "network service":
		return acctNetwork
	case "root":
		return p.root(dev)
	case "":
		if stepUser != nil && dev.IsWindows() {
			return p.accountOf(stepUser)
		}
		if !dev.IsWindows() {
			return p.root(dev)
		}
		return acctSystem
	}
	return p.accountOf(p.data.A[name].(*User))
}

func (p *planner) root(dev *Device) *account {
	return &account{name: newSym("root"), domain: newSym(strings.ToLower(dev.Host)), system: true}
}

func (p *planner) pid(dev *Device) int64 {
	if dev.IsWindows() {
		return 4 * p.r.between(300, 16000)
	}
	return p.r.between(2000, 400000)
}

// image finds a binary for a device: a catalog name or path, or any full
// path (a binary the catalog does not know, like an attacker's tool).
func (p *planner) image(text string, dev *Device) (*image, error) {
	if im, ok := cat.lookup(text); ok && im.linux == !dev.IsWindows() {
		profile := "Public"
		if dev.Owner != nil {
			profile = dev.Owner.Name
		}
		return im.instance(profile), nil
	}
	full := strings.HasPrefix(text, "/") || strings.HasPrefix(text, `\\`) || (len(text) > 2 && text[1] == ':' && text[2] == '\\')
	if !full {
		return nil, fmt.Errorf("image %q: not a known binary on %s; give its full path", text, dev.OS)
	}
	key := strings.ToLower(text)
	if im, ok := p.images[key]; ok {
		return im, nil
	}
	im := adHocImage(text, p.run.id, 50_000+int64(hashString(key)%4_000_000))
	p.images[key] = im
	return im, nil
}

func (p *planner) startProc(ps *ProcSpec, dev *Device, stepUser *User, at int64, data *TemplateData) (*proc, error) {
	path, err := ps.Image.eval(data)
	if err != nil {
		return nil, err
	}
	im, err := p.image(path, dev)
	if err != nil {
		return nil, err
	}
	acct := p.processAccount(ps.User, dev, stepUser)
	var parent *proc
	if ps.Parent != "" {
		if parent, err = p.procRef(ps.Parent, dev, stepUser, at, 0); err != nil {
			return nil, err
		}
	}
	cmd := cmdOf(im).s
	if ps.CommandLine != nil {
		if cmd, err = ps.CommandLine.eval(data); err != nil {
			return nil, err
		}
	}
	pr := &proc{img: im, pid: p.pid(dev), created: at, cmd: newSym(cmd), acct: acct, parent: parent}
	switch {
	case acct.system && dev.IsWindows():
		pr.integ, pr.elev, pr.logonID = integSystem, elevDefault, 999
	case dev.IsWindows():
		pr.integ, pr.elev = integMedium, elevLimited
		if parent != nil {
			pr.logonID = parent.logonID
		}
	}
	if ps.Integrity != "" {
		pr.integ = newSym(ps.Integrity)
	}
	if ps.Elevation != "" {
		pr.elev = newSym(ps.Elevation)
	}
	if pr.logonID == 0 && dev.IsWindows() {
		pr.logonID = p.r.between(100_000, 90_000_000)
	}
	if ps.ID != "" {
		p.procs[ps.ID+"@"+dev.ID] = pr
	}
	return pr, nil
}

// defaultParents says what an already-running process was started by.
var defaultParents = map[string]string{
	"explorer.exe": "userinit.exe", "outlook.exe": "explorer.exe", "winword.exe": "explorer.exe",
	"excel.exe": "explorer.exe", "msedge.exe": "explorer.exe", "chrome.exe": "explorer.exe",
	"cmd.exe": "explorer.exe", "powershell.exe": "explorer.exe", "svchost.exe": "services.exe",
	"wmiprvse.exe": "svchost.exe", "services.exe": "wininit.exe", "lsass.exe": "wininit.exe",
	"userinit.exe": "winlogon.exe", "sshd": "systemd", "bash": "sshd", "cron": "systemd",
}

var userProcesses = map[string]bool{
	"explorer.exe": true, "outlook.exe": true, "winword.exe": true, "excel.exe": true, "msedge.exe": true,
	"chrome.exe": true, "cmd.exe": true, "powershell.exe": true, "userinit.exe": true, "ms-teams.exe": true,
}

// procRef finds a process by scenario id, or stands up an already-running
// process of a known image (its creation some hours before).
func (p *planner) procRef(name string, dev *Device, stepUser *User, at int64, depth int) (*proc, error) {
	if pr, ok := p.procs[name+"@"+dev.ID]; ok {
		return pr, nil
	}
	key := "image:" + strings.ToLower(name) + "@" + dev.ID
	if pr, ok := p.procs[key]; ok {
		return pr, nil
	}
	im, err := p.image(name, dev)
	if err != nil {
		return nil, fmt.Errorf("no process %q started earlier in the scenario on %s, and %w", name, dev.Host, err)
	}
	acct := acctSystem
	if !dev.IsWindows() {
		acct = p.root(dev)
	} else if userProcesses[im.lname] && stepUser != nil {
		acct = p.accountOf(stepUser)
	}
	pr := &proc{img: im, pid: p.pid(dev), created: at - p.r.between(10*usMinute, 8*usHour), cmd: cmdOf(im), acct: acct}
	if acct.system {
		pr.integ, pr.elev, pr.logonID = integSystem, elevDefault, 999
	} else {
		pr.integ, pr.elev, pr.logonID = integMedium, elevLimited, p.r.between(100_000, 90_000_000)
	}
	if !dev.IsWindows() {
		pr.integ, pr.elev, pr.logonID = nil, nil, 0
	}
	if parent, ok := defaultParents[im.lname]; ok && depth < 3 {
		pp, err := p.procRef(parent, dev, stepUser, pr.created, depth+1)
		if err == nil {
			pr.parent = pp
			if pp.created > pr.created {
				pp.created = pr.created - p.r.between(usSecond, 10*usMinute)
			}
		}
	}
	p.procs[key] = pr
	return pr, nil
}

func (p *planner) file(r *row, fs *FileSpec, dev *Device, data *TemplateData) error {
	path, err := fs.Path.eval(data)
	if err != nil {
		return err
	}
	if path == "" {
		return fmt.Errorf("file without path")
	}
	sep := `\`
	if strings.HasPrefix(path, "/") {
		sep = "/"
	}
	name := path[strings.LastIndex(path, sep)+1:]
	r.str(cFileName, name)
	r.str(cFolderPath, path)
	if im, ok := cat.byPath[strings.ToLower(path)]; ok {
		r.sym(cSHA1, im.sha1)
		r.sym(cSHA256, im.sha256)
		r.sym(cMD5, im.md5)
		r.int(cFileSize, im.size)
	} else {
		key := p.run.id + ":" + strings.ToLower(path)
		r.str(cSHA1, hexID(p.g.cfg.Seed, "sha1:"+key, 40))
		r.str(cSHA256, hexID(p.g.cfg.Seed, "sha256:"+key, 64))
		r.str(cMD5, hexID(p.g.cfg.Seed, "md5:"+key, 32))
		r.int(cFileSize, 1000+int64(hashString(key)%900_000))
	}
	if fs.SHA256 != nil {
		h, err := fs.SHA256.eval(data)
		if err != nil {
			return err
		}
		r.str(cSHA256, h)
	}
	if fs.Size != nil {
		s, err := fs.Size.eval(data)
		if err != nil {
			return err
		}
		n, err := parseInt(s)
		if err != nil {
			return fmt.Errorf("file size %q: %w", s, err)
		}
		r.int(cFileSize, n)
	}
	if fs.Previous != nil {
		prev, err := fs.Previous.eval(data)
		if err != nil {
			return err
		}
		if prev != "" {
			r.str(cPreviousFileName, prev[strings.LastIndex(prev, sep)+1:])
			r.str(cPreviousFolderPath, prev)
		}
	}
	return nil
}

// cell turns a declared value into a column value of the right type. An
// empty text leaves the column null.
func (p *planner) cell(c *cellSpec, col schema.Column, data *TemplateData) (value, bool, error) {
	var text string
	if c.text != nil {
		s, err := c.text.eval(data)
		if err != nil {
			return value{}, false, err
		}
		text = s
		if text == "" {
			return value{}, false, nil
		}
		if col.Type == schema.Dynamic && !json.Valid([]byte(text)) {
			text = string(jsonenc.AppendString(nil, text))
		}
	} else {
		b, err := p.jsonOf(c.node, data)
		if err != nil {
			return value{}, false, err
		}
		text = string(b)
		if col.Type != schema.String && col.Type != schema.Dynamic {
			return value{}, false, fmt.Errorf("a mapping or list fits only string or dynamic columns, not %s", col.Type)
		}
	}
	switch col.Type {
	case schema.String, schema.Dynamic, schema.GUID:
		return value{k: kStr, s: text}, true, nil
	case schema.Int, schema.Long:
		n, err := parseInt(text)
		if err != nil {
			return value{}, false, fmt.Errorf("%q is not an integer", text)
		}
		if col.Type == schema.Int && (n < math.MinInt32 || n > math.MaxInt32) {
			return value{}, false, fmt.Errorf("%d is out of range for int", n)
		}
		return value{k: kInt, n: n}, true, nil
	case schema.Real:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return value{}, false, fmt.Errorf("%q is not a number", text)
		}
		return value{k: kReal, n: int64(math.Float64bits(f))}, true, nil
	case schema.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return value{}, false, fmt.Errorf("%q is not true or false", text)
		}
		v := value{k: kBool}
		if b {
			v.n = 1
		}
		return v, true, nil
	case schema.DateTime:
		tm, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(text))
		if err != nil {
			return value{}, false, fmt.Errorf("%q is not an RFC 3339 time", text)
		}
		return value{k: kTime, n: tm.UnixMicro()}, true, nil
	}
	return value{}, false, fmt.Errorf("column type %s is not supported", col.Type)
}

// jsonOf renders a YAML mapping or list as compact JSON, templating its
// strings.
func (p *planner) jsonOf(n *yaml.Node, data *TemplateData) ([]byte, error) {
	var b []byte
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		switch n.Kind {
		case yaml.MappingNode:
			b = append(b, '{')
			for i := 0; i+1 < len(n.Content); i += 2 {
				if i > 0 {
					b = append(b, ',')
				}
				b = jsonenc.AppendString(b, n.Content[i].Value)
				b = append(b, ':')
				if err := walk(n.Content[i+1]); err != nil {
					return err
				}
			}
			b = append(b, '}')
		case yaml.SequenceNode:
			b = append(b, '[')
			for i, c := range n.Content {
				if i > 0 {
					b = append(b, ',')
				}
				if err := walk(c); err != nil {
					return err
				}
			}
			b = append(b, ']')
		case yaml.ScalarNode:
			switch n.Tag {
			case "!!int", "!!float":
				f, err := strconv.ParseFloat(n.Value, 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return fmt.Errorf("line %d: %q is not a JSON number", n.Line, n.Value)
				}
				b = append(b, n.Value...)
			case "!!bool":
				v, _ := strconv.ParseBool(n.Value)
				b = strconv.AppendBool(b, v)
			case "!!null":
				b = append(b, "null"...)
			default:
				var t tmpl
				if err := t.parse(n.Value, n.Line); err != nil {
					return err
				}
				s, err := t.eval(data)
				if err != nil {
					return err
				}
				b = jsonenc.AppendString(b, s)
			}
		default:
			return fmt.Errorf("line %d: unsupported YAML value", n.Line)
		}
		return nil
	}
	err := walk(n)
	return b, err
}
