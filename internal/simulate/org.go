package simulate

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Config describes the simulated organisation and how it is generated.
// The zero value of each field means its default.
type Config struct {
	// Devices counts every device: DC01, MAIL01, servers and workstations
	// (default 50, at least 8 so that an attack has somewhere to spread).
	Devices int
	// Users counts people (default 60, at least 6); service accounts come
	// on top.
	Users int
	// Seed fixes everything: the same seed and sizes give the same bytes.
	Seed uint64
	// Start is where the simulated clock begins (default Monday
	// 2025-03-03 08:00 UTC). Generation never reads the wall clock.
	Start time.Time
	// Domain is the Active Directory DNS domain (default
	// "corp.contoso.test"); mail uses its parent ("contoso.test").
	Domain string
	// Tables, when set, restricts output to these tables.
	Tables []string
	// DecoyAccount and DecoyHost name the deception assets the decoy
	// scenario touches (defaults "svc-backup-legacy", "FS-ARCHIVE-02").
	DecoyAccount string
	DecoyHost    string
	// BatchRows is the size of the batches handed to a Sink (default
	// 50,000).
	BatchRows int
	// Workers is how many goroutines generate (default GOMAXPROCS). The
	// output does not depend on it.
	Workers int
	// Clock paces Stream; nil means the wall clock.
	Clock Clock
	// NoScenarios turns off the automatic schedule of the shipped
	// scenarios (Schedule still works).
	NoScenarios bool
}

const (
	minDevices = 8
	minUsers   = 6
)

// DefaultStart is the simulated clock's default origin: a Monday morning.
var DefaultStart = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)

func (c Config) withDefaults() Config {
	if c.Devices == 0 {
		c.Devices = 50
	}
	c.Devices = max(c.Devices, minDevices)
	if c.Users == 0 {
		c.Users = 60
	}
	c.Users = max(c.Users, minUsers)
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC().Truncate(time.Microsecond)
	if c.Domain == "" {
		c.Domain = "corp.contoso.test"
	}
	c.Domain = strings.ToLower(c.Domain)
	if c.DecoyAccount == "" {
		c.DecoyAccount = "svc-backup-legacy"
	}
	if c.DecoyHost == "" {
		c.DecoyHost = "FS-ARCHIVE-02"
	}
	if c.BatchRows <= 0 {
		c.BatchRows = 50_000
	}
	return c
}

// Org is the simulated organisation: its sites, devices, people, service
// accounts and SaaS apps. It is fixed once built; the generator keeps the
// moving state (processes, sessions, clocks) separately.
type Org struct {
	Config Config

	Name       string // "Contoso"
	Domain     string // AD DNS domain, "corp.contoso.test"
	NetBIOS    string // "CONTOSO"
	MailDomain string // "contoso.test"
	DomainSID  string // S-1-5-21-a-b-c
	TenantID   string // Entra ID tenant

	Sites           []*Site
	Devices         []*Device
	Users           []*User // people
	ServiceAccounts []*User // accounts with Role "service"
	Apps            []*App

	DC   *Device
	Mail *Device

	// Deception assets: an account and a host that exist only as bait.
	DecoyAccount  string // sAMAccountName
	DecoyHost     string // NetBIOS name
	DecoyHostFQDN string
	DecoyIP       string
}

// Site is an office with its own subnet and internet egress address.
type Site struct {
	Name        string
	City        string
	Country     string // ISO 3166 alpha-2
	UTCOffset   int    // hours; no daylight saving in the simulation
	SubnetOctet int    // workstations live in 10.<octet>.x.y
	EgressIP    string // documentation range, stands for the public NAT address
}

// Device roles.
const (
	RoleWorkstation = "workstation"
	RoleServer      = "server"
	RoleDC          = "dc"
	RoleMail        = "mail"
)

