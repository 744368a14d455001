package simulate

import (
	"strconv"
	"strings"
)

// account is an identity as the Account* and InitiatingProcessAccount*
// columns show it.
type account struct {
	name, domain, sid, upn, objectID, display *sym
	user                                      *User
	system                                    bool // a well-known local service identity
}

func userAccount(o *Org, u *User) *account {
	return &account{
		name: newSym(u.Name), domain: newSym(strings.ToLower(o.NetBIOS)), sid: newSym(u.SID),
		upn: newSym(u.Upn), objectID: newSym(u.ObjectID), display: newSym(u.DisplayName), user: u,
	}
}

var (
	acctSystem  = &account{name: newSym("system"), domain: newSym("nt authority"), sid: newSym("S-1-5-18"), system: true}
	acctLocal   = &account{name: newSym("local service"), domain: newSym("nt authority"), sid: newSym("S-1-5-19"), system: true}
	acctNetwork = &account{name: newSym("network service"), domain: newSym("nt authority"), sid: newSym("S-1-5-20"), system: true}
)

// Integrity levels and token elevation types, as Defender names them.
var (
	integSystem = newSym("System")
	integHigh   = newSym("High")
	integMedium = newSym("Medium")
	elevDefault = newSym("TokenElevationTypeDefault")
	elevFull    = newSym("TokenElevationTypeFull")
	elevLimited = newSym("TokenElevationTypeLimited")
)

// proc is a running process on a simulated device.
type proc struct {
	img       *image
	pid       int64
	created   int64
	cmd       *sym
	acct      *account
	parent    *proc
	integ     *sym
	elev      *sym
	logonID   int64
	sessionID int64
	spec      *appSpec    // for user applications: what it does
	frags     []*procFrag // by tab.ipSlot, once used twice
	seen      uint64      // tab.ipSlot bits: used once
}

// session is a user's interactive logon on a workstation.
type session struct {
	acct     *account
	logonID  int64
	start    int64
	explorer *proc
	locked   bool
	remote   bool
}

// devState is a device's moving state, owned by one shard.
type devState struct {
	d       *Device
	id      *sym
	name    *sym
	ip      *sym
	head    []byte // `,"DeviceId":"...","DeviceName":"..."`
	linux   bool
	profile string // owner's profile folder name
	last    int64  // last Timestamp emitted for the device
	pid     int64
	port    int64
	inst    []*image // per-user image instances, by image id
	cmds    map[cmdKey]*sym
	docsDir string // the owner's synced documents folder

	// Long-running processes.
	system, services, lsass, winlogon, svcNet, svcLocal, svcSched, defender, sense *proc

	daemons []*proc // role services: sqlservr, w3wp, nginx, postfix, ...
	root    *account
	sess    *session
	apps    []*proc // running user applications
	userDay int     // the local day the owner last went to lunch
}

// img returns the device's copy of an image (per-user binaries live in
// the owner's profile).
func (ds *devState) img(im *image) *image {
	if !im.perUser {
		return im
	}
	if ds.inst == nil {
		ds.inst = make([]*image, len(cat.images))
	}
	if ds.inst[im.id] == nil {
		profile := ds.profile
		if profile == "" {
			profile = "Public"
		}
		ds.inst[im.id] = im.instance(profile)
	}
	return ds.inst[im.id]
}

func (ds *devState) nextPid(r *rng) int64 {
	if ds.linux {
		ds.pid += r.between(1, 40)
		if ds.pid > 4_000_000 {
			ds.pid = 3000
		}
		return ds.pid
	}
	ds.pid += 4 * r.between(1, 60)
	if ds.pid > 65_000 {
		ds.pid = 1004
	}
	return ds.pid
}

func (ds *devState) nextPort(r *rng) int64 {
	ds.port += r.between(1, 7)
	if ds.port > 65_000 {
		ds.port = 49_152
	}
	return ds.port
}

