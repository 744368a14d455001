package simulate

import (
	"strconv"
	"strings"
)

// world holds what every shard reads and nobody changes: network
// destinations, the applications people start and how often, symbols.
type world struct {
	web      *choice[*dest] // common internet hosts, Zipf-ranked
	tail     *choice[*dest] // the long tail of rarely visited hosts
	app      map[string][]*dest
	intranet *dest

	dcKerb, dcLdap, dcSmb, dcRpc, dcDns *dest
	internalSmb                         []*dest // file and print shares
	sql, wsus, imap, smtpIn             *dest
	servers                             []*Device
	linux                               []*Device
	windows                             []*Device // every Windows device, for inbound sources
	workstations                        []*Device
	admins                              []*User
	svcHosts                            []*Device // the server each service account runs on, if any

	userApps *choice[*appSpec] // what people start from explorer
	adminApp *choice[*appSpec] // what IT staff start
	schedKid *choice[*spawnSpec]
	dcomKid  *choice[*spawnSpec]
	cronJobs *choice[*cronJob]
	shellCmd *choice[string]

	docs []string // document base names
}

// appSpec is an application a user starts: its image, how its command
// line looks, whether it keeps running, and what it spawns.
type appSpec struct {
	img      *image
	cmd      string // template, see expandCmd
	resident bool   // stays open (Outlook, Teams, browsers)
	kids     *choice[*spawnSpec]
	dlls     []*image
	netRate  float64 // share of the device's network activity it makes
}

// spawnSpec is a child process an application or service starts.
type spawnSpec struct {
	img  *image
	cmd  string
	dlls []*image
}

type cronJob struct {
	shell string // the sh -c line
	child *image
	cmd   string
}

func newWorld(o *Org) *world {
	w := &world{app: map[string][]*dest{}}
	common := make([]*dest, len(commonHosts))
	for i, h := range commonHosts {
		common[i] = newDest(h, internetIP(h), 443, true)
	}
	w.web = newChoice(common, zipf(len(common), 1.0))
	// The tail: hosts made of word pairs, deterministic for the org.
	var tail []*dest
	r := newRNG(o.Config.Seed, hashString("tail-hosts"))
	seen := map[string]bool{}
	for len(tail) < 3000 {
		h := tailWords[r.intn(len(tailWords))] + tailWords[r.intn(len(tailWords))] + tailSuffixes[r.intn(len(tailSuffixes))]
		tld := ".example"
		if r.chance(0.3) {
			tld = ".test"
		}
		host := "www." + h + tld
		if seen[host] {
			continue
		}
		seen[host] = true
		port := int64(443)
		if r.chance(0.08) {
			port = 80
		}
		tail = append(tail, newDest(host, internetIP(host), port, true))
	}
	w.tail = newChoice(tail, zipf(len(tail), 1.1))
	for name, hosts := range appHosts {
		for _, h := range hosts {
			port := int64(443)
			if strings.HasPrefix(h, "archive.ubuntu") || strings.HasPrefix(h, "security.ubuntu") {
				port = 80
			}
			w.app[name] = append(w.app[name], newDest(h, internetIP(h), port, true))
		}
	}
	dc := o.DC
	w.dcKerb = newDest(dc.Name, dc.IP, 88, false)
	w.dcLdap = newDest(dc.Name, dc.IP, 389, false)
	w.dcSmb = newDest(dc.Name, dc.IP, 445, false)
	w.dcRpc = newDest(dc.Name, dc.IP, 135, false)
	w.dcDns = newDest("", dc.IP, 53, false)
	w.imap = newDest(o.Mail.Name, o.Mail.IP, 993, false)
	w.smtpIn = newDest(o.Mail.Name, o.Mail.IP, 25, false)
	w.intranet = newDest("intranet."+o.Domain, "10.20.1.30", 443, false)
	for _, d := range o.Devices {
		if d.Role == RoleServer || d.Role == RoleDC || d.Role == RoleMail {
			w.servers = append(w.servers, d)
		}
		if d.IsWindows() {
			w.windows = append(w.windows, d)
		} else {
			w.linux = append(w.linux, d)
		}
		if d.Role == RoleWorkstation {
			w.workstations = append(w.workstations, d)
		}
		switch d.Function {
		case "file", "print":
			w.internalSmb = append(w.internalSmb, newDest(d.Name, d.IP, 445, false))
		case "sql":
			w.sql = newDest(d.Name, d.IP, 1433, false)
		case "update":
			w.wsus = newDest(d.Name, d.IP, 8530, false)
		case "web":
			w.intranet = newDest("intranet."+o.Domain, d.IP, 443, false)
		}
	}
	if w.sql == nil {
		w.sql = newDest("", "10.20.0.31", 1433, false)
	}
	if w.wsus == nil {
		w.wsus = w.dcSmb
	}
	for _, u := range o.Users {
		if u.Role == UserAdmin {
			w.admins = append(w.admins, u)
		}
	}
	for _, u := range o.ServiceAccounts {
		w.svcHosts = append(w.svcHosts, o.Device(strings.TrimPrefix(u.Name, "svc-")+"01"))
	}
	w.buildApps()
	w.docs = make([]string, 0, 400)
	for len(w.docs) < 400 {
		a, b := docWords[r.intn(len(docWords))], docWords[r.intn(len(docWords))]
		name := a + " " + b
		if r.chance(0.5) {
			name += " " + strconv.Itoa(2023+r.intn(3))
		}
		if r.chance(0.3) {
			name += " v" + strconv.Itoa(1+r.intn(5))
		}
		w.docs = append(w.docs, name)
	}
	return w
}

