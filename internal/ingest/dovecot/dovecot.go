package dovecot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Events normalizes the JSON lines of Dovecot's event exporter
// (event_exporter { format = json }): {"event", "hostname", "start_time",
// "end_time", "categories", "fields"}.
type Events struct{}

// NewEvents returns the "dovecot" normalizer.
func NewEvents() *Events { return &Events{} }

func (*Events) Format() string { return "dovecot" }

func (*Events) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	ev := v.Get("event")
	f := v.Get("fields")
	return ev != nil && ev.Type() == fastjson.TypeString && f != nil && f.Type() == fastjson.TypeObject &&
		(v.Get("start_time") != nil || v.Get("end_time") != nil) &&
		(v.Get("categories") != nil || v.Get("hostname") != nil)
}

// event is one exported event being normalized.
type event struct {
	in     *ingest.Input
	out    *ingest.RowSet
	t      time.Time
	name   string
	host   string
	fields *fastjson.Value
	hasRaw bool // a row holds the record (CloudAppEvents.RawEventData)
}

func (e *event) reportID() int64 { return ingest.ReportID(e.in.Data, len(e.out.Rows())) }

func (e *event) field(key string) string { return ingest.Str(e.fields, key) }

// handlers map event names to rows; events not named here are kept in
// RawEvents only.
var handlers = map[string]func(*event){
	"auth_request_finished":  (*event).authFinished,
	"mail_delivery_finished": (*event).delivery,
	"imap_command_finished":  (*event).imapCommand,
	"pop3_command_finished":  (*event).pop3Command,
	"mail_expunged":          (*event).expunged,
	"mail_opened":            (*event).opened,
}

func (*Events) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if in.JSON == nil || in.JSON.Type() != fastjson.TypeObject {
		return fmt.Errorf("a Dovecot event must be a JSON object")
	}
	v := in.JSON
	name := ingest.Str(v, "event")
	if name == "" {
		return fmt.Errorf("no event name")
	}
	f := v.Get("fields")
	if f == nil || f.Type() != fastjson.TypeObject {
		return fmt.Errorf("no fields object")
	}
	t, ok := ingest.Time(v, "end_time", "start_time")
	if !ok {
		return fmt.Errorf("no valid end_time or start_time")
	}
	e := &event{in: in, out: out, t: t, name: name, host: ingest.Str(v, "hostname"), fields: f}
	if h, ok := handlers[name]; ok {
		h(e)
	}
	if !e.hasRaw {
		ingest.RawCopy(in, out, t, e.host)
	}
	return nil
}

// port reads a port field, 0 when absent or out of range.
func (e *event) port(key string) int32 {
	n, ok := ingest.Int(e.fields, key)
	if !ok || n <= 0 || n > 65535 {
		return 0
	}
	return int32(n)
}

// protocols name Dovecot's services the way Defender's Protocol column
// names mail protocols.
var protocols = map[string]string{
	"imap": "IMAP", "pop3": "POP3", "submission": "SMTP", "smtp": "SMTP", "lmtp": "LMTP",
	"managesieve": "ManageSieve", "sieve": "ManageSieve", "doveadm": "Doveadm",
}

func protocolOf(service string) string {
	if p, ok := protocols[strings.ToLower(service)]; ok {
		return p
	}
	return strings.ToUpper(service)
}

// authFinished maps the end of an authentication request (a login
// attempt over IMAP, POP3, submission, ...) to IdentityLogonEvents.
func (e *event) authFinished() {
	success := e.field("success") == "yes"
	service := e.field("service")
	proto := protocolOf(service)
	user := e.field("user")
	if user == "" {
		user = e.field("original_user")
	}
	row := e.out.New("IdentityLogonEvents")
	row.Set("Timestamp", e.t)
	if success {
		row.Set("ActionType", "LogonSuccess")
	} else {
		row.Set("ActionType", "LogonFailed")
		row.Set("FailureReason", authFailure(e.field("error"), e.field("policy_result")))
	}
	app := "Dovecot"
	if proto != "" {
		app += " " + proto
	}
	row.Set("Application", app)
	row.Set("LogonType", "Credentials validation")
	row.SetString("Protocol", proto)
	name, domain := ingest.SplitAccount(user)
	row.SetString("AccountName", name)
	row.SetString("AccountDomain", domain)
	if strings.Contains(user, "@") {
		row.Set("AccountUpn", user)
	}
	row.SetString("IPAddress", e.field("remote_ip"))
	if p := e.port("remote_port"); p != 0 {
		row.Set("Port", p)
	}
	row.SetString("DestinationDeviceName", e.host)
	row.SetString("DestinationIPAddress", e.field("local_ip"))
	if p := e.port("local_port"); p != 0 {
		row.Set("DestinationPort", p)
	}
	row.SetString("TargetDeviceName", e.host)
	row.Set("ReportId", strconv.FormatInt(e.reportID(), 10))
	x := ingest.Fields{}
	x.Str("Service", service)
	x.Str("Mechanism", e.field("mechanism"))
	x.Str("Transport", e.field("transport"))
	x.Str("Session", e.field("session"))
	x.Str("PolicyResult", e.field("policy_result"))
	x.Str("Error", e.field("error"))
	x.Str("OriginalUser", e.field("original_user"))
	x.Str("TranslatedUser", e.field("translated_user"))
	x.Str("LoginUser", e.field("login_user"))
	x.Str("MasterUser", e.field("master_user"))
	x.Str("RealRemoteIP", e.field("real_remote_ip"))
	x.Str("CredentialsScheme", e.field("credentials_scheme"))
	if d, ok := ingest.Int(e.fields, "duration"); ok {
		x["DurationMicroseconds"] = d
	}
	row.SetRaw("AdditionalFields", x.JSON())
}

// authFailure names why a login failed. Dovecot's event does not tell a
// wrong password from an unknown user.
func authFailure(errText, policy string) string {
	switch {
	case errText != "":
		return errText
	case policy == "refused":
		return "PolicyRefused"
	default:
		return "InvalidUserNameOrPassword"
	}
}
