package simulate

import (
	"context"
	"encoding/json"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// attackRun schedules every shipped scenario a few minutes into a fresh
// organisation, generates the morning, and indexes the result.
type attackRun struct {
	g     *Generator
	rows  map[string]map[int64]tableRow // table -> ReportId -> row
	truth []Truth
	steps map[string][]Truth // "scenario/step" -> its rows
	all   []tableRow
}

func runAttacks(t *testing.T, cfg Config) *attackRun {
	t.Helper()
	g := newGen(t, cfg)
	start := g.Now()
	for _, sc := range Scenarios() {
		if err := g.Schedule(sc, start.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	sink := &memSink{t: t}
	if err := g.Run(context.Background(), start, start.Add(4*time.Hour), sink); err != nil {
		t.Fatal(err)
	}
	a := &attackRun{g: g, rows: map[string]map[int64]tableRow{}, truth: g.GroundTruth(), steps: map[string][]Truth{}, all: sink.rows}
	for _, r := range sink.rows {
		if a.rows[r.table] == nil {
			a.rows[r.table] = map[int64]tableRow{}
		}
		a.rows[r.table][r.reportID()] = r
	}
	for _, tr := range a.truth {
		k := tr.Scenario + "/" + tr.Step
		a.steps[k] = append(a.steps[k], tr)
	}
	return a
}

// stepRows returns the rows of a step, optionally of one table.
func (a *attackRun) stepRows(t *testing.T, scenario, step, table string) []tableRow {
	t.Helper()
	trs := a.steps[scenario+"/"+step]
	if len(trs) == 0 {
		t.Fatalf("no ground truth for %s/%s", scenario, step)
	}
	var out []tableRow
	for _, tr := range trs {
		if table != "" && tr.Table != table {
			continue
		}
		r, ok := a.rows[tr.Table][tr.ReportID]
		if !ok {
			t.Fatalf("%s/%s: ground truth names %s %d, which was not generated", scenario, step, tr.Table, tr.ReportID)
		}
		out = append(out, r)
	}
	return out
}

func distinct(rows []tableRow, col string) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[r.str(col)]++
	}
	return out
}

var attackNet = netip.MustParsePrefix("203.0.113.0/24")

func TestScenariosPlayOut(t *testing.T) {
	cfg := smallOrg(21)
	cfg.DecoyAccount, cfg.DecoyHost = "svc-old-sql", "NAS-LEGACY-01"
	a := runAttacks(t, cfg)
	o := a.g.Org()
	checkReserved(t, a.all)

	// Every step of every scenario is in the ground truth with its
	// technique, every ground-truth row was generated and agrees with it.
	for _, sc := range Scenarios() {
		for _, st := range sc.Steps {
			trs := a.steps[sc.Name+"/"+st.Name]
			if len(trs) == 0 {
				t.Errorf("%s/%s: no rows", sc.Name, st.Name)
				continue
			}
			for _, tr := range trs {
				if tr.Technique != st.Technique || tr.Run == "" {
					t.Errorf("%s/%s: truth %+v", sc.Name, st.Name, tr)
				}
			}
		}
	}
	for _, tr := range a.truth {
		r, ok := a.rows[tr.Table][tr.ReportID]
		if !ok {
			t.Fatalf("truth %+v: no such row", tr)
		}
		if !r.time().Equal(tr.Time) {
			t.Errorf("truth %+v: row at %s", tr, r.time())
		}
		if tr.DeviceName != "" && r.str("DeviceName") != "" && r.str("DeviceName") != tr.DeviceName {
			t.Errorf("truth %+v: row on %s", tr, r.str("DeviceName"))
		}
	}

	t.Run("ransomware", func(t *testing.T) {
		mail := a.stepRows(t, "ransomware", "phishing-mail", "EmailEvents")[0]
		att := a.stepRows(t, "ransomware", "phishing-mail", "EmailAttachmentInfo")[0]
		if att.str("NetworkMessageId") != mail.str("NetworkMessageId") || !strings.HasSuffix(att.str("FileName"), ".docm") {
			t.Errorf("attachment %s of %s", att.str("FileName"), att.str("NetworkMessageId"))
		}
		victim := mail.str("RecipientEmailAddress")
		ps := a.stepRows(t, "ransomware", "macro-spawns-powershell", "DeviceProcessEvents")[0]
		patient0 := ps.str("DeviceName")
		if ps.str("InitiatingProcessFileName") != "WINWORD.EXE" || !strings.Contains(ps.str("ProcessCommandLine"), "-Enc ") || ps.str("AccountUpn") != victim {
			t.Errorf("macro child: %s by %s as %s", ps.str("ProcessCommandLine"), ps.str("InitiatingProcessFileName"), ps.str("AccountUpn"))
		}
		beacons := a.stepRows(t, "ransomware", "c2-beacon", "DeviceNetworkEvents")
		ips := distinct(beacons, "RemoteIP")
		if len(beacons) < 150 || len(ips) != 1 {
			t.Errorf("%d beacons to %v", len(beacons), ips)
		}
		for ip := range ips {
			if !attackNet.Contains(netip.MustParseAddr(ip)) {
				t.Errorf("C2 at %s, outside 203.0.113.0/24", ip)
			}
		}
		for i := 1; i < len(beacons); i++ {
			if gap := beacons[i].time().Sub(beacons[i-1].time()); gap < 30*time.Second || gap > 90*time.Second {
				t.Fatalf("beacon gap %s", gap)
			}
		}
		var dump, open bool
		for _, r := range a.stepRows(t, "ransomware", "lsass-credential-dump", "") {
			switch {
			case r.table == "DeviceProcessEvents" && strings.Contains(r.str("ProcessCommandLine"), "comsvcs.dll, MiniDump"):
				dump = r.str("FileName") == "rundll32.exe"
			case r.table == "DeviceEvents" && r.str("ActionType") == "OpenProcessApiCall":
				open = r.str("FileName") == "lsass.exe" && r.str("InitiatingProcessFileName") == "rundll32.exe"
			}
		}
		if !dump || !open {
			t.Errorf("LSASS dump: rundll32 comsvcs %v, OpenProcessApiCall on lsass %v", dump, open)
		}
		// Lateral movement lands on three other devices, each logon
		// coming from patient zero's address.
		p0 := o.Device(patient0)
		targets := map[string]string{}
		for _, step := range []string{"lateral-psexec", "lateral-wmi", "lateral-rdp"} {
			for _, r := range a.stepRows(t, "ransomware", step, "DeviceLogonEvents") {
				if r.str("RemoteIP") != p0.IP || r.str("DeviceName") == patient0 || r.str("ActionType") != "LogonSuccess" {
					t.Errorf("%s logon on %s from %s", step, r.str("DeviceName"), r.str("RemoteIP"))
				}
				targets[r.str("DeviceName")] = r.str("LogonType")
			}
		}
		if len(targets) < 3 {
			t.Errorf("lateral movement reached %v, want 3 devices", targets)
		}
		var svc, wmi, rdp bool
		for _, r := range a.stepRows(t, "ransomware", "lateral-psexec", "DeviceEvents") {
			svc = svc || (r.str("ActionType") == "ServiceInstalled" && strings.Contains(r.str("AdditionalFields"), `"ServiceName":"PSEXESVC"`))
		}
		for _, r := range a.stepRows(t, "ransomware", "lateral-wmi", "DeviceProcessEvents") {
			wmi = wmi || (r.str("InitiatingProcessFileName") == "WmiPrvSE.exe" && r.str("FileName") == "powershell.exe")
		}
		for _, lt := range targets {
			rdp = rdp || lt == "RemoteInteractive"
		}
		if !svc || !wmi || !rdp {
			t.Errorf("PSEXESVC installed %v, WmiPrvSE spawned PowerShell %v, RDP logon %v", svc, wmi, rdp)
		}
		vss := 0
		for _, r := range a.stepRows(t, "ransomware", "inhibit-recovery", "DeviceProcessEvents") {
			if r.str("FileName") == "vssadmin.exe" && r.str("ProcessCommandLine") == "vssadmin.exe delete shadows /all /quiet" {
				vss++
			}
		}
		if vss != 4 {
			t.Errorf("shadow copies deleted on %d devices, want 4", vss)
		}
		renamed := map[string]int{}
		var ext string
		for _, r := range a.stepRows(t, "ransomware", "mass-encryption", "DeviceFileEvents") {
			name, prev := r.str("FileName"), r.str("PreviousFileName")
			if r.str("ActionType") != "FileRenamed" || !strings.HasPrefix(name, prev) || len(name) <= len(prev) {
				t.Fatalf("encryption row %s -> %s", prev, name)
			}
			e := name[len(prev):]
			if ext != "" && e != ext {
				t.Fatalf("extensions %s and %s", ext, e)
			}
			ext = e
			renamed[r.str("DeviceName")]++
		}
		if len(renamed) != 4 {
			t.Errorf("files encrypted on %v, want patient zero and the 3 targets", renamed)
		}
		for d, n := range renamed {
			if n < 100 {
				t.Errorf("%d files renamed on %s", n, d)
			}
		}
		// The steps happen in the order written.
		var last time.Time
		for _, st := range mustScenario(t, "ransomware").Steps {
			first := a.steps["ransomware/"+st.Name][0].Time
			if first.Before(last) {
				t.Errorf("step %s starts at %s, before the previous step (%s)", st.Name, first, last)
			}
			last = first
		}
	})

	t.Run("bec", func(t *testing.T) {
		spray := a.stepRows(t, "bec", "password-spray", "IdentityLogonEvents")
		users, ips := distinct(spray, "AccountUpn"), distinct(spray, "IPAddress")
		// 40 accounts and the victim; the small test org has 24 people,
		// the approver spared.
		if len(users) != len(o.Users)-1 || len(ips) != 1 {
			t.Errorf("spray: %d accounts from %d addresses", len(users), len(ips))
		}
		for _, r := range spray {
			if r.str("ActionType") != "LogonFailed" || r.str("FailureReason") != "WrongPassword" {
				t.Fatalf("spray row %s %s", r.str("ActionType"), r.str("FailureReason"))
			}
		}
		signin := a.stepRows(t, "bec", "sign-in-from-new-country", "AADSignInEventsBeta")[0]
		for _, s := range o.Sites {
			if signin.str("Country") == s.Country {
				t.Errorf("sign-in from %s, the organisation's own country", s.Country)
			}
		}
		if signin.col("ErrorCode").(int32) != 0 || signin.str("IPAddress") == "" {
			t.Errorf("sign-in: %v from %s", signin.col("ErrorCode"), signin.str("IPAddress"))
		}
		rule := a.stepRows(t, "bec", "inbox-forwarding-rule", "CloudAppEvents")[0]
		var objs []map[string]string
		if err := json.Unmarshal(rule.col("ActivityObjects").(json.RawMessage), &objs); err != nil {
			t.Fatal(err)
		}
		var forward string
		for _, ob := range objs {
			if ob["Name"] == "ForwardTo" {
				forward = ob["Value"]
			}
		}
		if rule.str("ActionType") != "New-InboxRule" || forward == "" || strings.HasSuffix(forward, "@"+o.MailDomain) {
			t.Errorf("rule %s forwards to %q", rule.str("ActionType"), forward)
		}
		fraud := a.stepRows(t, "bec", "fraudulent-payment-request", "EmailEvents")[0]
		if fraud.str("SenderFromAddress") != signin.str("AccountUpn") || fraud.str("EmailDirection") != "Intra-org" || fraud.str("SenderIPv4") != signin.str("IPAddress") {
			t.Errorf("payment mail from %s (%s) via %s", fraud.str("SenderFromAddress"), fraud.str("EmailDirection"), fraud.str("SenderIPv4"))
		}
	})

	t.Run("credential-theft", func(t *testing.T) {
		tgs := a.stepRows(t, "credential-theft", "kerberoasting", "IdentityLogonEvents")
		spns := map[string]bool{}
		for _, r := range tgs {
			var af map[string]any
			if err := json.Unmarshal(r.col("AdditionalFields").(json.RawMessage), &af); err != nil {
				t.Fatal(err)
			}
			if af["EncryptionType"] != "Rc4Hmac" || af["TicketEncryptionType"] != "0x17" {
				t.Errorf("TGS request with %v", af)
			}
			spns[af["Spns"].(string)] = true
		}
		if len(spns) < 8 {
			t.Errorf("%d SPNs roasted", len(spns))
		}
		proc := a.stepRows(t, "credential-theft", "spn-enumeration", "DeviceProcessEvents")[0]
		if !strings.Contains(proc.str("ProcessCommandLine"), "kerberoast") {
			t.Errorf("Rubeus command line %q", proc.str("ProcessCommandLine"))
		}
		rep := a.stepRows(t, "credential-theft", "dcsync", "IdentityDirectoryEvents")[0]
		src := o.Device(rep.str("DeviceName"))
		if rep.str("ActionType") != "Directory Services replication" || src == nil || src.Role != RoleWorkstation || rep.str("DestinationDeviceName") != o.DC.Name {
			t.Errorf("replication %q from %s to %s", rep.str("ActionType"), rep.str("DeviceName"), rep.str("DestinationDeviceName"))
		}
	})

	t.Run("decoy", func(t *testing.T) {
		logon := a.stepRows(t, "decoy-touch", "decoy-account-logon", "IdentityLogonEvents")[0]
		if logon.str("AccountName") != "svc-old-sql" || logon.str("ActionType") != "LogonFailed" {
			t.Errorf("decoy logon by %s: %s", logon.str("AccountName"), logon.str("ActionType"))
		}
		conn := a.stepRows(t, "decoy-touch", "decoy-host-connection", "DeviceNetworkEvents")[0]
		if conn.str("RemoteIP") != o.DecoyIP || conn.str("RemoteUrl") != "nas-legacy-01."+o.Domain {
			t.Errorf("decoy connection to %s (%s)", conn.str("RemoteIP"), conn.str("RemoteUrl"))
		}
	})
}

func TestShippedScenarios(t *testing.T) {
	var names []string
	for _, sc := range Scenarios() {
		names = append(names, sc.Name)
		if sc.Title == "" || sc.Description == "" || sc.Duration() <= 0 {
			t.Errorf("%s: title %q, duration %s", sc.Name, sc.Title, sc.Duration())
		}
		for _, st := range sc.Steps {
			if st.Tactic == "" {
				t.Errorf("%s/%s: no tactic", sc.Name, st.Name)
			}
		}
	}
	if got := strings.Join(names, " "); got != "bec credential-theft decoy-touch ransomware" {
		t.Errorf("shipped: %s", got)
	}
	if _, ok := ScenarioByName("nope"); ok {
		t.Error("ScenarioByName found nope")
	}
}

func mustScenario(t *testing.T, name string) *Scenario {
	t.Helper()
	sc, ok := ScenarioByName(name)
	if !ok {
		t.Fatalf("no scenario %s", name)
	}
	return sc
}

// TestDefaultSchedule: a run with no explicit schedule plays every shipped
// scenario at staggered times, each finishing inside the range.
func TestDefaultSchedule(t *testing.T) {
	g := newGen(t, smallOrg(4))
	start := g.Now()
	end := start.Add(24 * time.Hour)
	discard := sinkFunc(func(context.Context, store.Batch) error { return nil })
	if err := g.Run(context.Background(), start, end, discard); err != nil {
		t.Fatal(err)
	}
	runs := g.Scheduled()
	if len(runs) != len(Scenarios()) {
		t.Fatalf("%d runs scheduled", len(runs))
	}
	var ats []time.Time
	seen := map[string]bool{}
	for _, r := range runs {
		sc := mustScenario(t, r.Scenario)
		if r.At.Before(start) || r.At.Add(sc.Duration()).After(end) {
			t.Errorf("%s at %s does not fit in the day", r.ID, r.At)
		}
		ats = append(ats, r.At)
		seen[r.Scenario] = true
	}
	sort.Slice(ats, func(i, j int) bool { return ats[i].Before(ats[j]) })
	for i := 1; i < len(ats); i++ {
		if ats[i].Sub(ats[i-1]) < time.Hour {
			t.Errorf("runs at %v are not staggered", ats)
		}
	}
	byRun := map[string]bool{}
	for _, tr := range g.GroundTruth() {
		byRun[tr.Scenario] = true
	}
	if len(byRun) != len(seen) {
		t.Errorf("ground truth covers %v, scheduled %v", byRun, seen)
	}
	// A second run schedules nothing more.
	if err := g.Run(context.Background(), end, end.Add(time.Hour), discard); err != nil || len(g.Scheduled()) != len(runs) {
		t.Errorf("second run: %v, %d runs", err, len(g.Scheduled()))
	}
	cfg := smallOrg(4)
	cfg.NoScenarios = true
	g = newGen(t, cfg)
	if err := g.Run(context.Background(), start, start.Add(time.Hour), &memSink{t: t}); err != nil || len(g.Scheduled()) != 0 {
		t.Errorf("NoScenarios: %v, %d runs", err, len(g.Scheduled()))
	}
}

// TestGroundTruthFollowsTheCut: rows cut off by --events are neither
// counted nor in the ground truth.
func TestGroundTruthFollowsTheCut(t *testing.T) {
	cfg := smallOrg(8)
	g := newGen(t, cfg)
	if err := g.Schedule(mustScenario(t, "ransomware"), g.Now()); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{t: t}
	if err := g.Generate(context.Background(), 30_000, sink); err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, r := range sink.rows {
		ids[r.reportID()] = true
	}
	truth := g.GroundTruth()
	if len(truth) == 0 || g.Total() != 30_000 {
		t.Fatalf("%d truth rows, %d rows", len(truth), g.Total())
	}
	for _, tr := range truth {
		if !ids[tr.ReportID] {
			t.Fatalf("truth for row %d, which was cut", tr.ReportID)
		}
	}
	if len(truth) >= g.runs[0].rows {
		t.Errorf("all %d rows of a 4-hour attack fit in 30,000 rows", len(truth))
	}
	var b strings.Builder
	if err := g.WriteGroundTruth(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var first Truth
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || len(lines) != len(truth) || first != truth[0] {
		t.Errorf("ground truth file: %d lines, first %+v (%v)", len(lines), first, err)
	}
}

func TestLoadScenarioErrors(t *testing.T) {
	const head = "name: x\nactors:\n  u: {kind: user}\n  d: {kind: device, role: workstation}\n"
	step := func(body string) string {
		return head + "steps:\n  - name: s\n    technique: T1059\n    device: d\n    user: u\n    rows:\n" + body
	}
	f := func(yaml, want string) {
		t.Helper()
		_, err := LoadScenario([]byte(yaml))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error with %q, got %v\n%s", want, err, yaml)
		}
	}
	f("name: x\nbogus: 1\n", "bogus")
	f("name: Bad Name\nsteps: []\n", "lower-case")
	f("name: x\n", "no steps")
	f(head+"steps:\n  - name: s\n    technique: T59\n    rows:\n      - table: DeviceEvents\n", "ATT&CK id")
	f(step("      - table: NoSuchTable\n"), `unknown table "NoSuchTable"`)
	f(step("      - table: deviceprocessevents\n"), "did you mean DeviceProcessEvents")
	f(step("      - table: DeviceEvents\n        set: {Nope: 1}\n"), `has no column "Nope"`)
	f(step("      - table: DeviceEvents\n        set: {ReportId: 1}\n"), "set by the generator")
	f(step("      - table: DeviceEvents\n        device: ghost\n"), `no actor "ghost"`)
	f(step("      - table: DeviceEvents\n        device: u\n"), "is a user, want device")
	f(step("      - table: DeviceEvents\n        after: soon\n"), "not a duration")
	f(step("      - table: DeviceEvents\n        set: {FileName: '{{nosuch}}'}\n"), `"nosuch" not defined`)
	f(step("      - table: DeviceEvents\n        process: {commandLine: x}\n"), "process without image")
	f(step("      - table: DeviceEvents\n        colour: red\n"), "colour")
	f("name: x\nactors:\n  u: {kind: user, colour: red}\nsteps: []\n", `unknown field "colour"`)
	f("name: x\nactors:\n  u: {kind: person}\nsteps: []\n", "want user, users, device or devices")
	f("name: x\nactors:\n  d: {kind: device, of: nobody}\nsteps: []\n", "want a user actor declared before it")
	f(head+"steps:\n  - name: s\n    technique: T1059\n    repeat: {count: 0}\n    rows:\n      - table: DeviceEvents\n", "repeat count")
	f(head+"steps:\n  - name: s\n    technique: T1059\n    rows: []\n  - name: s\n    technique: T1059\n    rows: []\n", "name used twice")
}

// TestCustomScenario exercises the format's features on a scenario that
// is not shipped: new scenarios need no code.
func TestCustomScenario(t *testing.T) {
	sc, err := LoadScenario([]byte(`
name: custom
actors:
  who:   {kind: user, role: admin}
  box:   {kind: device, role: server, os: linux}
  fleet: {kind: devices, role: workstation, count: 2}
vars:
  tag: 'x{{.Rand.Hex 4}}'
steps:
  - name: script
    technique: T1059.004
    device: box
    user: who
    rows:
      - table: DeviceProcessEvents
        process: {id: sh, image: bash, parent: sshd, commandLine: 'bash -c "echo {{.Vars.tag}} | base64 -d | sh"'}
      - table: DeviceNetworkEvents
        after: 2s
        initiating: sh
        set: {ActionType: ConnectionSuccess, RemoteIP: 203.0.113.9, RemotePort: 4444}
  - name: sweep
    technique: T1046
    at: 10m
    device: box
    foreach: fleet
    repeat: {count: 3, every: 1s}
    rows:
      - table: DeviceNetworkEvents
        initiating: sh
        set:
          ActionType: ConnectionFailed
          RemoteIP: '{{.Each.IP}}'
          RemotePort: '{{add 20 .I}}'
          AdditionalFields: {Attempt: '{{.I}}', Encoded: '{{b64utf16 "hi"}}', Ok: true, N: 3}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Techniques(); strings.Join(got, ",") != "T1059.004,T1046" {
		t.Errorf("techniques %v", got)
	}
	g := newGen(t, smallOrg(2))
	start := g.Now()
	if err := g.Schedule(sc, start.Add(-time.Second)); err == nil {
		t.Error("schedule before the clock accepted")
	}
	if err := g.Schedule(sc, start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{t: t}
	if err := g.Run(context.Background(), start, start.Add(time.Hour), sink); err != nil {
		t.Fatal(err)
	}
	rows := map[int64]tableRow{}
	for _, r := range sink.rows {
		rows[r.reportID()] = r
	}
	var sweep []tableRow
	var sh tableRow
	for _, tr := range g.GroundTruth() {
		r := rows[tr.ReportID]
		switch {
		case tr.Step == "sweep":
			sweep = append(sweep, r)
		case tr.Table == "DeviceProcessEvents":
			sh = r
		}
	}
	if sh.str("FileName") != "bash" || sh.str("InitiatingProcessFileName") != "sshd" || sh.str("FolderPath") != "/usr/bin/bash" || sh.str("AccountName") != "root" {
		t.Errorf("process row: %s by %s at %s as %s", sh.str("FileName"), sh.str("InitiatingProcessFileName"), sh.str("FolderPath"), sh.str("AccountName"))
	}
	if len(sweep) != 6 {
		t.Fatalf("%d sweep rows, want 2 devices x 3", len(sweep))
	}
	for i, r := range sweep {
		port := r.col("RemotePort").(int32)
		want := `{"Attempt":"` + string(rune('0'+i%3)) + `","Encoded":"aABpAA==","Ok":true,"N":3}`
		if int(port) != 20+i%3 || r.str("AdditionalFields") != want || r.str("InitiatingProcessCommandLine") != sh.str("ProcessCommandLine") {
			t.Errorf("sweep row %d: port %d, %s", i, port, r.str("AdditionalFields"))
		}
		if r.str("LocalIP") != r.str("LocalIP") || r.str("RemoteIPType") != "Private" || r.str("Protocol") != "Tcp" {
			t.Errorf("defaults not filled: %s %s", r.str("RemoteIPType"), r.str("Protocol"))
		}
	}

	// Values that do not fit their column fail when scheduled, naming the
	// step and the column.
	bad, err := LoadScenario([]byte("name: bad\nactors:\n  d: {kind: device, role: dc}\nsteps:\n  - name: s\n    technique: T1059\n    device: d\n    rows:\n      - table: DeviceNetworkEvents\n        set: {RemotePort: many}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Schedule(bad, g.Now()); err == nil || !strings.Contains(err.Error(), "RemotePort") || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("bad value: %v", err)
	}
	bad, _ = LoadScenario([]byte("name: bad\nactors:\n  d: {kind: device, role: dc}\nsteps:\n  - name: s\n    technique: T1059\n    device: d\n    rows:\n      - table: DeviceProcessEvents\n        process: {image: evil.exe}\n"))
	if err := g.Schedule(bad, g.Now()); err == nil || !strings.Contains(err.Error(), "full path") {
		t.Errorf("unknown image: %v", err)
	}
}
