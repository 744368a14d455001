package simulate

import (
	"github.com/vigilsec/vigil/internal/jsonenc"
	"strconv"
	"strings"
)

// image is an executable or library as Defender describes it: path,
// hashes, size and version information. Hashes are derived from the path
// and version, so the same binary has the same hash on every device and in
// every run, as in a real fleet.
type image struct {
	id       int
	name     *sym // file name
	path     *sym // full path, Defender's FolderPath
	pathTmpl string
	lname    string // lower-case file name
	sha1     *sym
	sha256   *sym
	md5      *sym
	size     int64
	company  *sym
	product  *sym
	version  *sym
	internal *sym
	original *sym
	desc     *sym
	linux    bool
	perUser  bool // path under a user profile: instantiated per device
}

type imageDef struct {
	path, company, product, version, desc string
	size                                  int64
}

const (
	msCorp = "Microsoft Corporation"
	msOS   = "Microsoft® Windows® Operating System"
	osVer  = "10.0.22621.3527"
	office = "Microsoft Office"
	offVer = "16.0.17328.20162"
)

// The Windows binaries the simulation runs. {user} is the profile name.
var windowsImages = []imageDef{
	{`C:\Windows\System32\ntoskrnl.exe`, msCorp, msOS, osVer, "NT Kernel & System", 11_296_048},
	{`C:\Windows\System32\smss.exe`, msCorp, msOS, osVer, "Windows Session Manager", 159_744},
	{`C:\Windows\System32\csrss.exe`, msCorp, msOS, osVer, "Client Server Runtime Process", 20_480},
	{`C:\Windows\System32\wininit.exe`, msCorp, msOS, osVer, "Windows Start-Up Application", 446_464},
	{`C:\Windows\System32\services.exe`, msCorp, msOS, osVer, "Services and Controller app", 724_992},
	{`C:\Windows\System32\lsass.exe`, msCorp, msOS, osVer, "Local Security Authority Process", 86_344},
	{`C:\Windows\System32\winlogon.exe`, msCorp, msOS, osVer, "Windows Logon Application", 905_216},
	{`C:\Windows\System32\svchost.exe`, msCorp, msOS, osVer, "Host Process for Windows Services", 57_360},
	{`C:\Windows\System32\userinit.exe`, msCorp, msOS, osVer, "Userinit Logon Application", 32_768},
	{`C:\Windows\explorer.exe`, msCorp, msOS, osVer, "Windows Explorer", 5_582_464},
	{`C:\Windows\System32\dwm.exe`, msCorp, msOS, osVer, "Desktop Window Manager", 94_208},
	{`C:\Windows\System32\taskhostw.exe`, msCorp, msOS, osVer, "Host Process for Windows Tasks", 101_888},
	{`C:\Windows\System32\RuntimeBroker.exe`, msCorp, msOS, osVer, "Runtime Broker", 135_168},
	{`C:\Windows\System32\backgroundTaskHost.exe`, msCorp, msOS, osVer, "Background Task Host", 32_768},
	{`C:\Windows\System32\dllhost.exe`, msCorp, msOS, osVer, "COM Surrogate", 20_768},
	{`C:\Windows\System32\conhost.exe`, msCorp, msOS, osVer, "Console Window Host", 864_256},
	{`C:\Windows\System32\sihost.exe`, msCorp, msOS, osVer, "Shell Infrastructure Host", 131_072},
	{`C:\Windows\System32\ctfmon.exe`, msCorp, msOS, osVer, "CTF Loader", 20_480},
	{`C:\Windows\System32\SearchProtocolHost.exe`, msCorp, msOS, osVer, "Microsoft Windows Search Protocol Host", 421_888},
	{`C:\Windows\System32\SearchIndexer.exe`, msCorp, msOS, osVer, "Microsoft Windows Search Indexer", 1_040_384},
	{`C:\Windows\System32\spoolsv.exe`, msCorp, msOS, osVer, "Spooler SubSystem App", 929_792},
	{`C:\Windows\System32\smartscreen.exe`, msCorp, msOS, osVer, "Windows Defender SmartScreen", 2_871_296},
	{`C:\Windows\System32\consent.exe`, msCorp, msOS, osVer, "Consent UI for administrative applications", 151_552},
	{`C:\Windows\System32\cmd.exe`, msCorp, msOS, osVer, "Windows Command Processor", 323_584},
	{`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, msCorp, msOS, osVer, "Windows PowerShell", 455_680},
	{`C:\Windows\System32\wbem\WmiPrvSE.exe`, msCorp, msOS, osVer, "WMI Provider Host", 495_616},
	{`C:\Windows\System32\wbem\WMIC.exe`, msCorp, msOS, osVer, "WMI Commandline Utility", 569_344},
	{`C:\Windows\System32\rundll32.exe`, msCorp, msOS, osVer, "Windows host process (Rundll32)", 71_680},
	{`C:\Windows\System32\regsvr32.exe`, msCorp, msOS, osVer, "Microsoft(C) Register Server", 25_600},
	{`C:\Windows\System32\msiexec.exe`, msCorp, msOS, osVer, "Windows® installer", 69_632},
	{`C:\Windows\System32\net.exe`, msCorp, msOS, osVer, "Net Command", 57_344},
	{`C:\Windows\System32\net1.exe`, msCorp, msOS, osVer, "Net Command", 172_032},
	{`C:\Windows\System32\whoami.exe`, msCorp, msOS, osVer, "whoami - displays logged on user information", 73_728},
	{`C:\Windows\System32\nltest.exe`, msCorp, msOS, osVer, "Microsoft® Logon Server Test Utility", 94_208},
	{`C:\Windows\System32\ipconfig.exe`, msCorp, msOS, osVer, "IP Configuration Utility", 36_864},
	{`C:\Windows\System32\PING.EXE`, msCorp, msOS, osVer, "TCP/IP Ping Command", 22_528},
	{`C:\Windows\System32\gpupdate.exe`, msCorp, msOS, osVer, "Microsoft® Group Policy Update Utility", 29_184},
	{`C:\Windows\System32\schtasks.exe`, msCorp, msOS, osVer, "Task Scheduler Configuration Tool", 235_520},
	{`C:\Windows\System32\sc.exe`, msCorp, msOS, osVer, "Service Control Manager Configuration Tool", 71_168},
	{`C:\Windows\System32\reg.exe`, msCorp, msOS, osVer, "Registry Console Tool", 77_824},
	{`C:\Windows\System32\tasklist.exe`, msCorp, msOS, osVer, "Lists the current running tasks", 98_304},
	{`C:\Windows\System32\vssadmin.exe`, msCorp, msOS, osVer, "Command Line Interface for Microsoft® Volume Shadow Copy Service", 139_264},
	{`C:\Windows\System32\wbadmin.exe`, msCorp, msOS, osVer, "Command Line Interface for Microsoft® BLB Backup", 311_296},
	{`C:\Windows\System32\bcdedit.exe`, msCorp, msOS, osVer, "Boot Configuration Data Editor", 520_192},
	{`C:\Windows\System32\mstsc.exe`, msCorp, msOS, osVer, "Remote Desktop Connection", 1_318_912},
	{`C:\Windows\System32\rdpclip.exe`, msCorp, msOS, osVer, "RDP Clipboard Monitor", 557_056},
	{`C:\Windows\System32\notepad.exe`, msCorp, msOS, osVer, "Notepad", 201_216},
	{`C:\Windows\System32\mmc.exe`, msCorp, msOS, osVer, "Microsoft Management Console", 1_839_104},
	{`C:\Windows\System32\certutil.exe`, msCorp, msOS, osVer, "CertUtil.exe", 1_596_928},
	{`C:\Windows\System32\MoUsoCoreWorker.exe`, msCorp, msOS, osVer, "MoUSO Core Worker Process", 1_011_712},
	{`C:\Windows\System32\wuauclt.exe`, msCorp, msOS, osVer, "Windows Update", 102_400},
	{`C:\Windows\System32\CompatTelRunner.exe`, msCorp, msOS, osVer, "Microsoft Compatibility Telemetry", 266_240},
	{`C:\Windows\System32\dns.exe`, msCorp, msOS, osVer, "Domain Name System (DNS) Server", 2_797_568},
	{`C:\Windows\System32\dfsrs.exe`, msCorp, msOS, osVer, "Distributed File System Replication", 3_420_160},
	{`C:\Windows\System32\inetsrv\w3wp.exe`, msCorp, "Internet Information Services", osVer, "IIS Worker Process", 31_232},
	{`C:\Windows\ADWS\Microsoft.ActiveDirectory.WebServices.exe`, msCorp, msOS, osVer, "Microsoft.ActiveDirectory.WebServices", 355_840},
	{`C:\Windows\servicing\TrustedInstaller.exe`, msCorp, msOS, osVer, "Windows Modules Installer", 143_360},
	{`C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.3520_none_7b5b0ea6d0a3b2f1\TiWorker.exe`, msCorp, msOS, osVer, "Windows Modules Installer Worker", 233_472},
	{`C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe`, msCorp, msOS, "4.18.24090.11", "Antimalware Service Executable", 133_512},
	{`C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe`, msCorp, msOS, "4.18.24090.11", "Microsoft Malware Protection Command Line Utility", 1_595_296},
	{`C:\Program Files\Windows Defender Advanced Threat Protection\MsSense.exe`, msCorp, msOS, "10.8760.22621.3527", "Windows Defender Advanced Threat Protection Service Executable", 4_781_936},
	{`C:\Program Files\Windows Defender Advanced Threat Protection\SenseCncProxy.exe`, msCorp, msOS, "10.8760.22621.3527", "Windows Defender Advanced Threat Protection Communication Module", 1_265_504},
	{`C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, msCorp, office, offVer, "Microsoft Word", 1_625_472},
	{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, msCorp, office, offVer, "Microsoft Excel", 69_982_592},
	{`C:\Program Files\Microsoft Office\root\Office16\POWERPNT.EXE`, msCorp, office, offVer, "Microsoft PowerPoint", 1_882_496},
	{`C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, msCorp, office, offVer, "Microsoft Outlook", 44_064_640},
	{`C:\Program Files\Microsoft Office\root\Office16\ONENOTE.EXE`, msCorp, office, offVer, "Microsoft OneNote", 3_196_800},
	{`C:\Program Files\Microsoft Office\root\Office16\ai.exe`, msCorp, office, offVer, "Artificial Intelligence (AI) Host for the Microsoft® Windows® Operating System and Platform x64.", 1_503_616},
	{`C:\Program Files\Common Files\microsoft shared\ClickToRun\OfficeClickToRun.exe`, msCorp, office, offVer, "Microsoft Office Click-to-Run", 11_982_240},
	{`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, msCorp, "Microsoft Edge", "124.0.2478.80", "Microsoft Edge", 4_048_288},
	{`C:\Program Files (x86)\Microsoft\EdgeWebView\Application\124.0.2478.80\msedgewebview2.exe`, msCorp, "Microsoft Edge WebView2", "124.0.2478.80", "Microsoft Edge WebView2", 3_326_880},
	{`C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`, msCorp, "Microsoft Edge Update", "1.3.187.41", "Microsoft Edge Update", 213_888},
	{`C:\Program Files\Google\Chrome\Application\chrome.exe`, "Google LLC", "Google Chrome", "124.0.6367.119", "Google Chrome", 2_926_368},
	{`C:\Program Files (x86)\Google\Update\GoogleUpdate.exe`, "Google LLC", "Google Update", "1.3.36.372", "Google Installer", 159_048},
	{`C:\Program Files\WindowsApps\MSTeams_24091.214.2846.1452_x64__8wekyb3d8bbwe\ms-teams.exe`, msCorp, "Microsoft Teams", "24091.214.2846.1452", "Microsoft Teams", 1_074_648},
	{`C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe`, msCorp, "Microsoft OneDrive", "24.076.0414.0003", "Microsoft OneDrive", 3_652_960},
	{`C:\Users\{user}\AppData\Roaming\Zoom\bin\Zoom.exe`, "Zoom Video Communications, Inc.", "Zoom", "5.17.11.34827", "Zoom Meetings", 438_128},
	{`C:\Users\{user}\AppData\Local\Programs\Microsoft VS Code\Code.exe`, msCorp, "Visual Studio Code", "1.89.1", "Visual Studio Code", 158_429_592},
	{`C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe`, "Adobe Inc.", "Adobe Acrobat", "24.2.20759.0", "Adobe Acrobat", 6_574_184},
	{`C:\Program Files\Notepad++\notepad++.exe`, "Notepad++ Team", "Notepad++", "8.6.5", "Notepad++", 6_390_816},
	{`C:\Program Files\7-Zip\7zFM.exe`, "Igor Pavlov", "7-Zip", "23.01", "7-Zip File Manager", 964_608},
	{`C:\Program Files\PuTTY\putty.exe`, "Simon Tatham", "PuTTY suite", "Release 0.81", "SSH, Telnet, Rlogin, and SUPDUP client", 1_656_872},
	{`C:\Program Files (x86)\WinSCP\WinSCP.exe`, "Martin Prikryl", "WinSCP", "6.3.3.0", "WinSCP: SFTP, FTP, WebDAV, S3 and SCP client", 26_873_864},
	{`C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe`, msCorp, "Microsoft SQL Server", "2022.160.4105.2", "SQL Server Windows NT - 64 Bit", 652_312},
	{`C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\SQLAGENT.EXE`, msCorp, "Microsoft SQL Server", "2022.160.4105.2", "SQLAGENT - SQL Server Agent", 677_400},
	{`C:\Program Files\Contoso\BackupAgent\BackupAgent.exe`, "Contoso Ltd", "Contoso Backup", "4.2.0.118", "Contoso Backup Agent", 3_174_912},
	{`C:\Program Files\Contoso\Timesheet\Timesheet.exe`, "Contoso Ltd", "Contoso Timesheet", "2.8.1.0", "Contoso Timesheet", 9_348_096},
	// Tools an attacker brings or abuses.
	{`C:\Windows\PSEXESVC.exe`, "Sysinternals", "Sysinternals PsExec", "2.43", "PsExec Service", 196_976},
	{`C:\ProgramData\PsExec.exe`, "Sysinternals", "Sysinternals PsExec", "2.43", "Execute processes remotely", 716_176},
	// Libraries.
	{`C:\Windows\System32\ntdll.dll`, msCorp, msOS, osVer, "NT Layer DLL", 2_161_640},
	{`C:\Windows\System32\kernel32.dll`, msCorp, msOS, osVer, "Windows NT BASE API Client DLL", 781_416},
	{`C:\Windows\System32\comsvcs.dll`, msCorp, msOS, osVer, "COM+ Services", 1_252_352},
	{`C:\Windows\System32\samlib.dll`, msCorp, msOS, osVer, "SAM Library DLL", 135_168},
	{`C:\Windows\System32\vaultcli.dll`, msCorp, msOS, osVer, "Credential Vault Client Library", 315_392},
	{`C:\Windows\System32\wininet.dll`, msCorp, msOS, osVer, "Internet Extensions for Win32", 5_382_144},
	{`C:\Windows\System32\winhttp.dll`, msCorp, msOS, osVer, "Windows HTTP Services", 1_003_520},
	{`C:\Windows\System32\dnsapi.dll`, msCorp, msOS, osVer, "DNS Client API DLL", 786_432},
	{`C:\Windows\System32\amsi.dll`, msCorp, msOS, osVer, "Anti-Malware Scan Interface", 106_496},
	{`C:\Windows\System32\clr.dll`, msCorp, "Microsoft® .NET Framework", "4.8.9232.0", "Microsoft .NET Runtime Common Language Runtime - WorkStation", 10_416_680},
	{`C:\Windows\Microsoft.NET\assembly\GAC_MSIL\System.Management.Automation\v4.0_3.0.0.0__31bf3856ad364e35\System.Management.Automation.dll`, msCorp, "Microsoft (R) Windows (R) Operating System", "10.0.22621.3527", "System.Management.Automation", 7_516_672},
	{`C:\Program Files\Common Files\microsoft shared\VBA\VBA7.1\VBE7.DLL`, msCorp, "Microsoft Visual Basic for Applications", "7.1.11.10", "Visual Basic for Applications Runtime", 3_617_688},
	{`C:\Program Files\Common Files\microsoft shared\ClickToRun\AppvIsvSubsystems64.dll`, msCorp, office, offVer, "Client Virtualization Handler", 1_050_504},
	{`C:\Program Files\Microsoft Office\root\vfs\ProgramFilesCommonX64\Microsoft Shared\Office16\mso20win32client.dll`, msCorp, office, offVer, "Microsoft Office 2016 component", 5_221_256},
	{`C:\Program Files (x86)\Microsoft\Edge\Application\124.0.2478.80\msedge.dll`, msCorp, "Microsoft Edge", "124.0.2478.80", "Microsoft Edge Web Browser", 231_093_664},
	{`C:\Program Files\Google\Chrome\Application\124.0.6367.119\chrome.dll`, "Google LLC", "Google Chrome", "124.0.6367.119", "Google Chrome", 247_361_560},
	{`C:\Program Files\Google\Chrome\Application\124.0.6367.119\chrome_elf.dll`, "Google LLC", "Google Chrome", "124.0.6367.119", "Google Chrome", 1_494_552},
}

