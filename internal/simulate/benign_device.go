package simulate

import (
	"strconv"
	"strings"
)

// Everyday activity on devices. Each tick a device does one thing (starts
// a process, connects somewhere, writes a file, ...) and emits the rows
// Defender would record for it.

var (
	symProcessCreated   = newSym("ProcessCreated")
	symConnSuccess      = newSym("ConnectionSuccess")
	symConnFailed       = newSym("ConnectionFailed")
	symInboundAccepted  = newSym("InboundConnectionAccepted")
	symDnsResponse      = newSym("DnsQueryResponse")
	symFileCreated      = newSym("FileCreated")
	symFileModified     = newSym("FileModified")
	symFileRenamed      = newSym("FileRenamed")
	symFileDeleted      = newSym("FileDeleted")
	symImageLoaded      = newSym("ImageLoaded")
	symRegValueSet      = newSym("RegistryValueSet")
	symRegKeyCreated    = newSym("RegistryKeyCreated")
	symRegString        = newSym("String")
	symRegBinary        = newSym("Binary")
	symRegDword         = newSym("Dword")
	symSmb              = newSym("Smb")
	symPowerShellCmd    = newSym("PowerShellCommand")
	symScheduledTaskUpd = newSym("ScheduledTaskUpdated")
)

// localHour is the hour of day (0-24) at a site; weekday is 0 for Sunday.
func localHour(us int64, site *Site) (hour float64, weekday int) {
	local := us + int64(site.UTCOffset)*usHour
	day := floorDiv(local, usDay)
	return float64(local-day*usDay) / float64(usHour), int((day%7 + 11) % 7)
}

// businessFactor scales server load: busy on weekday working hours.
func businessFactor(us int64, site *Site) float64 {
	h, wd := localHour(us, site)
	if wd == 0 || wd == 6 {
		return 0.7
	}
	if h >= 8 && h < 18 {
		return 2
	}
	return 0.8
}

func (s *shard) tickInterval(ds *devState, now int64) int64 {
	d := ds.d
	var mean float64 // seconds
	switch {
	case d.Role == RoleWorkstation:
		mean = 45
		if ds.sess != nil && !ds.sess.locked {
			mean = 2.5
		}
	case d.Role == RoleDC:
		mean = 1.5 / businessFactor(now, d.Site)
	case ds.linux:
		mean = 6 / businessFactor(now, d.Site)
	default:
		mean = 4 / businessFactor(now, d.Site)
	}
	return int64(s.r.exp(mean*1e6)) + 1
}

func (s *shard) deviceTick(ds *devState, now int64) {
	if ds.linux {
		s.linuxTick(ds, now)
		return
	}
	p := s.r.float()
	if ds.d.Role == RoleWorkstation {
		if ds.sess == nil || ds.sess.locked {
			s.winBackground(ds, now)
			return
		}
		switch {
		case p < 0.38:
			s.winNet(ds, now)
		case p < 0.55:
			s.winProcess(ds, now)
		case p < 0.72:
			s.winFile(ds, now)
		case p < 0.81:
			s.winRegistry(ds, now)
		case p < 0.87:
			s.winImageLoad(ds, now)
		case p < 0.93:
			s.winInternal(ds, now)
		default:
			s.winBackground(ds, now)
		}
		return
	}
	switch {
	case p < 0.38:
		s.serverInbound(ds, now)
	case p < 0.58:
		s.serverRole(ds, now)
	case p < 0.80:
		s.winBackground(ds, now)
	case p < 0.86:
		s.winRegistry(ds, now)
	case p < 0.90:
		s.adminRDP(ds, now)
	default:
		s.winImageLoad(ds, now)
	}
}

// startProc creates a process and emits its ProcessCreated row and, now
// and then, the libraries it loads.
func (s *shard) startProc(ds *devState, im *image, parent *proc, acct *account, cmd *sym, at int64, libs []*image) *proc {
	p := s.newProc(ds, im, parent, acct, cmd, at)
	if r := s.begin(tProc, ds, at); r != nil {
		r.sym(cActionType, symProcessCreated)
		r.created(p)
		r.initiating(parent)
		s.emit(r)
	}
	if len(libs) > 0 && s.r.chance(0.35) {
		s.loadImage(ds, p, libs[s.r.intn(len(libs))], at+int64(s.r.intn(200_000)))
	}
	return p
}

