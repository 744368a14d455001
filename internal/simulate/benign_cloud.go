package simulate

import (
	"github.com/vigilsec/vigil/internal/jsonenc"
	"strconv"
	"strings"
)

// Mail flow, SaaS activity and cloud sign-ins: what a person does that no
// device of ours records.

var (
	symInbound        = newSym("Inbound")
	symOutbound       = newSym("Outbound")
	symIntraOrg       = newSym("Intra-org")
	symDelivered      = newSym("Delivered")
	symJunked         = newSym("Junked")
	symInboxFolder    = newSym("Inbox/folder")
	symJunkFolder     = newSym("Junk folder")
	symSentFolder     = newSym("Sent Items")
	symSpam           = newSym("Spam")
	symEnglish        = newSym("en")
	symAuthPass       = newSym(`{"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"}`)
	symAuthFail       = newSym(`{"SPF":"softfail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}`)
	symSpamDetection  = newSym(`{"Spam":["Mixed analysis detection"]}`)
	symMoveToJmf      = newSym("Move to JMF")
	symBody           = newSym("Body")
	symEmailWorkload  = newSym("Email")
	symClickAllowed   = newSym("ClickAllowed")
	symRegular        = newSym("Regular")
	symDesktop        = newSym("Desktop")
	symWindows10      = newSym("Windows 10")
	symWindows10AAD   = newSym("Windows10")
	symUserAgentEdge  = newSym("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0")
	symInteractiveAAD = newSym(`["interactiveUser"]`)
	symBrowser        = newSym("Browser")
	symEdgeBrowser    = newSym("Edge 124.0.0")
	symHybridJoined   = newSym("Hybrid Azure AD joined")
	symSingleFactor   = newSym("singleFactorAuthentication")
	symMultiFactor    = newSym("multiFactorAuthentication")
)

var partnerDomains = []string{
	"fabrikam.example", "northwindtraders.example", "adventure-works.example", "tailspintoys.example",
	"wingtiptoys.example", "litware.example", "proseware.example", "woodgrovebank.example",
	"alpineskihouse.example", "fourthcoffee.example", "margiestravel.example", "lucernepublishing.example",
}

var newsletterDomains = []string{"updates.saasvendor.example", "news.industryweekly.example", "mailer.eventhub.example", "info.cloudtraining.example"}

// mailInterval: mail comes in bursts during working hours.
func (s *shard) mailInterval(us *userState, now int64) int64 {
	h, wd := localHour(now, us.u.Site)
	mean := 4 * usHour
	switch {
	case wd >= 1 && wd <= 5 && h >= 8 && h < 18:
		mean = 12 * usMinute
	case wd >= 1 && wd <= 5:
		mean = 90 * usMinute
	}
	return int64(s.r.exp(float64(mean))) + 1
}

func (s *shard) cloudInterval(us *userState, now int64) int64 {
	h, wd := localHour(now, us.u.Site)
	mean := 6 * usHour
	if wd >= 1 && wd <= 5 && h >= 8 && h < 18 {
		mean = 15 * usMinute
	}
	return int64(s.r.exp(float64(mean))) + 1
}

// message is one email as the mail connector reports it.
type message struct {
	id         string // NetworkMessageId
	from       string
	fromName   string
	fromDomain string
	fromObj    *sym
	senderIP   string
	to         string
	toObj      *sym
	subject    string
	dir        *sym
	attach     int
	urls       int
	spam       bool
}