// The Linux binaries (no version information on Linux).
var linuxImages = []string{
	"/usr/lib/systemd/systemd", "/usr/sbin/cron", "/usr/sbin/sshd", "/usr/bin/bash", "/usr/bin/dash",
	"/usr/bin/python3.10", "/usr/bin/curl", "/usr/bin/apt-get", "/usr/lib/apt/methods/http", "/usr/sbin/nginx",
	"/usr/lib/postfix/sbin/master", "/usr/lib/postfix/sbin/smtpd", "/usr/lib/postfix/sbin/qmgr", "/usr/lib/postfix/sbin/cleanup",
	"/usr/sbin/dovecot", "/usr/lib/dovecot/imap", "/usr/lib/dovecot/imap-login", "/usr/bin/sudo", "/usr/sbin/logrotate",
	"/usr/sbin/rsyslogd", "/usr/bin/dockerd", "/usr/bin/containerd", "/usr/bin/find", "/usr/bin/tar", "/usr/bin/gzip",
	"/usr/lib/openssh/sftp-server", "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/grep", "/usr/bin/ps", "/usr/bin/systemctl",
	"/usr/bin/tail", "/usr/bin/git", "/usr/bin/make", "/usr/bin/gcc-11", "/usr/bin/go", "/usr/sbin/postgres",
	"/usr/lib/postgresql/14/bin/postgres", "/usr/bin/prometheus", "/usr/bin/node_exporter", "/usr/bin/run-parts",
	"/usr/bin/unattended-upgrade", "/opt/microsoft/mdatp/sbin/wdavdaemon", "/usr/bin/id", "/usr/bin/uname", "/usr/bin/wget",
	"/usr/bin/java", "/usr/bin/rsync", "/usr/bin/ssh", "/usr/bin/vim.basic", "/usr/bin/df", "/usr/bin/du",
}

