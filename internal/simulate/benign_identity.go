package simulate

import (
	"strings"
)

// Logons: workstation sessions through the working day, what the domain
// controller sees of them, administrators on servers.

var (
	symLogonSuccess     = newSym("LogonSuccess")
	symLogonFailed      = newSym("LogonFailed")
	symInteractive      = newSym("Interactive")
	symRemoteInter      = newSym("RemoteInteractive")
	symNetworkLogon     = newSym("Network")
	symUnlock           = newSym("Unlock")
	symKerberos         = newSym("Kerberos")
	symNtlm             = newSym("Ntlm")
	symNegotiate        = newSym("Negotiate")
	symActiveDirectory  = newSym("Active Directory")
	symResourceAccess   = newSym("Resource access")
	symCredValidation   = newSym("Credentials validation")
	symFailedLogon      = newSym("Failed logon")
	symWorkstation      = newSym("Workstation")
	symServer           = newSym("Server")
	symLocalLogon       = jsonSym(`{"IsLocalLogon":true}`)
	symRemoteLogon      = jsonSym(`{"IsLocalLogon":false}`)
	symDNSQuery         = newSym("DNS query")
	symLDAPQuery        = newSym("LDAP query")
	symSrv              = newSym("Srv")
	symDns              = newSym("Dns")
	symLdap             = newSym("Ldap")
	symPasswordChanged  = newSym("Account Password changed")
	symGroupMembership  = newSym("Group Membership changed")
	symIdentityInfoType = newSym("User")
	symRemoteDesktop    = newSym("Remote desktop")
)

// dayTime returns the UTC time of a local hour on the local day of now.
func dayTime(now int64, site *Site, hour float64) int64 {
	off := int64(site.UTCOffset) * usHour
	local := now + off
	day := floorDiv(local, usDay)
	return day*usDay + int64(hour*float64(usHour)) - off
}

// nextMorning returns when a person at a site next starts work.
func (s *shard) nextMorning(now int64, site *Site) int64 {
	start := 7.75 + s.r.float()*1.75
	for k := 0; k < 8; k++ {
		t := dayTime(now+int64(k)*usDay, site, start)
		_, wd := localHour(t, site)
		if t > now && wd >= 1 && wd <= 5 {
			return t
		}
	}
	return now + usDay
}

// sessionEvent moves a workstation's owner through the day: log on in the
// morning, lock over lunch, unlock, leave in the evening. It returns when
// the next step happens.
func (s *shard) sessionEvent(ds *devState, now int64) int64 {
	site := ds.d.Site
	h, wd := localHour(now, site)
	workday := wd >= 1 && wd <= 5
	day := int(floorDiv(now+int64(site.UTCOffset)*usHour, usDay))
	sess := ds.sess
	later := func(hour float64) int64 {
		t := dayTime(now, site, hour)
		if t <= now {
			t = now + 10*usMinute + int64(s.r.intn(int(20*usMinute)))
		}
		return t
	}
	switch {
	case sess == nil && workday && h >= 7 && h < 16.5:
		s.logon(ds, now)
		if h < 11.5 {
			return later(11.75 + s.r.float())
		}
		return later(16.5 + s.r.float()*2)
	case sess != nil && !sess.locked && workday && h >= 11.5 && h < 14 && ds.userDay != day:
		ds.userDay = day
		sess.locked = true
		return now + 30*usMinute + int64(s.r.intn(int(40*usMinute)))
	case sess != nil && sess.locked && workday && h < 17:
		sess.locked = false
		s.logonRow(ds, now, symLogonSuccess, symUnlock, sess.acct, symNegotiate, nil, ds.lsass, sess.logonID, "")
		return later(16.5 + s.r.float()*2)
	case sess != nil:
		ds.sess = nil
		ds.apps = ds.apps[:0]
		return s.nextMorning(now, site)
	default:
		return s.nextMorning(now, site)
	}
}