func (s *shard) loadImage(ds *devState, p *proc, lib *image, at int64) {
	if r := s.begin(tImage, ds, at); r != nil {
		r.sym(cActionType, symImageLoaded)
		r.image(lib)
		r.initiating(p)
		s.emit(r)
	}
}

// connect emits a connection from p to d (and, for a host name now and
// then, the DNS answer that preceded it).
func (s *shard) connect(ds *devState, p *proc, d *dest, at int64, url bool) {
	if d.dns != nil && s.r.chance(0.2) {
		if r := s.begin(tDevEvents, ds, at); r != nil {
			r.sym(cActionType, symDnsResponse)
			r.sym(cAdditionalFields, d.dns)
			r.initiating(p)
			s.emit(r)
		}
		at += int64(s.r.intn(30_000))
	}
	r := s.begin(tNet, ds, at)
	if r == nil {
		return
	}
	action := symConnSuccess
	if s.r.chance(0.04) {
		action = symConnFailed
	}
	r.sym(cActionType, action)
	r.sym(cRemoteIP, d.ip)
	r.int(cRemotePort, d.port)
	if url && d.host != nil {
		r.sym(cRemoteUrl, d.host)
	}
	r.sym(cLocalIP, ds.ip)
	r.int(cLocalPort, ds.nextPort(s.r))
	r.sym(cProtocol, symTcp)
	r.sym(cLocalIPType, symPrivate)
	r.sym(cRemoteIPType, ipType(d.public))
	r.initiating(p)
	s.emit(r)
}

// inbound emits an accepted connection on a server from another device.
func (s *shard) inbound(ds *devState, p *proc, from *Device, localPort int64, at int64) {
	r := s.begin(tNet, ds, at)
	if r == nil {
		return
	}
	r.sym(cActionType, symInboundAccepted)
	r.str(cRemoteIP, from.IP)
	r.int(cRemotePort, s.r.between(49152, 65000))
	r.sym(cLocalIP, ds.ip)
	r.int(cLocalPort, localPort)
	r.sym(cProtocol, symTcp)
	r.sym(cLocalIPType, symPrivate)
	r.sym(cRemoteIPType, symPrivate)
	r.initiating(p)
	s.emit(r)
}

// webDest picks where a browser goes: mostly popular sites, sometimes the
// long tail, now and then a host never seen before.
func (s *shard) webDest() *dest {
	w := s.g.world
	p := s.r.float()
	switch {
	case p < 0.72:
		return w.web.pick(s.r)
	case p < 0.95:
		return w.tail.pick(s.r)
	case p < 0.985:
		return w.intranet
	default:
		host := s.hex(6) + "." + tailWords[s.r.intn(len(tailWords))] + "-cdn.example"
		return newDest(host, internetIP(host), 443, true)
	}
}

func isBrowser(im *image) bool {
	n := im.lname
	return n == "msedge.exe" || n == "chrome.exe"
}

// pickApp picks a running application weighted by how much network
// traffic it makes.
func (s *shard) pickApp(ds *devState) *proc {
	total := 0.0
	for _, p := range ds.apps {
		if p.spec != nil {
			total += p.spec.netRate
		}
	}
	if total == 0 {
		return nil
	}
	x := s.r.float() * total
	for _, p := range ds.apps {
		if p.spec == nil {
			continue
		}
		x -= p.spec.netRate
		if x < 0 {
			return p
		}
	}
	return ds.apps[len(ds.apps)-1]
}

func (s *shard) winNet(ds *devState, now int64) {
	p := s.pickApp(ds)
	if p == nil {
		s.winBackground(ds, now)
		return
	}
	if isBrowser(p.img) {
		s.connect(ds, p, s.webDest(), now, true)
		return
	}
	if dsts := s.g.world.app[p.img.lname]; len(dsts) > 0 {
		s.connect(ds, p, dsts[s.r.intn(len(dsts))], now, false)
		return
	}
	s.connect(ds, p, s.webDest(), now, false)
}