// mail sends or delivers one message involving the user.
func (s *shard) mail(us *userState, now int64) {
	r := s.r
	o := s.g.org
	u := us.u
	m := message{id: r.guid(), subject: subjectWords[r.intn(len(subjectWords))]}
	switch p := r.float(); {
	case p < 0.45: // from a partner or a newsletter
		if r.chance(0.75) {
			dom := partnerDomains[r.intn(len(partnerDomains))]
			given, sur := givenNames[r.intn(len(givenNames))], surnames[r.intn(len(surnames))]
			m.from = strings.ToLower(given+"."+sur) + "@" + dom
			m.fromName, m.fromDomain = given+" "+sur, dom
		} else {
			dom := newsletterDomains[r.intn(len(newsletterDomains))]
			m.from, m.fromName, m.fromDomain = "news@"+dom, "Newsletter", dom
			m.urls = 2 + r.intn(4)
		}
		m.senderIP = internetIP(m.fromDomain)
		m.to, m.toObj, m.dir = u.Upn, us.acct.objectID, symInbound
		m.spam = r.chance(0.06)
		if m.spam {
			dom := tailWords[r.intn(len(tailWords))] + strconv.Itoa(r.intn(999)) + ".test"
			m.from, m.fromName, m.fromDomain = "offers@"+dom, "Special Offers", dom
			m.senderIP = internetIP(dom)
			m.subject = "You have won a gift card"
			m.urls = 1
		}
	case p < 0.75: // from a colleague
		other := o.Users[r.intn(len(o.Users))]
		m.from, m.fromName, m.fromDomain, m.fromObj = other.Upn, other.DisplayName, o.MailDomain, s.g.accts[other.Index].objectID
		m.to, m.toObj, m.dir = u.Upn, us.acct.objectID, symIntraOrg
	default: // to a partner
		dom := partnerDomains[r.intn(len(partnerDomains))]
		m.from, m.fromName, m.fromDomain, m.fromObj = u.Upn, u.DisplayName, o.MailDomain, us.acct.objectID
		m.to = strings.ToLower(givenNames[r.intn(len(givenNames))]) + "@" + dom
		m.dir = symOutbound
	}
	if !m.spam && r.chance(0.22) {
		m.attach = 1 + r.intn(2)
	}
	if m.urls == 0 && r.chance(0.3) {
		m.urls = 1 + r.intn(2)
	}
	s.emitMessage(us, &m, now)
}

func (s *shard) emitMessage(us *userState, m *message, now int64) {
	r := s.r
	w := s.g.world
	o := s.g.org
	if row := s.begin(tEmail, nil, now); row != nil {
		row.str(cNetworkMessageId, m.id)
		row.str(cInternetMessageId, "<"+s.hex(16)+"@"+m.fromDomain+">")
		row.str(cSenderMailFromAddress, m.from)
		row.str(cSenderFromAddress, m.from)
		row.str(cSenderDisplayName, m.fromName)
		row.sym(cSenderObjectId, m.fromObj)
		row.str(cSenderMailFromDomain, m.fromDomain)
		row.str(cSenderFromDomain, m.fromDomain)
		if m.senderIP != "" {
			row.str(cSenderIPv4, m.senderIP)
		} else {
			row.str(cSenderIPv4, o.Mail.IP)
		}
		row.str(cRecipientEmail, m.to)
		row.sym(cRecipientObjectId, m.toObj)
		row.str(cSubject, m.subject)
		row.int(cEmailClusterId, int64(hashString(m.subject)>>12))
		row.sym(cEmailDirection, m.dir)
		row.int(cAttachmentCount, int64(m.attach))
		row.int(cUrlCount, int64(m.urls))
		row.sym(cEmailLanguage, symEnglish)
		row.int(cBulkComplaintLevel, 0)
		if m.spam {
			row.sym(cDeliveryAction, symJunked)
			row.sym(cDeliveryLocation, symJunkFolder)
			row.sym(cLatestDeliveryLoc, symJunkFolder)
			row.sym(cLatestDeliveryAction, symJunked)
			row.sym(cThreatTypes, symSpam)
			row.sym(cDetectionMethods, symSpamDetection)
			row.sym(cOrgLevelAction, symMoveToJmf)
			row.sym(cAuthDetails, symAuthFail)
			row.int(cBulkComplaintLevel, 7)
		} else {
			loc := symInboxFolder
			if m.dir == symOutbound {
				loc = symSentFolder
			}
			row.sym(cDeliveryAction, symDelivered)
			row.sym(cDeliveryLocation, loc)
			row.sym(cLatestDeliveryLoc, loc)
			row.sym(cLatestDeliveryAction, symDelivered)
			row.sym(cAuthDetails, symAuthPass)
		}
		s.emit(row)
	}
	for i := 0; i < m.attach; i++ {
		row := s.begin(tAttach, nil, now)
		if row == nil {
			break
		}
		ext := docExts[r.intn(len(docExts))]
		row.str(cNetworkMessageId, m.id)
		row.str(cSenderFromAddress, m.from)
		row.str(cSenderDisplayName, m.fromName)
		row.sym(cSenderObjectId, m.fromObj)
		row.str(cRecipientEmail, m.to)
		row.sym(cRecipientObjectId, m.toObj)
		row.str(cFileName, w.docs[r.intn(len(w.docs))]+ext)
		row.str(cFileType, ext[1:])
		row.str(cSHA256, s.hex(64))
		row.int(cFileSize, r.between(15_000, 5_000_000))
		s.emit(row)
	}
	for i := 0; i < m.urls; i++ {
		var host string
		switch {
		case m.spam:
			host = "claim." + m.fromDomain
		case r.chance(0.6):
			host = w.web.pick(r).host.s
		default:
			host = w.tail.pick(r).host.s
		}
		url := "https://" + host + "/" + strings.ToLower(docWords[r.intn(len(docWords))]) + "?utm_source=email&id=" + s.hex(8)
		if row := s.begin(tEmailURL, nil, now); row != nil {
			row.str(cNetworkMessageId, m.id)
			row.str(cUrl, url)
			row.str(cUrlDomain, host)
			row.sym(cUrlLocation, symBody)
			s.emit(row)
		}
		if m.dir != symOutbound && !m.spam && r.chance(0.08) {
			if row := s.begin(tClick, nil, now+int64(r.between(1, 120))*usMinute); row != nil {
				row.str(cUrl, url)
				row.sym(cActionType, symClickAllowed)
				row.sym(cAccountUpn, us.acct.upn)
				row.sym(cWorkload, symEmailWorkload)
				row.str(cNetworkMessageId, m.id)
				row.str(cIPAddress, us.u.Site.EgressIP)
				row.bool(cIsClickedThrough, false)
				row.str(cUrlChain, `["`+url+`"]`)
				s.later(row)
			}
		}
	}
}