func dlls(names ...string) []*image {
	out := make([]*image, len(names))
	for i, n := range names {
		out[i] = cat.mustName(n)
	}
	return out
}

func (w *world) buildApps() {
	off := dlls("mso20win32client.dll", "AppvIsvSubsystems64.dll")
	edgeKids := newChoice([]*spawnSpec{
		{cat.mustName("msedge.exe"), `"{path}" --type=renderer --lang=en-GB --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id={n} --mojo-platform-channel-handle={n} /prefetch:1`, nil},
		{cat.mustName("msedge.exe"), `"{path}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-GB --service-sandbox-type=none --mojo-platform-channel-handle={n} /prefetch:3`, nil},
		{cat.mustName("msedge.exe"), `"{path}" --type=gpu-process --gpu-preferences=UAAAAAAAAADgAAAEAAAAAAAAAAAAAAAAAABgAAEAAAAAAAAAAAAAAAAAAAA --mojo-platform-channel-handle={n} /prefetch:2`, nil},
	}, []float64{8, 2, 1})
	chromeKids := newChoice([]*spawnSpec{
		{cat.mustName("chrome.exe"), `"{path}" --type=renderer --lang=en-GB --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id={n} --mojo-platform-channel-handle={n} /prefetch:1`, nil},
		{cat.mustName("chrome.exe"), `"{path}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-GB --service-sandbox-type=none --mojo-platform-channel-handle={n} /prefetch:3`, nil},
	}, []float64{8, 2})
	officeKids := newChoice([]*spawnSpec{
		{cat.mustName("ai.exe"), `"{path}" "{G}" "{G}" "{n}"`, nil},
		{cat.mustName("msedgewebview2.exe"), `"{path}" --embedded-browser-webview=1 --webview-exe-name={parent} --mojo-named-platform-channel-name={n}`, nil},
	}, []float64{3, 1})
	teamsKids := newChoice([]*spawnSpec{
		{cat.mustName("msedgewebview2.exe"), `"{path}" --embedded-browser-webview=1 --webview-exe-name=ms-teams.exe --webview-exe-version=24091.214.2846.1452 --user-data-dir="C:\Users\{user}\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\EBWebView" --mojo-named-platform-channel-name={n}`, nil},
	}, []float64{1})
	cmdKids := newChoice([]*spawnSpec{
		{cat.mustName("conhost.exe"), `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`, nil},
		{cat.mustName("ipconfig.exe"), `ipconfig /all`, nil},
		{cat.mustName("PING.EXE"), `ping -n 4 {host}`, nil},
		{cat.mustName("gpupdate.exe"), `gpupdate /force`, nil},
	}, []float64{6, 2, 2, 1})
	psKids := newChoice([]*spawnSpec{
		{cat.mustName("conhost.exe"), `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`, nil},
	}, []float64{1})
	app := func(name, cmd string, resident bool, kids *choice[*spawnSpec], d []*image, net float64) *appSpec {
		return &appSpec{img: cat.mustName(name), cmd: cmd, resident: resident, kids: kids, dlls: d, netRate: net}
	}
	apps := []*appSpec{
		app("msedge.exe", `"{path}" --profile-directory=Default`, true, edgeKids, dlls("msedge.dll"), 10),
		app("OUTLOOK.EXE", `"{path}" `, true, officeKids, off, 3),
		app("ms-teams.exe", `"{path}" msteams:system-initiated`, true, teamsKids, nil, 4),
		app("chrome.exe", `"{path}" `, true, chromeKids, dlls("chrome.dll", "chrome_elf.dll"), 8),
		app("EXCEL.EXE", `"{path}" "{docpath}.xlsx"`, true, officeKids, off, 1),
		app("WINWORD.EXE", `"{path}" /n "{docpath}.docx" /o ""`, true, officeKids, off, 1),
		app("OneDrive.exe", `"{path}" /background`, true, nil, nil, 2),
		app("notepad.exe", `"C:\Windows\system32\NOTEPAD.EXE" C:\Users\{user}\Desktop\notes.txt`, false, nil, nil, 0),
		app("POWERPNT.EXE", `"{path}" "{docpath}.pptx"`, true, officeKids, off, 1),
		app("Acrobat.exe", `"{path}" "{docpath}.pdf"`, false, nil, nil, 0.5),
		app("ONENOTE.EXE", `"{path}" `, true, officeKids, off, 0.5),
		app("Zoom.exe", `"{path}" "--url=zoommtg://zoom.example/join?action=join&confno={n}"`, false, nil, nil, 2),
		app("Timesheet.exe", `"{path}" `, false, nil, nil, 0.5),
		app("Code.exe", `"{path}" `, true, nil, nil, 1),
		app("7zFM.exe", `"{path}" "C:\Users\{user}\Downloads\{doc}.zip"`, false, nil, nil, 0),
		app("notepad++.exe", `"{path}" "C:\Users\{user}\Documents\{doc}.txt"`, false, nil, nil, 0),
		app("cmd.exe", `"C:\Windows\system32\cmd.exe" `, false, cmdKids, nil, 0),
		app("putty.exe", `"{path}" `, false, nil, nil, 0.3),
		app("WinSCP.exe", `"{path}" `, false, nil, nil, 0.3),
	}
	w.userApps = newChoice(apps, zipf(len(apps), 1.3))
	admin := []*appSpec{
		app("powershell.exe", `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" `, false, psKids, dlls("System.Management.Automation.dll", "amsi.dll", "clr.dll"), 0),
		app("mmc.exe", `"C:\Windows\system32\mmc.exe" "C:\Windows\system32\dsa.msc"`, false, nil, nil, 0),
		app("mstsc.exe", `"C:\Windows\system32\mstsc.exe" /v:{server}`, false, nil, nil, 0),
		app("cmd.exe", `"C:\Windows\system32\cmd.exe" `, false, cmdKids, nil, 0),
		app("putty.exe", `"{path}" -ssh {linux}`, false, nil, nil, 0.3),
	}
	w.adminApp = newChoice(admin, []float64{4, 2, 2, 2, 1})
	w.schedKid = newChoice([]*spawnSpec{
		{cat.mustName("taskhostw.exe"), `taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly`, nil},
		{cat.mustName("backgroundTaskHost.exe"), `"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`, nil},
		{cat.mustName("MoUsoCoreWorker.exe"), `C:\Windows\System32\mousocoreworker.exe -Embedding`, nil},
		{cat.mustName("CompatTelRunner.exe"), `C:\Windows\system32\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun -cv:{h}.1`, nil},
		{cat.mustName("MicrosoftEdgeUpdate.exe"), `"{path}" /ua /installsource scheduler`, nil},
		{cat.mustName("GoogleUpdate.exe"), `"{path}" /ua /installsource scheduler`, nil},
		{cat.mustName("OfficeClickToRun.exe"), `"{path}" /frequentupdate SCHEDULEDTASK displaylevel=False`, nil},
		{cat.mustName("MpCmdRun.exe"), `"{path}" -IdleTask -TaskName WdCacheMaintenance`, nil},
		{cat.mustName("gpupdate.exe"), `gpupdate.exe /target:computer`, nil},
	}, zipf(9, 1.0))
	w.dcomKid = newChoice([]*spawnSpec{
		{cat.mustName("RuntimeBroker.exe"), `C:\Windows\System32\RuntimeBroker.exe -Embedding`, nil},
		{cat.mustName("dllhost.exe"), `C:\Windows\system32\DllHost.exe /Processid:{B}`, nil},
		{cat.mustName("SearchProtocolHost.exe"), `"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe{n}_ Global\UsGthrCtrlFltPipeMssGthrPipe{n} 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon"`, nil},
		{cat.mustName("smartscreen.exe"), `C:\Windows\System32\smartscreen.exe -Embedding`, nil},
		{cat.mustName("WmiPrvSE.exe"), `C:\Windows\system32\wbem\wmiprvse.exe -Embedding`, nil},
		{cat.mustName("svchost.exe"), `C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p -s {svc}`, nil},
	}, []float64{5, 4, 3, 2, 2, 1})
	w.cronJobs = newChoice([]*cronJob{
		{`/bin/sh -c "command -v debian-sa1 > /dev/null && debian-sa1 1 1"`, cat.mustName("python3.10"), "/usr/bin/python3 /usr/lib/sysstat/sa1.py 1 1"},
		{`/bin/sh -c "/opt/scripts/healthcheck.sh >/dev/null 2>&1"`, cat.mustName("curl"), "curl -fsS http://127.0.0.1:8080/healthz"},
		{`/bin/sh -c "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.hourly )"`, cat.mustName("run-parts"), "run-parts --report /etc/cron.hourly"},
		{`/bin/sh -c "/usr/sbin/logrotate /etc/logrotate.conf"`, cat.mustName("logrotate"), "/usr/sbin/logrotate /etc/logrotate.conf"},
		{`/bin/sh -c "find /tmp -type f -mtime +7 -delete"`, cat.mustName("find"), "find /tmp -type f -mtime +7 -delete"},
		{`/bin/sh -c "python3 /opt/app/jobs/sync_inventory.py"`, cat.mustName("python3.10"), "python3 /opt/app/jobs/sync_inventory.py"},
		{`/bin/sh -c "tar czf /var/backups/etc-$(date +%F).tgz /etc"`, cat.mustName("tar"), "tar czf /var/backups/etc.tgz /etc"},
	}, zipf(7, 0.8))
	w.shellCmd = newChoice([]string{
		"ls -la", "systemctl status nginx", "tail -n 200 /var/log/syslog", "df -h", "ps aux", "cat /etc/os-release",
		"grep -i error /var/log/syslog", "sudo apt-get update", "du -sh /var/log", "uname -a", "id", "git pull", "vim /etc/hosts",
	}, zipf(13, 0.9))
}