// logon signs the owner in: the logon as the workstation and the domain
// controller see it, then the shell and the applications that start with
// it.
func (s *shard) logon(ds *devState, now int64) {
	r := s.r
	owner := ds.d.Owner
	acct := s.g.accts[owner.Index]
	t := now
	if r.chance(0.05) {
		s.logonRow(ds, t, symLogonFailed, symInteractive, acct, symNegotiate, nil, ds.lsass, 0, "InvalidUserNameOrPassword")
		s.idLogon(t, symLogonFailed, acct, symFailedLogon, symKerberos, ds.d, nil, "WrongPassword")
		t += int64(r.between(4, 20)) * usSecond
	}
	sess := &session{acct: acct, logonID: r.between(100_000, 90_000_000), start: t}
	ds.sess = sess
	s.logonRow(ds, t, symLogonSuccess, symInteractive, acct, symNegotiate, nil, ds.lsass, sess.logonID, "")
	s.idLogon(t, symLogonSuccess, acct, symInteractive, symKerberos, ds.d, nil, "")
	t += int64(r.intn(2_000_000))
	ui := cat.mustName("userinit.exe")
	userinit := s.startProc(ds, ui, ds.winlogon, acct, newSym(`C:\Windows\system32\userinit.exe`), t, nil)
	userinit.logonID, userinit.sessionID = sess.logonID, 1
	t += int64(r.intn(1_000_000))
	ex := cat.mustName("explorer.exe")
	sess.explorer = s.newProc(ds, ex, userinit, acct, newSym(`C:\Windows\Explorer.EXE`), t)
	sess.explorer.logonID, sess.explorer.sessionID = sess.logonID, 1
	if row := s.begin(tProc, ds, t); row != nil {
		row.sym(cActionType, symProcessCreated)
		row.created(sess.explorer)
		row.initiating(userinit)
		s.emit(row)
	}
	ds.apps = ds.apps[:0]
	w := s.g.world
	for _, name := range []string{"OneDrive.exe", "ms-teams.exe", "OUTLOOK.EXE", "msedge.exe"} {
		t += int64(r.between(500_000, 20_000_000))
		for _, spec := range w.userApps.items {
			if spec.img.lname == strings.ToLower(name) {
				s.launchApp(ds, spec, t)
				break
			}
		}
	}
}

// logonRow emits a DeviceLogonEvents row.
func (s *shard) logonRow(ds *devState, at int64, action, logonType *sym, a *account, protocol *sym, from *Device, init *proc, logonID int64, failure string) {
	row := s.begin(tLogon, ds, at)
	if row == nil {
		return
	}
	row.sym(cActionType, action)
	row.sym(cLogonType, logonType)
	row.sym(cAccountDomain, a.domain)
	row.sym(cAccountName, a.name)
	row.sym(cAccountSid, a.sid)
	row.sym(cProtocol, protocol)
	row.str(cFailureReason, failure)
	if a.user != nil {
		row.bool(cIsLocalAdmin, a.user.IsAdmin())
	}
	if logonID != 0 {
		row.int(cLogonId, logonID)
	}
	if from != nil {
		row.str(cRemoteDeviceName, strings.ToLower(from.Host))
		row.str(cRemoteIP, from.IP)
		row.sym(cRemoteIPType, symPrivate)
		row.int(cRemotePort, s.r.between(49152, 65000))
		row.sym(cAdditionalFields, symRemoteLogon)
	} else {
		row.sym(cAdditionalFields, symLocalLogon)
	}
	row.initiating(init)
	s.emit(row)
}

// idLogon emits an IdentityLogonEvents row: an authentication the domain
// controller handled for a device (and, for resource access, a target).
func (s *shard) idLogon(at int64, action *sym, a *account, logonType, protocol *sym, src, target *Device, failure string) {
	row := s.begin(tIdLogon, nil, at)
	if row == nil {
		return
	}
	dc := s.g.org.DC
	row.sym(cActionType, action)
	row.sym(cApplication, symActiveDirectory)
	row.sym(cLogonType, logonType)
	row.sym(cProtocol, protocol)
	row.str(cFailureReason, failure)
	row.sym(cAccountName, a.name)
	row.sym(cAccountDomain, a.domain)
	row.sym(cAccountUpn, a.upn)
	row.sym(cAccountSid, a.sid)
	row.sym(cAccountObjectId, a.objectID)
	row.sym(cAccountDisplayName, a.display)
	if src != nil {
		row.str(cDeviceName, src.Name)
		if src.Role == RoleWorkstation {
			row.sym(cDeviceType, symWorkstation)
		} else {
			row.sym(cDeviceType, symServer)
		}
		row.str(cOSPlatform, src.OSPlatform)
		row.str(cIPAddress, src.IP)
		row.int(cPort, s.r.between(49152, 65000))
	}
	row.str(cDestinationDeviceName, dc.Name)
	row.str(cDestinationIPAddress, dc.IP)
	if protocol == symNtlm {
		row.int(cDestinationPort, 445)
	} else {
		row.int(cDestinationPort, 88)
	}
	if target != nil {
		row.str(cTargetDeviceName, target.Name)
	}
	s.emit(row)
}