// cloudAction is something a person does in a SaaS app.
type cloudAction struct {
	app      int // index in Org.Apps
	action   string
	activity string // ActivityType
	object   string // ObjectType
	workload string
	record   int // O365 audit RecordType
}

var cloudActions = []cloudAction{
	{0, "MailItemsAccessed", "Read", "Email", "Exchange", 50},
	{1, "FileAccessed", "Read", "File", "SharePoint", 6},
	{2, "FileModified", "Edit", "File", "OneDrive", 6},
	{1, "FileModified", "Edit", "File", "SharePoint", 6},
	{3, "MessageSent", "Create", "Message", "MicrosoftTeams", 25},
	{2, "FileUploaded", "Upload", "File", "OneDrive", 6},
	{1, "FileDownloaded", "Download", "File", "SharePoint", 6},
	{3, "TeamsSessionStarted", "Login", "Session", "MicrosoftTeams", 25},
	{0, "Send", "Create", "Email", "Exchange", 2},
	{1, "PageViewed", "Read", "Page", "SharePoint", 4},
}

var cloudChoice = newChoice(cloudActions, zipf(len(cloudActions), 0.9))

var awsActions = []string{"ConsoleLogin", "DescribeInstances", "GetObject", "ListBuckets", "DescribeSecurityGroups", "PutObject", "AssumeRole"}

// cloud records one SaaS action of the user.
func (s *shard) cloud(us *userState, now int64) {
	r := s.r
	o := s.g.org
	u := us.u
	a := cloudChoice.pick(r)
	aws := (u.Role == UserAdmin || u.Department == "Engineering") && r.chance(0.15)
	row := s.begin(tCloud, nil, now)
	if row == nil {
		return
	}
	app := o.Apps[a.app]
	action, activity, object, workload, record := a.action, a.activity, a.object, a.workload, a.record
	var objName string
	switch {
	case aws:
		app = o.Apps[4]
		action = awsActions[r.intn(len(awsActions))]
		activity, object, workload, record = "Read", "Resource", "AWS", 0
		objName = "arn:aws:ec2:eu-west-2:123456789012:instance/i-" + s.hex(17)
	case object == "File":
		site := "https://" + strings.ToLower(o.Name) + ".sharepoint.example/sites/" + strings.ReplaceAll(u.Department, " ", "")
		if a.app == 2 {
			site = "https://" + strings.ToLower(o.Name) + "-my.sharepoint.example/personal/" + strings.ReplaceAll(strings.ReplaceAll(u.Upn, ".", "_"), "@", "_")
		}
		objName = site + "/Shared Documents/" + s.g.world.docs[r.intn(len(s.g.world.docs))] + docExts[r.intn(len(docExts))]
	case object == "Email":
		objName = "<" + s.hex(20) + "@" + o.MailDomain + ">"
	default:
		objName = app.Name
	}
	row.str(cActionType, action)
	row.str(cApplication, app.Name)
	row.int(cApplicationId, int64(app.ID))
	row.sym(cAccountObjectId, us.acct.objectID)
	row.sym(cAccountId, us.acct.objectID)
	row.sym(cAccountDisplayName, us.acct.display)
	row.bool(cIsAdminOperation, false)
	row.sym(cDeviceType, symDesktop)
	row.sym(cOSPlatform, symWindows10)
	row.str(cIPAddress, u.Site.EgressIP)
	row.bool(cIsAnonymousProxy, false)
	row.str(cCountryCode, u.Site.Country)
	row.str(cCity, u.Site.City)
	row.str(cIsp, "Northwind Networks")
	row.sym(cUserAgent, symUserAgentEdge)
	row.str(cActivityType, activity)
	row.str(cObjectName, objName)
	row.str(cObjectType, object)
	row.sym(cAccountType, symRegular)
	row.bool(cIsExternalUser, false)
	row.bool(cIsImpersonated, false)
	// ActivityObjects and RawEventData as the Office 365 audit log has them.
	b := make([]byte, 0, 256)
	b = append(b, `[{"Type":`...)
	b = jsonenc.AppendString(b, object)
	b = append(b, `,"Name":`...)
	b = jsonenc.AppendString(b, objName)
	b = append(b, `}]`...)
	row.str(cActivityObjects, string(b))
	b = b[:0]
	b = append(b, `{"CreationTime":`...)
	b = s.tc.appendTime(b, now)
	b = append(b, `,"Id":"`...)
	b = r.appendGUID(b)
	b = append(b, `","Operation":`...)
	b = jsonenc.AppendString(b, action)
	b = append(b, `,"OrganizationId":"`...)
	b = append(b, o.TenantID...)
	b = append(b, `","RecordType":`...)
	b = strconv.AppendInt(b, int64(record), 10)
	b = append(b, `,"UserId":`...)
	b = append(b, us.acct.upn.j...)
	b = append(b, `,"Workload":`...)
	b = jsonenc.AppendString(b, workload)
	b = append(b, `,"ClientIP":`...)
	b = jsonenc.AppendString(b, u.Site.EgressIP)
	b = append(b, `,"ObjectId":`...)
	b = jsonenc.AppendString(b, objName)
	b = append(b, '}')
	row.str(cRawEventData, string(b))
	s.emit(row)
}