func (s *shard) winInternal(ds *devState, now int64) {
	w := s.g.world
	sess := ds.sess
	switch p := s.r.float(); {
	case p < 0.35:
		d := []*dest{w.dcKerb, w.dcLdap, w.dcSmb, w.dcRpc}[s.r.intn(4)]
		s.connect(ds, ds.lsass, d, now, false)
	case p < 0.60 && len(w.internalSmb) > 0 && sess != nil:
		s.connect(ds, ds.system, w.internalSmb[s.r.intn(len(w.internalSmb))], now, false)
	case p < 0.75:
		s.connect(ds, ds.svcLocal, w.dcDns, now, false)
	case p < 0.85:
		s.connect(ds, ds.svcNet, w.wsus, now, false)
	default:
		if b := s.findApp(ds, "msedge.exe", "chrome.exe"); b != nil {
			s.connect(ds, b, w.intranet, now, true)
			return
		}
		s.connect(ds, ds.svcNet, w.dcLdap, now, false)
	}
}

func (s *shard) findApp(ds *devState, names ...string) *proc {
	for _, p := range ds.apps {
		for _, n := range names {
			if p.img.lname == n {
				return p
			}
		}
	}
	return nil
}

func (s *shard) winProcess(ds *devState, now int64) {
	w := s.g.world
	sess := ds.sess
	switch p := s.r.float(); {
	case p < 0.40:
		parent := s.findApp(ds, "msedge.exe", "chrome.exe")
		if parent == nil || parent.spec == nil || parent.spec.kids == nil {
			s.launchApp(ds, w.userApps.pick(s.r), now)
			return
		}
		k := parent.spec.kids.pick(s.r)
		child := s.startProc(ds, k.img, parent, parent.acct, s.expandCmd(k.cmd, ds, ds.img(k.img), parent), now, k.dlls)
		if s.r.chance(0.5) {
			s.connect(ds, child, s.webDest(), now+int64(s.r.intn(500_000)), true)
		}
	case p < 0.60:
		s.launchApp(ds, w.userApps.pick(s.r), now)
	case p < 0.72:
		k := w.schedKid.pick(s.r)
		s.startProc(ds, k.img, ds.svcSched, acctSystem, s.expandCmd(k.cmd, ds, ds.img(k.img), ds.svcSched), now, nil)
	case p < 0.82:
		k := w.dcomKid.pick(s.r)
		acct := acctSystem
		if sess != nil && k.img.lname != "wmiprvse.exe" && k.img.lname != "svchost.exe" {
			acct = sess.acct
		}
		s.startProc(ds, k.img, ds.svcNet, acct, s.expandCmd(k.cmd, ds, ds.img(k.img), ds.svcNet), now, nil)
	case p < 0.88:
		parent := s.findApp(ds, "outlook.exe", "winword.exe", "excel.exe", "ms-teams.exe", "powerpnt.exe")
		if parent == nil || parent.spec.kids == nil {
			s.launchApp(ds, w.userApps.pick(s.r), now)
			return
		}
		k := parent.spec.kids.pick(s.r)
		s.startProc(ds, k.img, parent, parent.acct, s.expandCmd(k.cmd, ds, ds.img(k.img), parent), now, k.dlls)
	case p < 0.93 && sess != nil && sess.acct.user != nil && sess.acct.user.Role == UserAdmin:
		s.launchApp(ds, w.adminApp.pick(s.r), now)
	case p < 0.95 && sess != nil:
		s.oneOff(ds, now)
	default:
		svc := cat.mustName("svchost.exe")
		s.startProc(ds, svc, ds.services, acctLocal, s.expandCmd(`C:\Windows\system32\svchost.exe -k LocalService -p -s {svc}`, ds, svc, ds.services), now, nil)
	}
}