// expandCmd fills a command-line template: {path} the image path, {user}
// the profile, {n} a number, {h} hex, {G} a GUID, {B} a braced GUID,
// {doc} a document name, {docpath} its path without extension, {host} an
// internal host, {server} a server, {linux} a Linux server, {parent} the
// parent's file name, {svc} a service name.
func (s *shard) expandCmd(tmpl string, ds *devState, im *image, parent *proc) *sym {
	// A template without random parts reads the same every time on a
	// device: build it once.
	static := !strings.Contains(tmpl, "{n}") && !strings.Contains(tmpl, "{h}") && !strings.Contains(tmpl, "{G}") &&
		!strings.Contains(tmpl, "{B}") && !strings.Contains(tmpl, "{doc") && !strings.Contains(tmpl, "{host}") &&
		!strings.Contains(tmpl, "{server}") && !strings.Contains(tmpl, "{linux}") && !strings.Contains(tmpl, "{svc}")
	if static {
		key := cmdKey{tmpl: tmpl, img: im}
		if parent != nil {
			key.parent = parent.img
		}
		if y, ok := ds.cmds[key]; ok {
			return y
		}
		y := s.expand(tmpl, ds, im, parent)
		if ds.cmds == nil {
			ds.cmds = map[cmdKey]*sym{}
		}
		ds.cmds[key] = y
		return y
	}
	return s.expand(tmpl, ds, im, parent)
}