// userDay signs the user in to Microsoft 365 at the start of the working
// day and returns when the next day starts.
func (s *shard) userDay(us *userState, now int64) int64 {
	u := us.u
	h, wd := localHour(now, u.Site)
	if wd >= 1 && wd <= 5 && h >= 7 && h < 18 {
		t := now
		apps := []int{0, 3}
		if s.r.chance(0.5) {
			apps = append(apps, 1)
		}
		for _, i := range apps {
			s.signIn(us, s.g.org.Apps[i], t, 0, u.Site.EgressIP, u.Site.Country, u.Site.City)
			t += int64(s.r.between(2, 90)) * usSecond
		}
	}
	return s.nextMorning(now+usHour, u.Site)
}

// signIn emits an AADSignInEventsBeta row.
func (s *shard) signIn(us *userState, app *App, at int64, errorCode int64, ip, country, city string) {
	row := s.begin(tAAD, nil, at)
	if row == nil {
		return
	}
	r := s.r
	u := us.u
	row.str(cApplication, app.EntraName)
	row.str(cApplicationId, app.EntraAppID)
	row.sym(cLogonType, symInteractiveAAD)
	row.int(cErrorCode, errorCode)
	row.str(cCorrelationId, r.guid())
	row.str(cSessionId, r.guid())
	row.sym(cAccountDisplayName, us.acct.display)
	row.sym(cAccountObjectId, us.acct.objectID)
	row.sym(cAccountUpn, us.acct.upn)
	row.int(cIsExternalUser, 0)
	row.bool(cIsGuestUser, false)
	row.str(cResourceDisplayName, app.EntraName)
	row.str(cResourceId, app.EntraAppID)
	row.str(cResourceTenantId, s.g.org.TenantID)
	if d := u.Device; d != nil {
		row.str(cDeviceName, d.Name)
		row.str(cAadDeviceId, d.AadDeviceID)
		row.sym(cDeviceTrustType, symHybridJoined)
		row.int(cIsManaged, 1)
		row.int(cIsCompliant, 1)
	} else {
		row.int(cIsManaged, 0)
		row.int(cIsCompliant, 0)
	}
	row.sym(cOSPlatform, symWindows10AAD)
	if u.IsAdmin() {
		row.sym(cAuthRequirement, symMultiFactor)
	} else {
		row.sym(cAuthRequirement, symSingleFactor)
	}
	row.sym(cUserAgent, symUserAgentEdge)
	row.sym(cClientAppUsed, symBrowser)
	row.sym(cBrowser, symEdgeBrowser)
	row.int(cConditionalStatus, 0)
	row.int(cRiskLevelAggregated, 0)
	row.str(cIPAddress, ip)
	row.str(cCountry, country)
	row.str(cCity, city)
	row.str(cRequestId, r.guid())
	s.emit(row)
}
