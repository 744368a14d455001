package simulate

// Row fillers shared by the benign model and scenario rows: they set the
// column groups Defender fills together.

// initiating fills the InitiatingProcess* columns from p.
func (r *row) initiating(p *proc) {
	if p == nil {
		return
	}
	if r.fast && len(r.t.runs) > 0 {
		r.ip = p
		return
	}
	im := p.img
	r.sym(cIPFileName, im.name)
	r.sym(cIPFolderPath, im.path)
	r.sym(cIPSHA1, im.sha1)
	r.sym(cIPSHA256, im.sha256)
	r.sym(cIPMD5, im.md5)
	r.int(cIPFileSize, im.size)
	if im.company != nil {
		r.sym(cIPCompany, im.company)
		r.sym(cIPProduct, im.product)
		r.sym(cIPVersion, im.version)
		r.sym(cIPInternal, im.internal)
		r.sym(cIPOriginal, im.original)
		r.sym(cIPDescription, im.desc)
	}
	r.int(cIPId, p.pid)
	r.sym(cIPCommandLine, p.cmd)
	r.time(cIPCreationTime, p.created)
	if pp := p.parent; pp != nil {
		r.int(cIPParentId, pp.pid)
		r.sym(cIPParentFileName, pp.img.name)
		r.time(cIPParentCreation, pp.created)
	}
	if a := p.acct; a != nil {
		r.sym(cIPAccountDomain, a.domain)
		r.sym(cIPAccountName, a.name)
		r.sym(cIPAccountSid, a.sid)
		r.sym(cIPAccountUpn, a.upn)
		r.sym(cIPAccountObjectId, a.objectID)
	}
	r.sym(cIPIntegrity, p.integ)
	r.sym(cIPElevation, p.elev)
	if p.logonID != 0 {
		r.int(cIPLogonId, p.logonID)
	}
	if !p.img.linux {
		r.int(cIPSessionId, p.sessionID)
		r.bool(cIPRemoteSession, false)
	}
}

// created fills the columns of DeviceProcessEvents that describe the new
// process.
func (r *row) created(p *proc) {
	im := p.img
	r.sym(cFileName, im.name)
	r.sym(cFolderPath, im.path)
	r.sym(cSHA1, im.sha1)
	r.sym(cSHA256, im.sha256)
	r.sym(cMD5, im.md5)
	r.int(cFileSize, im.size)
	if im.company != nil {
		r.sym(cProcCompany, im.company)
		r.sym(cProcProduct, im.product)
		r.sym(cProcVersion, im.version)
		r.sym(cProcInternal, im.internal)
		r.sym(cProcOriginal, im.original)
		r.sym(cProcDescription, im.desc)
	}
	r.int(cProcessId, p.pid)
	r.sym(cProcessCommandLine, p.cmd)
	r.sym(cProcessIntegrity, p.integ)
	r.sym(cProcessElevation, p.elev)
	r.time(cProcessCreationTime, p.created)
	r.account(p.acct)
	if p.logonID != 0 {
		r.int(cLogonId, p.logonID)
	}
}

// account fills the Account* columns a table has.
func (r *row) account(a *account) {
	if a == nil {
		return
	}
	r.sym(cAccountDomain, a.domain)
	r.sym(cAccountName, a.name)
	r.sym(cAccountSid, a.sid)
	r.sym(cAccountUpn, a.upn)
	r.sym(cAccountObjectId, a.objectID)
	r.sym(cAccountDisplayName, a.display)
}

// image fills the file columns from a binary.
func (r *row) image(im *image) {
	r.sym(cFileName, im.name)
	r.sym(cFolderPath, im.path)
	r.sym(cSHA1, im.sha1)
	r.sym(cSHA256, im.sha256)
	r.sym(cMD5, im.md5)
	r.int(cFileSize, im.size)
}

var (
	symPrivate = newSym("Private")
	symPublic  = newSym("Public")
	symTcp     = newSym("Tcp")
)

// ipType is the *IPType value for a simulated address: the documentation
// ranges stand for the internet, so they are Public here.
func ipType(public bool) *sym {
	if public {
		return symPublic
	}
	return symPrivate
}