// catalog holds every known image, by lower-case file name and by path.
type catalog struct {
	images []*image
	byName map[string]*image // windows or linux, lower-case file name
	byPath map[string]*image // lower-case full path
}

var cat = buildCatalog()

func buildCatalog() *catalog {
	c := &catalog{byName: map[string]*image{}, byPath: map[string]*image{}}
	// The kernel's "System" process (pid 4): it does SMB file writes and
	// owns listening sockets, and has no file of its own in Defender's rows.
	c.add(&image{name: newSym("System"), lname: "system", pathTmpl: "System"})
	for _, d := range windowsImages {
		c.add(newImage(d, false))
	}
	for _, p := range linuxImages {
		c.add(newImage(imageDef{path: p, size: int64(40_000 + hashString(p)%2_000_000)}, true))
	}
	return c
}

func (c *catalog) add(im *image) {
	im.id = len(c.images)
	c.images = append(c.images, im)
	if _, dup := c.byName[im.lname]; !dup {
		c.byName[im.lname] = im
	}
	c.byPath[strings.ToLower(im.pathTmpl)] = im
}

func newImage(d imageDef, linux bool) *image {
	sep := `\`
	if linux {
		sep = "/"
	}
	name := d.path[strings.LastIndex(d.path, sep)+1:]
	im := &image{name: newSym(name), lname: strings.ToLower(name), pathTmpl: d.path, size: d.size, linux: linux,
		perUser: strings.Contains(d.path, "{user}")}
	if !im.perUser {
		im.path = newSym(d.path)
	}
	key := "image:" + strings.ToLower(d.path) + "@" + d.version
	im.sha1 = newSym(hexID(0, "sha1:"+key, 40))
	im.sha256 = newSym(hexID(0, "sha256:"+key, 64))
	im.md5 = newSym(hexID(0, "md5:"+key, 32))
	if d.company != "" {
		im.company, im.product, im.version, im.desc = newSym(d.company), newSym(d.product), newSym(d.version), newSym(d.desc)
		im.original = newSym(name)
		internal := name
		if i := strings.LastIndexByte(internal, '.'); i > 0 {
			internal = internal[:i]
		}
		im.internal = newSym(internal)
	}
	return im
}

// instance returns the image as installed for a profile: per-user
// binaries get the profile's path.
func (im *image) instance(profile string) *image {
	if !im.perUser {
		return im
	}
	cp := *im
	cp.path = newSym(strings.ReplaceAll(im.pathTmpl, "{user}", profile))
	return &cp
}

// adHocImage describes a binary outside the catalog: a one-off installer,
// an attacker's tool. Its hashes come from its path (and salt), so each
// distinct file has its own.
func adHocImage(path, salt string, size int64) *image {
	linux := strings.HasPrefix(path, "/")
	im := newImage(imageDef{path: path, size: size}, linux)
	key := "adhoc:" + strings.ToLower(path) + "#" + salt
	im.sha1 = newSym(hexID(0, "sha1:"+key, 40))
	im.sha256 = newSym(hexID(0, "sha256:"+key, 64))
	im.md5 = newSym(hexID(0, "md5:"+key, 32))
	return im
}

func (c *catalog) mustName(name string) *image {
	im, ok := c.byName[strings.ToLower(name)]
	if !ok {
		panic("simulate: no image " + name)
	}
	return im
}

// lookup finds an image by full path or, for a bare file name, by name.
func (c *catalog) lookup(pathOrName string) (*image, bool) {
	l := strings.ToLower(pathOrName)
	if im, ok := c.byPath[l]; ok {
		return im, true
	}
	if !strings.ContainsAny(l, `\/`) {
		im, ok := c.byName[l]
		return im, ok
	}
	return nil, false
}

// dest is a network destination: a host name (empty for bare IPs), its
// address and port.
type dest struct {
	host   *sym
	ip     *sym
	port   int64
	public bool
	dns    *sym // AdditionalFields of the DnsQueryResponse event for host
}

func newDest(host, ip string, port int64, public bool) *dest {
	d := &dest{ip: newSym(ip), port: port, public: public}
	if host != "" {
		d.host = newSym(host)
		var b []byte
		b = append(b, `{"DnsQueryString":`...)
		b = jsonenc.AppendString(b, host)
		b = append(b, `,"DnsQueryResult":[{"DnsQueryType":1,"DnsQueryTypeName":"A","DnsQueryResult":`...)
		b = jsonenc.AppendString(b, ip)
		b = append(b, `}]}`...)
		d.dns = jsonSym(string(b))
	}
	return d
}

// internetIP maps a host name to an address in the documentation ranges,
// which stand for the public internet in the simulation. 203.0.113.0/24 is
// left to attackers, 198.51.100.1-49 to the organisation's own egress.
func internetIP(host string) string {
	h := hashString(host)
	if h&1 == 0 {
		return "192.0.2." + strconv.Itoa(int(1+(h>>1)%254))
	}
	return "198.51.100." + strconv.Itoa(int(50+(h>>1)%205))
}

// Common internet hosts, most prevalent first (Zipf-ranked).
var commonHosts = []string{
	"www.bing.example", "login.microsoftonline.example", "outlook.office365.example", "teams.microsoft.example",
	"www.google.example", "graph.microsoft.example", "contoso.sharepoint.example", "fonts.gstatic.example",
	"www.linkedin.example", "www.youtube.example", "cdn.jsdelivr.example", "ajax.googleapis.example",
	"www.wikipedia.example", "news.bbc.example", "www.github.example", "stackoverflow.example",
	"www.amazon.example", "docs.microsoft.example", "www.salesforce.example", "zoom.example",
	"www.nytimes.example", "www.reuters.example", "weather.example", "maps.google.example",
	"www.dropbox.example", "slack.example", "www.atlassian.example", "www.adobe.example",
	"www.paypal.example", "www.ebay.example", "www.apple.example", "www.twitter.example",
	"www.facebook.example", "www.instagram.example", "www.medium.example", "www.hubspot.example",
	"www.zendesk.example", "www.mailchimp.example", "www.canva.example", "www.notion.example",
}

// Per-application endpoints.
var appHosts = map[string][]string{
	"outlook.exe":             {"outlook.office365.example", "login.microsoftonline.example", "autodiscover.contoso.example", "substrate.office.example"},
	"ms-teams.exe":            {"teams.microsoft.example", "login.microsoftonline.example", "presence.teams.microsoft.example", "statics.teams.cdn.office.example"},
	"msedgewebview2.exe":      {"teams.microsoft.example", "statics.teams.cdn.office.example"},
	"onedrive.exe":            {"contoso-my.sharepoint.example", "g.live.example", "oneclient.sfx.ms.example"},
	"winword.exe":             {"officeclient.microsoft.example", "nexus.officeapps.live.example", "contoso.sharepoint.example"},
	"excel.exe":               {"officeclient.microsoft.example", "nexus.officeapps.live.example", "contoso.sharepoint.example"},
	"powerpnt.exe":            {"officeclient.microsoft.example", "nexus.officeapps.live.example"},
	"officeclicktorun.exe":    {"officecdn.microsoft.example", "mrodevicemgr.officeapps.live.example"},
	"svchost.exe":             {"settings-win.data.microsoft.example", "ctldl.windowsupdate.example", "v10.events.data.microsoft.example", "time.windows.example", "dns.msftncsi.example"},
	"msmpeng.exe":             {"wdcp.microsoft.example", "definitionupdates.microsoft.example"},
	"mssense.exe":             {"winatp-gw-weu.microsoft.example", "events.data.microsoft.example"},
	"sensecncproxy.exe":       {"winatp-gw-weu.microsoft.example"},
	"microsoftedgeupdate.exe": {"msedge.api.cdp.microsoft.example"},
	"googleupdate.exe":        {"update.googleapis.example"},
	"zoom.exe":                {"zoom.example", "us04web.zoom.example"},
	"code.exe":                {"marketplace.visualstudio.example", "update.code.visualstudio.example", "www.github.example"},
	"acrobat.exe":             {"acroipm2.adobe.example", "www.adobe.example"},
	"compattelrunner.exe":     {"v10.events.data.microsoft.example"},
	"mousocoreworker.exe":     {"fe3cr.delivery.mp.microsoft.example"},
	"apt-get":                 {"archive.ubuntu.example", "security.ubuntu.example"},
	"http":                    {"archive.ubuntu.example", "security.ubuntu.example"},
	"unattended-upgrade":      {"archive.ubuntu.example", "security.ubuntu.example"},
	"wdavdaemon":              {"winatp-gw-weu.microsoft.example", "unitedstates.x.cp.wd.microsoft.example"},
	"curl":                    {"api.github.example", "pypi.example", "registry.npmjs.example"},
	"git":                     {"www.github.example"},
	"dockerd":                 {"registry-1.docker.example", "auth.docker.example"},
	"python3.10":              {"pypi.example", "api.contoso-partner.example"},
}