// newProc starts a process. It does not emit anything.
func (s *shard) newProc(ds *devState, im *image, parent *proc, acct *account, cmd *sym, at int64) *proc {
	p := &proc{img: ds.img(im), pid: ds.nextPid(s.r), created: at, cmd: cmd, acct: acct, parent: parent}
	switch {
	case acct == nil || acct.system:
		p.integ, p.elev = integSystem, elevDefault
	case ds.linux:
		p.integ, p.elev = nil, nil
	default:
		p.integ, p.elev = integMedium, elevLimited
	}
	if parent != nil {
		p.logonID, p.sessionID = parent.logonID, parent.sessionID
	}
	if acct == acctSystem {
		p.logonID = 999
	}
	return p
}

// cmdOf builds a default command line for an image.
func cmdOf(im *image) *sym {
	if im.path == nil {
		return im.name
	}
	if im.linux {
		return im.path
	}
	return newSym(quotePath(im.path.s))
}

func quotePath(p string) string {
	if strings.ContainsRune(p, ' ') {
		return `"` + p + `"`
	}
	return p
}

// bootDevice creates the processes that were already running when the
// simulation starts, so that every later event has a plausible parent.
func (s *shard) bootDevice(ds *devState, now int64) {
	r := s.r
	d := ds.d
	uptime := int64(3600e6) + int64(r.intn(5*24*3600))*1e6
	if d.Role == RoleWorkstation {
		uptime = int64(600e6) + int64(r.intn(2*24*3600))*1e6
	}
	boot := now - uptime
	at := func(sec int64) int64 { return boot + sec*1e6 + int64(r.intn(1e6)) }
	if ds.linux {
		ds.pid = 1
		ds.root = &account{name: newSym("root"), domain: newSym(strings.ToLower(d.Host)), system: true}
		systemd := &proc{img: cat.mustName("systemd"), pid: 1, created: boot, cmd: newSym("/sbin/init splash"), acct: ds.root}
		ds.system = systemd
		ds.pid = 300
		ds.services = s.newProc(ds, cat.mustName("cron"), systemd, ds.root, newSym("/usr/sbin/cron -f -P"), at(4))
		ds.lsass = s.newProc(ds, cat.mustName("sshd"), systemd, ds.root, newSym("sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"), at(4))
		ds.svcNet = s.newProc(ds, cat.mustName("rsyslogd"), systemd, ds.root, newSym("/usr/sbin/rsyslogd -n -iNONE"), at(3))
		ds.defender = s.newProc(ds, cat.mustName("wdavdaemon"), systemd, ds.root, newSym("/opt/microsoft/mdatp/sbin/wdavdaemon"), at(6))
		for _, dm := range linuxDaemons[d.Function] {
			ds.daemons = append(ds.daemons, s.newProc(ds, cat.mustName(dm.image), systemd, ds.root, newSym(dm.cmd), at(8)))
		}
		ds.port = 32768 + int64(r.intn(20000))
		return
	}
	ds.pid = 4
	ds.system = &proc{img: cat.mustName("System"), pid: 4, created: boot, cmd: newSym("System"), acct: acctSystem, integ: integSystem, elev: elevDefault, logonID: 999}
	ds.pid = 100
	smss := s.newProc(ds, cat.mustName("smss.exe"), ds.system, acctSystem, newSym(`\SystemRoot\System32\smss.exe`), at(1))
	wininit := s.newProc(ds, cat.mustName("wininit.exe"), smss, acctSystem, newSym("wininit.exe"), at(2))
	ds.services = s.newProc(ds, cat.mustName("services.exe"), wininit, acctSystem, newSym(`C:\Windows\system32\services.exe`), at(2))
	ds.lsass = s.newProc(ds, cat.mustName("lsass.exe"), wininit, acctSystem, newSym(`C:\Windows\system32\lsass.exe`), at(2))
	ds.winlogon = s.newProc(ds, cat.mustName("winlogon.exe"), smss, acctSystem, newSym("winlogon.exe"), at(2))
	svc := cat.mustName("svchost.exe")
	ds.svcNet = s.newProc(ds, svc, ds.services, acctSystem, newSym(`C:\Windows\system32\svchost.exe -k netsvcs -p -s Winmgmt`), at(3))
	ds.svcLocal = s.newProc(ds, svc, ds.services, acctNetwork, newSym(`C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache`), at(3))
	ds.svcSched = s.newProc(ds, svc, ds.services, acctSystem, newSym(`C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`), at(3))
	ds.defender = s.newProc(ds, cat.mustName("MsMpEng.exe"), ds.services, acctSystem, newSym(`"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe"`), at(5))
	ds.sense = s.newProc(ds, cat.mustName("MsSense.exe"), ds.services, acctSystem, newSym(`"C:\Program Files\Windows Defender Advanced Threat Protection\MsSense.exe"`), at(6))
	for _, dm := range windowsDaemons[d.Function] {
		acct := acctSystem
		if dm.service != "" {
			acct = s.g.serviceAcct(dm.service)
		}
		ds.daemons = append(ds.daemons, s.newProc(ds, cat.mustName(dm.image), ds.services, acct, newSym(dm.cmd), at(10)))
	}
	ds.port = 49152 + int64(r.intn(12000))
}