// Device is a machine with a Defender-style sensor.
type Device struct {
	Index int
	ID    string // 40 hex digits, stable for the seed
	Name  string // lower-case FQDN, as DeviceName
	Host  string // NetBIOS name, upper case
	// OS is "Windows" or "Linux"; OSPlatform is Defender's value
	// (Windows11, WindowsServer2022, Linux).
	OS             string
	OSPlatform     string
	OSVersion      string
	OSBuild        int64
	OSVersionInfo  string
	OSDistribution string
	Role           string // workstation, server, dc, mail
	Function       string // file, sql, app, web, build, backup, ... for servers
	IP             string
	MAC            string
	Site           *Site
	Owner          *User // primary user of a workstation
	AadDeviceID    string
	Vendor         string
	Model          string
}

// IsWindows reports whether the device runs Windows.
func (d *Device) IsWindows() bool { return d.OS == "Windows" }

// User roles.
const (
	UserEmployee  = "employee"
	UserFinance   = "finance"
	UserExecutive = "executive"
	UserAdmin     = "admin"
	UserService   = "service"
)

// User is a person or a service account in the directory.
type User struct {
	Index       int
	Name        string // sAMAccountName
	GivenName   string
	Surname     string
	DisplayName string
	Upn         string
	Email       string
	SID         string
	ObjectID    string // Entra ID object id
	Department  string
	JobTitle    string
	Role        string
	Groups      []string
	Site        *Site
	Device      *Device // primary workstation, if any
	Manager     *User
	EmployeeID  string
	Created     time.Time
	// SPN is set for service accounts that run a service (and so can be
	// Kerberoasted).
	SPN string
}

// IsAdmin reports membership of Domain Admins.
func (u *User) IsAdmin() bool {
	for _, g := range u.Groups {
		if g == "Domain Admins" {
			return true
		}
	}
	return false
}

// App is a SaaS application seen by the cloud-app connector.
type App struct {
	Name       string // Defender for Cloud Apps name
	ID         int32  // Defender for Cloud Apps application id
	EntraAppID string // Entra ID application (client) id for sign-ins
	EntraName  string
}

