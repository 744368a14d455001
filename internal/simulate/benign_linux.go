package simulate

import (
	"strconv"
)

// Linux servers: cron jobs, daemons serving their clients, log files,
// administrators over SSH, and the internet knocking on public hosts.

var symSshd = newSym("sshd")

func (s *shard) linuxTick(ds *devState, now int64) {
	r := s.r
	switch p := r.float(); {
	case p < 0.12:
		s.cronJob(ds, now)
	case p < 0.58:
		s.linuxNet(ds, now)
	case p < 0.80:
		s.linuxFile(ds, now)
	case p < 0.88:
		s.sshSession(ds, now)
	case p < 0.97:
		w := s.g.world
		dst := w.app["wdavdaemon"]
		s.connect(ds, ds.defender, dst[r.intn(len(dst))], now, false)
	default:
		p := s.startProc(ds, cat.mustName("python3.10"), ds.system, ds.root, newSym("/usr/bin/python3 /usr/bin/unattended-upgrade --download-only"), now, nil)
		dst := s.g.world.app["unattended-upgrade"]
		s.connect(ds, p, dst[r.intn(len(dst))], now+int64(r.intn(2_000_000)), false)
	}
}

func (s *shard) cronJob(ds *devState, now int64) {
	job := s.g.world.cronJobs.pick(s.r)
	sh := s.startProc(ds, cat.mustName("dash"), ds.services, ds.root, newSym(job.shell), now, nil)
	t := now + int64(s.r.intn(50_000))
	s.startProc(ds, job.child, sh, ds.root, newSym(job.cmd), t, nil)
}

// linuxNet is the server's role on the network.
func (s *shard) linuxNet(ds *devState, now int64) {
	r := s.r
	w := s.g.world
	d := ds.d
	var daemon *proc
	if len(ds.daemons) > 0 {
		daemon = ds.daemons[r.intn(len(ds.daemons))]
	}
	switch d.Function {
	case "web":
		if r.chance(0.5) && len(w.workstations) > 0 {
			s.inbound(ds, daemon, w.workstations[r.intn(len(w.workstations))], 443, now)
			return
		}
		s.inboundInternet(ds, daemon, 443, now)
	case "mail":
		if r.chance(0.6) {
			s.inboundInternet(ds, ds.daemons[0], 25, now)
			return
		}
		if len(w.workstations) > 0 {
			s.inbound(ds, ds.daemons[len(ds.daemons)-1], w.workstations[r.intn(len(w.workstations))], 993, now)
		}
	case "db":
		app := w.servers[r.intn(len(w.servers))]
		if app != d {
			s.inbound(ds, daemon, app, 5432, now)
		}
	case "monitoring":
		target := w.servers[r.intn(len(w.servers))]
		s.connect(ds, daemon, newDestCached(s, target.Name, target.IP, 9100), now, false)
	case "build":
		names := []string{"git", "curl", "dockerd"}
		name := names[r.intn(len(names))]
		dst := w.app[name]
		p := daemon
		if name != "dockerd" {
			p = s.startProc(ds, cat.mustName(name), ds.services, ds.root, newSym(name+" fetch --all"), now, nil)
			if name == "curl" {
				p.cmd = newSym("curl -fsSL https://" + dst[0].host.s + "/simple/")
			}
		}
		s.connect(ds, p, dst[r.intn(len(dst))], now+int64(r.intn(300_000)), false)
	default:
		dst := w.app["apt-get"]
		s.connect(ds, ds.system, dst[r.intn(len(dst))], now, false)
	}
}

// inboundInternet is a client from the internet reaching a public
// service; internet-facing hosts also see SSH password guessing.
func (s *shard) inboundInternet(ds *devState, p *proc, port int64, now int64) {
	r := s.r
	host := "client" + strconv.Itoa(r.intn(5000)) + ".isp.example"
	ip := internetIP(host)
	row := s.begin(tNet, ds, now)
	if row == nil {
		return
	}
	row.sym(cActionType, symInboundAccepted)
	row.str(cRemoteIP, ip)
	row.int(cRemotePort, r.between(1024, 65000))
	row.sym(cLocalIP, ds.ip)
	row.int(cLocalPort, port)
	row.sym(cProtocol, symTcp)
	row.sym(cLocalIPType, symPrivate)
	row.sym(cRemoteIPType, symPublic)
	row.initiating(p)
	s.emit(row)
	if r.chance(0.05) {
		lr := s.begin(tLogon, ds, now+int64(r.intn(1_000_000)))
		if lr == nil {
			return
		}
		lr.sym(cActionType, symLogonFailed)
		lr.sym(cLogonType, symNetworkLogon)
		lr.str(cAccountName, []string{"root", "admin", "ubuntu", "test", "oracle", "git"}[r.intn(6)])
		lr.sym(cAccountDomain, ds.root.domain)
		lr.str(cFailureReason, "InvalidUserNameOrPassword")
		lr.str(cRemoteIP, ip)
		lr.sym(cRemoteIPType, symPublic)
		lr.int(cRemotePort, r.between(1024, 65000))
		lr.initiating(ds.lsass)
		s.emit(lr)
	}
}