// dcIdentity is the domain controller's own view: resource access,
// service accounts, DNS and LDAP queries, the odd directory change.
func (s *shard) dcIdentity(ds *devState, now int64) {
	r := s.r
	w := s.g.world
	o := s.g.org
	if len(w.workstations) == 0 {
		return
	}
	ws := w.workstations[r.intn(len(w.workstations))]
	owner := ws.Owner
	acct := s.g.accts[owner.Index]
	target := w.servers[r.intn(len(w.servers))]
	switch p := r.float(); {
	case p < 0.45:
		s.idLogon(now, symLogonSuccess, acct, symResourceAccess, symKerberos, ws, target, "")
	case p < 0.60:
		k := r.intn(len(o.ServiceAccounts))
		svc := o.ServiceAccounts[k]
		host := w.svcHosts[k]
		if host == nil {
			host = target
		}
		s.idLogon(now, symLogonSuccess, s.g.accts[svc.Index], symCredValidation, symKerberos, host, nil, "")
	case p < 0.68:
		s.idLogon(now, symLogonSuccess, acct, symResourceAccess, symNtlm, ws, target, "")
	case p < 0.74:
		s.idLogon(now, symLogonFailed, acct, symFailedLogon, symKerberos, ws, nil, "WrongPassword")
	case p < 0.84:
		row := s.begin(tIdQuery, nil, now)
		if row == nil {
			return
		}
		if r.chance(0.7) {
			row.sym(cActionType, symDNSQuery)
			row.sym(cQueryType, symSrv)
			row.str(cQueryTarget, "_ldap._tcp.dc._msdcs."+o.Domain)
			row.sym(cProtocol, symDns)
		} else {
			row.sym(cActionType, symLDAPQuery)
			row.str(cQueryTarget, strings.ToLower(o.NetBIOS))
			row.str(cQuery, "(&(objectCategory=computer)(operatingSystem=Windows*))")
			row.sym(cProtocol, symLdap)
			row.sym(cAccountName, acct.name)
			row.sym(cAccountDomain, acct.domain)
			row.sym(cAccountUpn, acct.upn)
			row.sym(cAccountSid, acct.sid)
		}
		row.str(cDeviceName, ws.Name)
		row.str(cIPAddress, ws.IP)
		row.int(cPort, r.between(49152, 65000))
		row.str(cDestinationDeviceName, o.DC.Name)
		row.str(cDestinationIPAddress, o.DC.IP)
		row.int(cDestinationPort, 53)
		s.emit(row)
	case p < 0.85:
		row := s.begin(tIdDir, nil, now)
		if row == nil {
			return
		}
		admin := s.g.accts[s.g.world.admins[0].Index]
		victim := o.Users[r.intn(len(o.Users))]
		if r.chance(0.7) {
			row.sym(cActionType, symPasswordChanged)
			row.sym(cAccountName, s.g.accts[victim.Index].name)
			row.sym(cAccountDomain, s.g.accts[victim.Index].domain)
			row.sym(cAccountSid, s.g.accts[victim.Index].sid)
			row.sym(cAccountUpn, s.g.accts[victim.Index].upn)
			row.str(cAdditionalFields, `{"TARGET_OBJECT.USER":"`+victim.Name+`"}`)
		} else {
			row.sym(cActionType, symGroupMembership)
			row.sym(cAccountName, admin.name)
			row.sym(cAccountDomain, admin.domain)
			row.sym(cAccountSid, admin.sid)
			row.sym(cAccountUpn, admin.upn)
			row.str(cAdditionalFields, `{"TO.GROUP":"`+victim.Department+`","TARGET_OBJECT.USER":"`+victim.Name+`"}`)
		}
		row.sym(cApplication, symActiveDirectory)
		row.str(cTargetAccountUpn, victim.Upn)
		row.str(cTargetAccountDisplay, victim.DisplayName)
		row.str(cDestinationDeviceName, o.DC.Name)
		row.str(cDestinationIPAddress, o.DC.IP)
		s.emit(row)
	default:
		s.logonRow(ds, now, symLogonSuccess, symNetworkLogon, acct, symKerberos, ws, ds.lsass, r.between(100_000, 90_000_000), "")
	}
}

var (
	cQueryType   = col("QueryType")
	cQueryTarget = col("QueryTarget")
	cQuery       = col("Query")
)

// adminRDP has an administrator open a remote desktop session on a
// server during working hours, and do a little there.
func (s *shard) adminRDP(ds *devState, now int64) {
	r := s.r
	h, wd := localHour(now, ds.d.Site)
	if wd == 0 || wd == 6 || h < 8 || h > 18 || !r.chance(0.05) {
		s.winBackground(ds, now)
		return
	}
	admins := s.g.world.admins
	admin := admins[r.intn(len(admins))]
	acct := s.g.accts[admin.Index]
	from := admin.Device
	logonID := r.between(100_000, 90_000_000)
	if from != nil {
		s.logonRow(ds, now, symLogonSuccess, symRemoteInter, acct, symKerberos, from, ds.lsass, logonID, "")
	}
	s.idLogon(now, symLogonSuccess, acct, symRemoteDesktop, symKerberos, from, ds.d, "")
	t := now + int64(r.between(1, 4))*usSecond
	rdpclip := s.startProc(ds, cat.mustName("rdpclip.exe"), ds.svcSched, acct, newSym("rdpclip"), t, nil)
	rdpclip.logonID = logonID
	ex := s.newProc(ds, cat.mustName("explorer.exe"), ds.winlogon, acct, newSym(`C:\Windows\Explorer.EXE`), t)
	ex.logonID, ex.sessionID = logonID, 2
	ex.integ, ex.elev = integHigh, elevFull
	t += int64(r.between(20, 300)) * usSecond
	spec := s.g.world.adminApp.pick(r)
	p := s.startProc(ds, spec.img, ex, acct, s.expandCmd(spec.cmd, ds, ds.img(spec.img), ex), t, spec.dlls)
	p.integ, p.elev = integHigh, elevFull
}