// NewOrg builds the organisation for a configuration. Sizes below the
// minimums are raised to them.
func NewOrg(cfg Config) *Org {
	cfg = cfg.withDefaults()
	r := newRNG(cfg.Seed, hashString("org"))
	o := &Org{Config: cfg, Domain: cfg.Domain}
	labels := strings.Split(cfg.Domain, ".")
	o.MailDomain = cfg.Domain
	if len(labels) >= 3 {
		o.MailDomain = strings.Join(labels[1:], ".")
	}
	mailLabels := strings.Split(o.MailDomain, ".")
	o.NetBIOS = strings.ToUpper(mailLabels[0])
	if len(o.NetBIOS) > 15 {
		o.NetBIOS = o.NetBIOS[:15]
	}
	o.Name = strings.ToUpper(mailLabels[0][:1]) + mailLabels[0][1:]
	o.DomainSID = "S-1-5-21-" + strconv.FormatInt(r.between(1_000_000_000, 4_000_000_000), 10) + "-" +
		strconv.FormatInt(r.between(1_000_000_000, 4_000_000_000), 10) + "-" +
		strconv.FormatInt(r.between(1_000_000_000, 4_000_000_000), 10)
	o.TenantID = r.guid()
	o.Sites = []*Site{
		{Name: "London", City: "London", Country: "GB", UTCOffset: 0, SubnetOctet: 10, EgressIP: "198.51.100.10"},
		{Name: "New York", City: "New York", Country: "US", UTCOffset: -5, SubnetOctet: 30, EgressIP: "198.51.100.40"},
	}
	o.Apps = []*App{
		{Name: "Microsoft Exchange Online", ID: 20893, EntraAppID: "00000002-0000-0ff1-ce00-000000000000", EntraName: "Office 365 Exchange Online"},
		{Name: "Microsoft SharePoint Online", ID: 20892, EntraAppID: "00000003-0000-0ff1-ce00-000000000000", EntraName: "Office 365 SharePoint Online"},
		{Name: "Microsoft OneDrive for Business", ID: 15600, EntraAppID: "00000003-0000-0ff1-ce00-000000000000", EntraName: "Office 365 SharePoint Online"},
		{Name: "Microsoft Teams", ID: 28375, EntraAppID: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", EntraName: "Microsoft Teams"},
		{Name: "Amazon Web Services", ID: 11599, EntraAppID: "c6a7e1f5-7a65-4b8e-9d3b-5f0e2a1c3d44", EntraName: "AWS Single-Account Access"},
	}
	o.buildUsers(r)
	o.buildDevices(r)
	o.DecoyAccount = strings.ToLower(cfg.DecoyAccount)
	o.DecoyHost = strings.ToUpper(cfg.DecoyHost)
	o.DecoyHostFQDN = strings.ToLower(cfg.DecoyHost) + "." + o.Domain
	o.DecoyIP = "10.20.0.250"
	return o
}

func (o *Org) buildUsers(r *rng) {
	n := o.Config.Users
	taken := map[string]int{}
	created := o.Config.Start.AddDate(-3, 0, 0)
	deptWeights := make([]float64, len(departments))
	for i, d := range departments {
		deptWeights[i] = d.weight
	}
	depts := newAlias(deptWeights)
	admins := max(2, n/25)
	finance := max(2, n/10)
	for i := 0; i < n; i++ {
		given := givenNames[r.intn(len(givenNames))]
		sur := surnames[r.intn(len(surnames))]
		u := &User{Index: i, GivenName: given, Surname: sur, DisplayName: given + " " + sur}
		base := strings.ToLower(given[:1] + sur)
		local := strings.ToLower(given + "." + sur)
		if k := taken[base]; k > 0 {
			base += strconv.Itoa(k + 1)
			local += strconv.Itoa(k + 1)
		}
		taken[strings.ToLower(given[:1]+sur)]++
		u.Name = base
		u.Upn = local + "@" + o.MailDomain
		u.Email = u.Upn
		u.SID = o.DomainSID + "-" + strconv.Itoa(1104+i)
		u.ObjectID = r.guid()
		u.EmployeeID = strconv.Itoa(10000 + i)
		u.Created = created.Add(time.Duration(r.intn(900*24)) * time.Hour)
		u.Groups = []string{"Domain Users"}
		switch {
		case i == 0:
			u.Role, u.Department, u.JobTitle = UserExecutive, "Executive", "Chief Executive Officer"
		case i == 1:
			u.Role, u.Department, u.JobTitle = UserExecutive, "Finance", "Chief Financial Officer"
		case i < 2+admins:
			u.Role, u.Department, u.JobTitle = UserAdmin, "IT", "Systems Administrator"
			u.Groups = append(u.Groups, "Domain Admins", "IT")
		case i < 2+admins+finance:
			u.Role, u.Department = UserFinance, "Finance"
			u.JobTitle = []string{"Accountant", "Accounts Payable Specialist", "Financial Analyst", "Payroll Specialist"}[r.intn(4)]
			u.Groups = append(u.Groups, "Finance")
		default:
			d := departments[depts.pick(r)]
			u.Role, u.Department, u.JobTitle = UserEmployee, d.name, d.titles[r.intn(len(d.titles))]
			u.Groups = append(u.Groups, d.name)
		}
		if u.Role == UserExecutive {
			u.Groups = append(u.Groups, "Executives")
		}
		u.Site = o.Sites[0]
		if i%10 >= 7 {
			u.Site = o.Sites[1]
		}
		o.Users = append(o.Users, u)
	}
	for _, u := range o.Users[1:] {
		u.Manager = o.Users[0]
	}
	services := []struct{ name, spn, display string }{
		{"svc-sql", "MSSQLSvc/sql01." + o.Domain + ":1433", "SQL Server service"},
		{"svc-web", "HTTP/web01." + o.Domain, "Intranet web service"},
		{"svc-sharepoint", "HTTP/sharepoint." + o.Domain, "SharePoint farm service"},
		{"svc-crm", "HTTP/crm." + o.Domain, "CRM application service"},
		{"svc-reporting", "MSSQLSvc/sql01." + o.Domain + ":2383", "Reporting services"},
		{"svc-adfs", "HTTP/sts." + o.Domain, "Federation service"},
		{"svc-jenkins", "HTTP/build01." + o.Domain, "Build automation service"},
		{"svc-exchange", "exchangeAB/mail01." + o.Domain, "Mail relay service"},
		{"svc-backup", "", "Backup service"},
	}
	for i, s := range services {
		u := &User{Index: n + i, Name: s.name, GivenName: s.display, DisplayName: s.display, Role: UserService,
			Upn: s.name + "@" + o.MailDomain, SID: o.DomainSID + "-" + strconv.Itoa(1100-len(services)+i),
			ObjectID: r.guid(), Department: "IT", JobTitle: "Service account", SPN: s.spn,
			Groups: []string{"Domain Users", "Service Accounts"}, Site: o.Sites[0], Created: created}
		o.ServiceAccounts = append(o.ServiceAccounts, u)
	}
}

func (o *Org) buildDevices(r *rng) {
	n := o.Config.Devices
	winServers := max(2, n*15/100)
	linServers := max(2, n*10/100)
	ws := n - 2 - winServers - linServers
	if ws < 2 {
		ws = 2
		winServers = n - 2 - linServers - ws
	}
	add := func(host, role, function, os string, site *Site, ip string) *Device {
		d := &Device{Index: len(o.Devices), Host: host, Name: strings.ToLower(host) + "." + o.Domain,
			Role: role, Function: function, OS: os, Site: site, IP: ip}
		d.ID = hexID(o.Config.Seed, "device:"+d.Name, 40)
		d.AadDeviceID = r.guid()
		mac := mix64(o.Config.Seed ^ hashString("mac:"+d.Name))
		d.MAC = strings.ToUpper(hex.EncodeToString([]byte{0x00, 0x15, 0x5d, byte(mac), byte(mac >> 8), byte(mac >> 16)}))
		switch {
		case os == "Linux":
			d.OSPlatform, d.OSDistribution, d.OSVersionInfo, d.OSVersion = "Linux", "Ubuntu", "22.04", "22.04"
			d.Vendor, d.Model = "Microsoft Corporation", "Virtual Machine"
		case role == RoleWorkstation:
			d.OSPlatform, d.OSVersion, d.OSBuild, d.OSVersionInfo, d.OSDistribution = "Windows11", "10.0", 22631, "23H2", "Windows11"
			d.Vendor = []string{"Dell Inc.", "LENOVO", "HP"}[r.intn(3)]
			d.Model = map[string]string{"Dell Inc.": "Latitude 7440", "LENOVO": "ThinkPad T14 Gen 4", "HP": "EliteBook 840 G10"}[d.Vendor]
		default:
			d.OSPlatform, d.OSVersion, d.OSBuild, d.OSVersionInfo, d.OSDistribution = "WindowsServer2022", "10.0", 20348, "21H2", "WindowsServer2022"
			d.Vendor, d.Model = "Microsoft Corporation", "Virtual Machine"
		}
		o.Devices = append(o.Devices, d)
		return d
	}
	dcSite := o.Sites[0]
	o.DC = add("DC01", RoleDC, "dc", "Windows", dcSite, "10.20.0.10")
	o.Mail = add("MAIL01", RoleMail, "mail", "Linux", dcSite, "10.20.1.25")
	winNames := []string{"FS01", "SQL01", "APP01", "PRINT01", "WSUS01", "BACKUP01"}
	winFuncs := []string{"file", "sql", "app", "print", "update", "backup"}
	for i := 0; i < winServers; i++ {
		host, fn := "SRV"+pad(i+1, 3), "app"
		if i < len(winNames) {
			host, fn = winNames[i], winFuncs[i]
		}
		add(host, RoleServer, fn, "Windows", dcSite, "10.20.0."+strconv.Itoa(30+i))
	}
	linNames := []string{"WEB01", "BUILD01", "DB02", "MON01"}
	linFuncs := []string{"web", "build", "db", "monitoring"}
	for i := 0; i < linServers; i++ {
		host, fn := "LNX"+pad(i+1, 3), "app"
		if i < len(linNames) {
			host, fn = linNames[i], linFuncs[i]
		}
		add(host, RoleServer, fn, "Linux", dcSite, "10.20.1."+strconv.Itoa(30+i))
	}
	// Hand out workstations across roles first, so that even a small
	// organisation has an employee, a finance clerk, an admin and an
	// executive at a keyboard.
	var order []*User
	groups := map[string][]*User{}
	for _, u := range o.Users {
		groups[u.Role] = append(groups[u.Role], u)
	}
	for k := 0; len(order) < len(o.Users); k++ {
		for _, role := range []string{UserEmployee, UserFinance, UserAdmin, UserExecutive} {
			if k < len(groups[role]) {
				order = append(order, groups[role][k])
			}
		}
	}
	for i := 0; i < ws; i++ {
		owner := order[i%len(order)]
		site := owner.Site
		k := i + 10
		ip := "10." + strconv.Itoa(site.SubnetOctet) + "." + strconv.Itoa(1+k/250) + "." + strconv.Itoa(k%250+2)
		d := add("WS"+pad(i+1, 4), RoleWorkstation, "", "Windows", site, ip)
		d.Owner = owner
		if owner.Device == nil {
			owner.Device = d
		}
	}
}

// DevicesByRole returns the devices with a role.
func (o *Org) DevicesByRole(role string) []*Device {
	var out []*Device
	for _, d := range o.Devices {
		if d.Role == role {
			out = append(out, d)
		}
	}
	return out
}

// Device returns the device with a NetBIOS name or FQDN (case-insensitive).
func (o *Org) Device(name string) *Device {
	for _, d := range o.Devices {
		if strings.EqualFold(d.Host, name) || strings.EqualFold(d.Name, name) {
			return d
		}
	}
	return nil
}

// User returns the account with a sAMAccountName or UPN (case-insensitive).
func (o *Org) User(name string) *User {
	for _, u := range append(o.Users[:len(o.Users):len(o.Users)], o.ServiceAccounts...) {
		if strings.EqualFold(u.Name, name) || strings.EqualFold(u.Upn, name) {
			return u
		}
	}
	return nil
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// hexID derives a stable identifier of n hex digits from the seed and a
// name, the shape of Defender's DeviceId.
func hexID(seed uint64, name string, n int) string {
	var b []byte
	h := mix64(seed ^ hashString(name))
	for len(b)*2 < n {
		h = mix64(h)
		for i := 0; i < 8; i++ {
			b = append(b, byte(h>>(8*i)))
		}
	}
	return hex.EncodeToString(b)[:n]
}

// guid returns a random version-4 GUID in canonical form.
func (r *rng) guid() string {
	var b [36]byte
	r.appendGUID(b[:0])
	return string(b[:])
}

func (r *rng) appendGUID(dst []byte) []byte {
	a, c := r.u64(), r.u64()
	a = a&^(0xf<<12) | 0x4<<12 // version 4
	c = c&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(a >> (56 - 8*i))
		raw[8+i] = byte(c >> (56 - 8*i))
	}
	var out [36]byte
	hex.Encode(out[0:8], raw[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], raw[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], raw[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], raw[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], raw[10:16])
	return append(dst, out[:]...)
}