type daemonDef struct{ image, cmd, service string }

// Long-running services per server function.
var windowsDaemons = map[string][]daemonDef{
	"dc": {
		{"dns.exe", `C:\Windows\system32\dns.exe`, ""},
		{"dfsrs.exe", `C:\Windows\system32\DFSRs.exe`, ""},
		{"Microsoft.ActiveDirectory.WebServices.exe", `C:\Windows\ADWS\Microsoft.ActiveDirectory.WebServices.exe`, ""},
	},
	"file":   {{"svchost.exe", `C:\Windows\system32\svchost.exe -k netsvcs -p -s LanmanServer`, ""}},
	"sql":    {{"sqlservr.exe", `"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER`, "svc-sql"}, {"SQLAGENT.EXE", `"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\SQLAGENT.EXE" -i MSSQLSERVER`, "svc-sql"}},
	"app":    {{"w3wp.exe", `c:\windows\system32\inetsrv\w3wp.exe -ap "CrmAppPool" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm`, "svc-crm"}},
	"print":  {{"spoolsv.exe", `C:\Windows\System32\spoolsv.exe`, ""}},
	"update": {{"w3wp.exe", `c:\windows\system32\inetsrv\w3wp.exe -ap "WsusPool" -v "v4.0"`, ""}},
	"backup": {{"BackupAgent.exe", `"C:\Program Files\Contoso\BackupAgent\BackupAgent.exe" --service`, "svc-backup"}},
}

var linuxDaemons = map[string][]daemonDef{
	"mail":       {{"master", "/usr/lib/postfix/sbin/master -w", ""}, {"dovecot", "/usr/sbin/dovecot -F", ""}},
	"web":        {{"nginx", "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;", ""}},
	"build":      {{"dockerd", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", ""}},
	"db":         {{"postgres", "/usr/lib/postgresql/14/bin/postgres -D /var/lib/postgresql/14/main -c config_file=/etc/postgresql/14/main/postgresql.conf", ""}},
	"monitoring": {{"prometheus", "/usr/bin/prometheus --config.file=/etc/prometheus/prometheus.yml", ""}},
	"app":        {{"java", "/usr/bin/java -Xmx2g -jar /opt/app/app.jar", ""}},
}

// serviceAcct returns a service account's identity by name.
func (g *Generator) serviceAcct(name string) *account {
	for i, u := range g.org.ServiceAccounts {
		if u.Name == name {
			return g.accts[len(g.org.Users)+i]
		}
	}
	return acctSystem
}

// itoa formats an integer in base 10.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