// launchApp starts an application from the user's explorer, or, if it is
// already open, has it do something instead.
func (s *shard) launchApp(ds *devState, spec *appSpec, now int64) {
	sess := ds.sess
	if sess == nil || sess.explorer == nil {
		return
	}
	if spec.resident {
		for _, p := range ds.apps {
			if p.spec == spec {
				if spec.kids != nil {
					k := spec.kids.pick(s.r)
					s.startProc(ds, k.img, p, p.acct, s.expandCmd(k.cmd, ds, ds.img(k.img), p), now, k.dlls)
				} else {
					s.winNet(ds, now)
				}
				return
			}
		}
	}
	im := ds.img(spec.img)
	p := s.startProc(ds, spec.img, sess.explorer, sess.acct, s.expandCmd(spec.cmd, ds, im, sess.explorer), now, spec.dlls)
	p.spec = spec
	if spec.kids != nil && s.r.chance(0.6) {
		k := spec.kids.pick(s.r)
		s.startProc(ds, k.img, p, p.acct, s.expandCmd(k.cmd, ds, ds.img(k.img), p), now+int64(s.r.intn(800_000)), k.dlls)
	}
	if spec.resident {
		if len(ds.apps) >= 10 {
			copy(ds.apps, ds.apps[1:])
			ds.apps = ds.apps[:len(ds.apps)-1]
		}
		ds.apps = append(ds.apps, p)
	}
	if spec.img.lname == "powershell.exe" && s.r.chance(0.7) {
		if r := s.begin(tDevEvents, ds, now+int64(s.r.intn(2_000_000))); r != nil {
			r.sym(cActionType, symPowerShellCmd)
			r.sym(cAdditionalFields, psCommands[s.r.intn(len(psCommands))])
			r.initiating(p)
			s.emit(r)
		}
	}
}

var psCommands = []*sym{
	jsonSym(`{"Command":"Get-ADUser"}`), jsonSym(`{"Command":"Get-Service"}`), jsonSym(`{"Command":"Get-EventLog"}`),
	jsonSym(`{"Command":"Test-NetConnection"}`), jsonSym(`{"Command":"Get-ADComputer"}`), jsonSym(`{"Command":"Restart-Service"}`),
}