type cmdKey struct {
	tmpl        string
	img, parent *image
}

func (s *shard) expand(tmpl string, ds *devState, im *image, parent *proc) *sym {
	if strings.IndexByte(tmpl, '{') < 0 {
		return newSym(tmpl)
	}
	r := s.r
	w := s.g.world
	b := make([]byte, 0, len(tmpl)+64)
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '{' {
			b = append(b, c)
			continue
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b = append(b, tmpl[i:]...)
			break
		}
		key := tmpl[i+1 : i+j]
		i += j
		switch key {
		case "path":
			b = append(b, im.path.s...)
		case "user":
			b = append(b, ds.profile...)
		case "n":
			b = strconv.AppendInt(b, r.between(1, 9999), 10)
		case "h":
			b = appendHex(b, r, 8)
		case "G":
			b = r.appendGUID(b)
		case "B":
			b = append(b, '{')
			b = append(b, strings.ToUpper(string(r.appendGUID(nil)))...)
			b = append(b, '}')
		case "doc":
			b = append(b, w.docs[r.intn(len(w.docs))]...)
		case "docpath":
			b = append(b, `C:\Users\`...)
			b = append(b, ds.profile...)
			b = append(b, `\OneDrive - `...)
			b = append(b, s.g.org.Name...)
			b = append(b, `\Documents\`...)
			b = append(b, w.docs[r.intn(len(w.docs))]...)
		case "host":
			b = append(b, w.servers[r.intn(len(w.servers))].Name...)
		case "server":
			b = append(b, strings.ToLower(w.servers[r.intn(len(w.servers))].Host)...)
		case "linux":
			b = append(b, s.g.pickLinux(r).Name...)
		case "parent":
			if parent != nil {
				b = append(b, parent.img.name.s...)
			}
		case "svc":
			b = append(b, []string{"EventSystem", "WdiServiceHost", "NcdAutoSetup", "CDPSvc", "BthAvctpSvc"}[r.intn(5)]...)
		default:
			b = append(b, '{')
			b = append(b, key...)
			b = append(b, '}')
		}
	}
	return eventSym(string(b))
}

func appendHex(b []byte, r *rng, n int) []byte {
	for n > 0 {
		x := r.u64()
		for k := 0; k < 16 && n > 0; k++ {
			b = append(b, hexDigits[x&0xf])
			x >>= 4
			n--
		}
	}
	return b
}

func (s *shard) hex(n int) string { return string(appendHex(make([]byte, 0, n), s.r, n)) }

func (g *Generator) pickLinux(r *rng) *Device {
	return g.world.linux[r.intn(len(g.world.linux))]
}