var linuxLogs = []string{"/var/log/syslog", "/var/log/auth.log", "/var/log/kern.log", "/var/log/nginx/access.log", "/var/log/mail.log", "/var/log/dpkg.log"}

func (s *shard) linuxFile(ds *devState, now int64) {
	r := s.r
	if r.chance(0.7) {
		log := linuxLogs[r.intn(len(linuxLogs))]
		row := s.begin(tFile, ds, now)
		if row == nil {
			return
		}
		slash := len(log) - 1
		for log[slash] != '/' {
			slash--
		}
		row.sym(cActionType, symFileModified)
		row.str(cFileName, log[slash+1:])
		row.str(cFolderPath, log)
		row.int(cFileSize, r.between(10_000, 90_000_000))
		row.initiating(ds.svcNet)
		s.emit(row)
		return
	}
	job := s.g.world.cronJobs.pick(r)
	sh := s.newProc(ds, cat.mustName("dash"), ds.services, ds.root, newSym(job.shell), now)
	name := "tmp." + s.hex(10)
	row := s.begin(tFile, ds, now)
	if row == nil {
		return
	}
	row.sym(cActionType, symFileCreated)
	row.str(cFileName, name)
	row.str(cFolderPath, "/tmp/"+name)
	row.int(cFileSize, r.between(0, 200_000))
	row.initiating(sh)
	s.emit(row)
}

// sshSession is an administrator logging in over SSH during working
// hours and running a few commands.
func (s *shard) sshSession(ds *devState, now int64) {
	r := s.r
	w := s.g.world
	h, wd := localHour(now, ds.d.Site)
	if wd == 0 || wd == 6 || h < 8 || h > 18 || len(w.admins) == 0 || !r.chance(0.3) {
		s.cronJob(ds, now)
		return
	}
	admin := w.admins[r.intn(len(w.admins))]
	acct := &account{name: newSym(admin.Name), domain: ds.root.domain, user: admin}
	from := admin.Device
	if row := s.begin(tLogon, ds, now); row != nil {
		row.sym(cActionType, symLogonSuccess)
		row.sym(cLogonType, symNetworkLogon)
		row.sym(cAccountName, acct.name)
		row.sym(cAccountDomain, acct.domain)
		row.bool(cIsLocalAdmin, true)
		if from != nil {
			row.str(cRemoteIP, from.IP)
			row.str(cRemoteDeviceName, from.Host)
			row.sym(cRemoteIPType, symPrivate)
		}
		row.int(cRemotePort, r.between(49152, 65000))
		row.initiating(ds.lsass)
		s.emit(row)
	}
	t := now + int64(r.intn(500_000))
	sshd := s.startProc(ds, cat.mustName("sshd"), ds.lsass, ds.root, newSym("sshd: "+admin.Name+" [priv]"), t, nil)
	bash := s.startProc(ds, cat.mustName("bash"), sshd, acct, newSym("-bash"), t+int64(r.intn(300_000)), nil)
	t += usSecond
	for i, n := 0, 1+r.intn(4); i < n; i++ {
		t += int64(r.between(2, 60)) * usSecond
		line := w.shellCmd.pick(r)
		name := line
		for k := 0; k < len(line); k++ {
			if line[k] == ' ' {
				name = line[:k]
				break
			}
		}
		if name == "sudo" {
			sudo := s.startProc(ds, cat.mustName("sudo"), bash, acct, newSym(line), t, nil)
			s.startProc(ds, cat.mustName("apt-get"), sudo, ds.root, newSym(line[5:]), t+int64(r.intn(200_000)), nil)
			continue
		}
		im, ok := cat.lookup(name)
		if !ok || !im.linux {
			im = cat.mustName("bash")
		}
		s.startProc(ds, im, bash, acct, newSym(line), t, nil)
	}
}