// oneOff runs a program seen once in the whole fleet: an installer from
// the Downloads folder. This is the long tail hunters look at.
func (s *shard) oneOff(ds *devState, now int64) {
	r := s.r
	name := tailVendors[r.intn(len(tailVendors))] + tailProducts[r.intn(len(tailProducts))] + "Setup-" +
		strconv.Itoa(1+r.intn(9)) + "." + strconv.Itoa(r.intn(30)) + "." + strconv.Itoa(r.intn(500)) + ".exe"
	path := `C:\Users\` + ds.profile + `\Downloads\` + name
	im := adHocImage(path, ds.d.ID, r.between(400_000, 90_000_000))
	s.startProc(ds, im, ds.sess.explorer, ds.sess.acct, newSym(`"`+path+`"`), now, nil)
}

func (s *shard) winFile(ds *devState, now int64) {
	r := s.r
	w := s.g.world
	sess := ds.sess
	if ds.docsDir == "" {
		ds.docsDir = `C:\Users\` + ds.profile + `\OneDrive - ` + s.g.org.Name + `\Documents\`
	}
	docs := ds.docsDir
	switch p := r.float(); {
	case p < 0.35:
		app := s.findApp(ds, "winword.exe", "excel.exe", "powerpnt.exe")
		if app == nil {
			app = sess.explorer
		}
		ext := ".docx"
		switch app.img.lname {
		case "excel.exe":
			ext = ".xlsx"
		case "powerpnt.exe":
			ext = ".pptx"
		}
		doc := w.docs[r.intn(len(w.docs))] + ext
		tmp := "~WRL" + pad(r.intn(10000), 4) + ".tmp"
		s.fileRow(ds, app, symFileCreated, docs, tmp, "", "", now)
		s.fileRow(ds, app, symFileRenamed, docs, doc, docs, tmp, now+int64(r.intn(300_000)))
	case p < 0.57:
		b := s.findApp(ds, "msedge.exe", "chrome.exe")
		if b == nil {
			b = sess.explorer
		}
		d := s.webDest()
		name := w.docs[r.intn(len(w.docs))] + docExts[r.intn(len(docExts))]
		if rr := s.begin(tFile, ds, now); rr != nil {
			rr.sym(cActionType, symFileCreated)
			rr.str(cFileName, name)
			rr.str(cFolderPath, `C:\Users\`+ds.profile+`\Downloads\`+name)
			rr.str(cSHA1, s.hex(40))
			rr.str(cSHA256, s.hex(64))
			rr.int(cFileSize, r.between(20_000, 8_000_000))
			if d.host != nil {
				rr.str(cFileOriginUrl, "https://"+d.host.s+"/files/"+strings.ReplaceAll(name, " ", "%20"))
			}
			rr.sym(cFileOriginIP, d.ip)
			rr.initiating(b)
			s.emit(rr)
		}
	case p < 0.80:
		app := s.pickApp(ds)
		if app == nil {
			app = sess.explorer
		}
		tmp := "tmp" + s.hex(4) + ".tmp"
		folder := `C:\Users\` + ds.profile + `\AppData\Local\Temp\`
		s.fileRow(ds, app, symFileCreated, folder, tmp, "", "", now)
		if r.chance(0.6) {
			s.fileRow(ds, app, symFileDeleted, folder, tmp, "", "", now+int64(r.intn(5_000_000)))
		}
	case p < 0.90:
		od := s.findApp(ds, "onedrive.exe")
		if od == nil {
			od = sess.explorer
		}
		doc := w.docs[r.intn(len(w.docs))] + docExts[r.intn(len(docExts))]
		s.fileRow(ds, od, symFileModified, docs, doc, "", "", now)
	default:
		s.systemFile(ds, now)
	}
}

var cFileOriginIP = col("FileOriginIP")

func (s *shard) fileRow(ds *devState, p *proc, action *sym, folder, name, prevFolder, prevName string, at int64) {
	r := s.begin(tFile, ds, at)
	if r == nil {
		return
	}
	r.sym(cActionType, action)
	r.str(cFileName, name)
	r.str(cFolderPath, folder+name)
	if action != symFileDeleted {
		r.str(cSHA1, s.hex(40))
		r.int(cFileSize, s.r.between(1_000, 4_000_000))
	}
	if prevName != "" {
		r.str(cPreviousFileName, prevName)
		r.str(cPreviousFolderPath, prevFolder+prevName)
	}
	r.initiating(p)
	s.emit(r)
}

var defenderFiles = []string{"mpasbase.vdm", "mpavbase.vdm", "mpasdlta.vdm", "mpavdlta.vdm", "mpengine.dll"}

func (s *shard) systemFile(ds *devState, now int64) {
	r := s.r
	if r.chance(0.5) {
		folder := `C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{` + strings.ToUpper(r.guid()) + `}\`
		s.fileRow(ds, ds.defender, symFileCreated, folder, defenderFiles[r.intn(len(defenderFiles))], "", "", now)
		return
	}
	folder := `C:\Windows\Prefetch\`
	p := ds.svcSched
	name := []string{"MSEDGE.EXE-", "SVCHOST.EXE-", "TASKHOSTW.EXE-", "OUTLOOK.EXE-", "RUNTIMEBROKER.EXE-"}[r.intn(5)] + strings.ToUpper(s.hex(8)) + ".pf"
	s.fileRow(ds, p, symFileModified, folder, name, "", "", now)
}

func (s *shard) winRegistry(ds *devState, now int64) {
	r := s.r
	sess := ds.sess
	row := s.begin(tReg, ds, now)
	if row == nil {
		return
	}
	p := r.float()
	switch {
	case sess != nil && p < 0.35:
		sid := sess.acct.sid.s
		row.sym(cActionType, symRegValueSet)
		ext := docExts[r.intn(len(docExts))]
		row.str(cRegistryKey, `HKEY_CURRENT_USER\`+sid+`\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\`+ext)
		row.str(cRegistryValueName, "MRUListEx")
		row.sym(cRegistryValueType, symRegBinary)
		row.initiating(sess.explorer)
	case sess != nil && p < 0.55:
		app := s.pickApp(ds)
		if app == nil {
			app = sess.explorer
		}
		row.sym(cActionType, symRegValueSet)
		row.str(cRegistryKey, `HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\bam\State\UserSettings\`+sess.acct.sid.s)
		row.str(cRegistryValueName, `\Device\HarddiskVolume3`+strings.TrimPrefix(app.img.path.s, "C:"))
		row.sym(cRegistryValueType, symRegBinary)
		row.initiating(ds.svcNet)
	case sess != nil && p < 0.65:
		od := s.findApp(ds, "onedrive.exe")
		if od == nil {
			od = sess.explorer
		}
		row.sym(cActionType, symRegValueSet)
		row.str(cRegistryKey, `HKEY_CURRENT_USER\`+sess.acct.sid.s+`\Software\Microsoft\Windows\CurrentVersion\Run`)
		row.str(cRegistryValueName, "OneDrive")
		row.str(cRegistryValueData, `"C:\Users\`+ds.profile+`\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`)
		row.sym(cRegistryValueType, symRegString)
		row.initiating(od)
	case p < 0.85:
		row.sym(cActionType, symRegValueSet)
		row.str(cRegistryKey, `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Signature Updates`)
		row.str(cRegistryValueName, "AVSignatureVersion")
		row.str(cRegistryValueData, "1.411."+strconv.Itoa(100+r.intn(800))+".0")
		row.sym(cRegistryValueType, symRegString)
		row.initiating(ds.defender)
	case p < 0.95:
		row.sym(cActionType, symRegValueSet)
		row.str(cRegistryKey, `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Microsoft\Windows\UpdateOrchestrator\Schedule Scan`)
		row.str(cRegistryValueName, "Index")
		row.str(cRegistryValueData, strconv.Itoa(r.intn(8)))
		row.sym(cRegistryValueType, symRegDword)
		row.initiating(ds.svcSched)
	default:
		row.sym(cActionType, symRegKeyCreated)
		row.str(cRegistryKey, `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Installer\UserData\S-1-5-18\Products\`+strings.ToUpper(s.hex(32)))
		row.initiating(ds.services)
	}
	s.emit(row)
}

var genericDlls = dlls("wininet.dll", "winhttp.dll", "dnsapi.dll", "kernel32.dll", "ntdll.dll")

func (s *shard) winImageLoad(ds *devState, now int64) {
	p := s.pickApp(ds)
	if p == nil || s.r.chance(0.3) {
		p = []*proc{ds.svcNet, ds.svcLocal, ds.defender, ds.sense}[s.r.intn(4)]
	}
	lib := genericDlls[s.r.intn(len(genericDlls))]
	if p.spec != nil && len(p.spec.dlls) > 0 && s.r.chance(0.5) {
		lib = p.spec.dlls[s.r.intn(len(p.spec.dlls))]
	}
	s.loadImage(ds, p, lib, now)
}

// winBackground is what every Windows machine does on its own: security
// sensors phoning home, scheduled tasks, updates.
func (s *shard) winBackground(ds *devState, now int64) {
	w := s.g.world
	r := s.r
	switch p := r.float(); {
	case p < 0.28:
		dst := w.app["mssense.exe"]
		s.connect(ds, ds.sense, dst[r.intn(len(dst))], now, false)
	case p < 0.45:
		k := w.schedKid.pick(r)
		s.startProc(ds, k.img, ds.svcSched, acctSystem, s.expandCmd(k.cmd, ds, ds.img(k.img), ds.svcSched), now, nil)
	case p < 0.58:
		if r.chance(0.5) {
			s.systemFile(ds, now)
		} else {
			dst := w.app["msmpeng.exe"]
			s.connect(ds, ds.defender, dst[r.intn(len(dst))], now, false)
		}
	case p < 0.78:
		dst := w.app["svchost.exe"]
		s.connect(ds, ds.svcNet, dst[r.intn(len(dst))], now, false)
	case p < 0.90:
		s.connect(ds, ds.lsass, []*dest{w.dcKerb, w.dcLdap}[r.intn(2)], now, false)
	case p < 0.96:
		k := w.dcomKid.pick(r)
		s.startProc(ds, k.img, ds.svcNet, acctSystem, s.expandCmd(k.cmd, ds, ds.img(k.img), ds.svcNet), now, nil)
	default:
		if row := s.begin(tDevEvents, ds, now); row != nil {
			row.sym(cActionType, symScheduledTaskUpd)
			row.sym(cAdditionalFields, scheduledTasks[r.intn(len(scheduledTasks))])
			row.initiating(ds.svcSched)
			s.emit(row)
		}
	}
}

var scheduledTasks = []*sym{
	jsonSym(`{"TaskName":"\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan"}`),
	jsonSym(`{"TaskName":"\\MicrosoftEdgeUpdateTaskMachineUA"}`),
	jsonSym(`{"TaskName":"\\Microsoft\\Office\\Office Automatic Updates 2.0"}`),
	jsonSym(`{"TaskName":"\\Microsoft\\Windows\\Windows Defender\\Windows Defender Cache Maintenance"}`),
}

// serverInbound is a client connecting to the server's role.
func (s *shard) serverInbound(ds *devState, now int64) {
	w := s.g.world
	r := s.r
	from := w.windows[r.intn(len(w.windows))]
	if len(w.workstations) > 0 && r.chance(0.8) {
		from = w.workstations[r.intn(len(w.workstations))]
	}
	if from == ds.d {
		return
	}
	switch ds.d.Function {
	case "dc":
		port := []int64{88, 389, 445, 135, 88, 389}[r.intn(6)]
		s.inbound(ds, ds.lsass, from, port, now)
	case "sql":
		s.inbound(ds, ds.daemons[0], from, 1433, now)
	case "app", "update":
		s.inbound(ds, ds.daemons[0], from, []int64{443, 8530}[r.intn(2)], now)
	case "print":
		s.inbound(ds, ds.daemons[0], from, 445, now)
	default:
		s.inbound(ds, ds.system, from, 445, now)
	}
}

var shareNames = []string{"Shared", "Finance", "Projects", "HR", "Sales", "Public"}

// serverRole is the work the server exists for.
func (s *shard) serverRole(ds *devState, now int64) {
	w := s.g.world
	r := s.r
	switch ds.d.Function {
	case "dc":
		s.dcIdentity(ds, now)
	case "file":
		if len(w.workstations) == 0 {
			return
		}
		from := w.workstations[r.intn(len(w.workstations))]
		owner := from.Owner
		share := shareNames[r.intn(len(shareNames))]
		folder := `D:\Shares\` + share + `\`
		name := w.docs[r.intn(len(w.docs))] + docExts[r.intn(len(docExts))]
		row := s.begin(tFile, ds, now)
		if row == nil {
			return
		}
		row.sym(cActionType, []*sym{symFileModified, symFileCreated, symFileModified, symFileRenamed}[r.intn(4)])
		row.str(cFileName, name)
		row.str(cFolderPath, folder+name)
		row.str(cSHA1, s.hex(40))
		row.int(cFileSize, r.between(10_000, 6_000_000))
		row.sym(cRequestProtocol, symSmb)
		row.str(cRequestSourceIP, from.IP)
		row.int(cRequestSourcePort, r.between(49152, 65000))
		if owner != nil {
			a := s.g.accts[owner.Index]
			row.sym(cRequestAccountName, a.name)
			row.sym(cRequestAccountDomain, a.domain)
			row.sym(cRequestAccountSid, a.sid)
		}
		row.str(cShareName, share)
		row.initiating(ds.system)
		s.emit(row)
	case "sql":
		agent := ds.daemons[len(ds.daemons)-1]
		if r.chance(0.5) {
			s.fileRow(ds, ds.daemons[0], symFileModified, `D:\MSSQL\Data\`, []string{"CRM.mdf", "CRM_log.ldf", "Timesheet.mdf", "Timesheet_log.ldf", "tempdb.mdf"}[r.intn(5)], "", "", now)
			return
		}
		ps := cat.mustName("powershell.exe")
		s.startProc(ds, ps, agent, agent.acct, newSym(`powershell.exe -NoProfile -NonInteractive -File "D:\Jobs\IndexMaintenance.ps1"`), now, nil)
	case "app", "update":
		s.connect(ds, ds.daemons[0], w.sql, now, false)
	case "backup":
		target := w.servers[r.intn(len(w.servers))]
		s.connect(ds, ds.daemons[0], newDestCached(s, target.Name, target.IP, 445), now, false)
	default:
		s.winBackground(ds, now)
	}
}

var (
	cRequestProtocol      = col("RequestProtocol")
	cRequestSourceIP      = col("RequestSourceIP")
	cRequestSourcePort    = col("RequestSourcePort")
	cRequestAccountName   = col("RequestAccountName")
	cRequestAccountDomain = col("RequestAccountDomain")
	cRequestAccountSid    = col("RequestAccountSid")
	cShareName            = col("ShareName")
)

// newDestCached keeps one dest per internal host so that backups do not
// allocate on every tick.
func newDestCached(s *shard, host, ip string, port int64) *dest {
	key := host + ":" + itoa(port)
	if d, ok := s.dests[key]; ok {
		return d
	}
	if s.dests == nil {
		s.dests = map[string]*dest{}
	}
	d := newDest(host, ip, port, false)
	s.dests[key] = d
	return d
}
