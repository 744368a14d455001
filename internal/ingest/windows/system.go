package windows

// systemMappers map System-channel events.
var systemMappers = map[int32]mapper{
	7045: systemServiceInstalled,
}

// systemServiceInstalled maps the Service Control Manager's 7045, which
// every host logs (4697 needs an audit policy). The installing account is
// the event's System UserID.
func systemServiceInstalled(x *emitter) {
	e := x.e
	r := x.device("DeviceEvents", "ServiceInstalled")
	x.service(r, "ServiceName", "ImagePath", "ServiceType", "StartType", "AccountName")
	r.SetString("InitiatingProcessAccountSid", sid(clean(e.UserID)))
	r.SetString("InitiatingProcessAccountName", clean(e.UserName))
	r.SetString("InitiatingProcessAccountDomain", clean(e.UserDomain))
}
