package dovecot

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// imapCommand maps a finished IMAP command that reads or changes mail to
// CloudAppEvents, named like Exchange's mailbox audit actions where they
// mean the same. Commands that failed, and commands that only navigate
// (SELECT, LIST, NOOP, IDLE, SEARCH, ...), stay in RawEvents.
func (e *event) imapCommand() {
	if s := e.field("tagged_reply_state"); s != "" && s != "OK" {
		return
	}
	name := strings.ToUpper(strings.TrimSpace(e.field("cmd_name")))
	uid := false
	if rest, ok := strings.CutPrefix(name, "UID "); ok {
		name, uid = rest, true
	}
	args := e.field("cmd_args")
	if args == "" {
		args = e.field("cmd_human_args")
	}
	m, ok := imapAction(name, args)
	if !ok {
		return
	}
	x := ingest.Fields{}
	x.Str("Command", e.field("cmd_name"))
	x.Str("Arguments", args)
	x.Str("Tag", e.field("cmd_tag"))
	x.Str("Reply", e.field("tagged_reply"))
	if m.set != "" {
		if uid {
			x["Uids"] = m.set
		} else {
			x["SequenceSet"] = m.set
		}
	}
	e.mailAction(m, x)
}

// mailAction is what a mail command did.
type mailAction struct {
	action     string // ActionType
	mailbox    string // folder acted on ("" for the selected one)
	dest       string // destination folder of a move or copy, new name of a rename
	set        string // message set
	accessType string // MailItemsAccessed: Bind (content) or Sync (metadata)
}

// imapAction decides what an IMAP command did from its name and
// arguments.
func imapAction(name, args string) (mailAction, bool) {
	switch name {
	case "MOVE", "COPY":
		set, rest := nextToken(args)
		dest, _ := astring(rest)
		a := mailAction{action: "Copy", set: set, dest: dest}
		if name == "MOVE" {
			a.action = "Move"
			if trashFolders[strings.ToLower(leaf(dest))] {
				a.action = "MoveToDeletedItems"
			}
		}
		return a, true
	case "EXPUNGE":
		set, _ := nextToken(args)
		return mailAction{action: "HardDelete", set: set}, true
	case "STORE":
		set, rest := nextToken(args)
		up := strings.ToUpper(rest)
		if strings.HasPrefix(strings.TrimSpace(up), "+FLAGS") && strings.Contains(up, `\DELETED`) {
			return mailAction{action: "SoftDelete", set: set}, true
		}
		return mailAction{action: "Update", set: set}, true
	case "FETCH":
		set, rest := nextToken(args)
		access := "Sync"
		if fetchesContent(rest) {
			access = "Bind"
		}
		return mailAction{action: "MailItemsAccessed", set: set, accessType: access}, true
	case "APPEND":
		box, _ := astring(args)
		return mailAction{action: "Create", mailbox: box}, true
	case "CREATE":
		box, _ := astring(args)
		return mailAction{action: "MailboxCreated", mailbox: box}, true
	case "DELETE":
		box, _ := astring(args)
		return mailAction{action: "MailboxDeleted", mailbox: box}, true
	case "RENAME":
		box, rest := astring(args)
		to, _ := astring(rest)
		return mailAction{action: "MailboxRenamed", mailbox: box, dest: to}, true
	}
	return mailAction{}, false
}

// fetchesContent reports whether FETCH items read a message's content:
// a body section other than headers (BODY[], BODY.PEEK[TEXT], BODY[1]),
// RFC822, RFC822.TEXT or BINARY; not flags, sizes, envelopes or headers,
// which clients fetch to list a folder.
func fetchesContent(items string) bool {
	up := strings.ToUpper(items)
	for _, item := range []string{"BODY[", "BODY.PEEK[", "BINARY[", "BINARY.PEEK["} {
		rest := up
		for {
			i := strings.Index(rest, item)
			if i < 0 {
				break
			}
			rest = rest[i+len(item):]
			section := rest
			if j := strings.IndexByte(section, ']'); j >= 0 {
				section = section[:j]
			}
			if !strings.HasPrefix(section, "HEADER") && !strings.HasSuffix(section, "MIME") && !strings.Contains(section, ".HEADER") {
				return true
			}
		}
	}
	for _, tok := range strings.FieldsFunc(up, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
		if tok == "RFC822" || tok == "RFC822.TEXT" {
			return true
		}
	}
	return false
}

// pop3Command maps POP3 RETR and TOP (reading a message) and DELE
// (marking one for deletion at QUIT).
func (e *event) pop3Command() {
	if s := e.field("tagged_reply_state"); s != "" && s != "OK" && s != "+OK" {
		return
	}
	name := strings.ToUpper(strings.TrimSpace(e.field("cmd_name")))
	args := e.field("cmd_args")
	var m mailAction
	switch name {
	case "RETR", "TOP":
		m = mailAction{action: "MailItemsAccessed", mailbox: "INBOX", set: args, accessType: "Bind"}
	case "DELE":
		m = mailAction{action: "SoftDelete", mailbox: "INBOX", set: args}
	default:
		return
	}
	x := ingest.Fields{}
	x.Str("Command", e.field("cmd_name"))
	x.Str("Arguments", args)
	if m.set != "" {
		x["SequenceSet"] = m.set
	}
	e.mailAction(m, x)
}

// expunged maps the storage event of a message removed for good.
func (e *event) expunged() {
	x := ingest.Fields{}
	x.Str("Uid", e.field("uid"))
	x.Str("MessageId", e.field("message_id"))
	e.mailAction(mailAction{action: "HardDelete", set: e.field("uid")}, x)
}

// opened maps the storage event of a message body being opened, when a
// client asked for it (the other reasons are Dovecot's own indexing).
func (e *event) opened() {
	reasons := e.fields.Get("reason_code")
	if reasons == nil {
		return
	}
	client := false
	for _, r := range reasonCodes(reasons.String()) {
		if strings.HasPrefix(r, "imap:fetch") || strings.HasPrefix(r, "pop3:") {
			client = true
		}
	}
	if !client {
		return
	}
	x := ingest.Fields{}
	x.Str("Uid", e.field("uid"))
	x.Str("MessageId", e.field("message_id"))
	e.mailAction(mailAction{action: "MailItemsAccessed", set: e.field("uid"), accessType: "Bind"}, x)
}

// reasonCodes reads reason_code, a JSON array of strings.
func reasonCodes(text string) []string {
	var out []string
	if json.Unmarshal([]byte(text), &out) != nil {
		var one string
		if json.Unmarshal([]byte(text), &one) == nil {
			out = []string{one}
		}
	}
	return out
}

// mailAction adds the CloudAppEvents row of a mailbox action.
func (e *event) mailAction(m mailAction, x ingest.Fields) {
	user := e.field("user")
	box := m.mailbox
	if box == "" {
		box = e.field("mailbox")
	}
	row := e.out.New("CloudAppEvents")
	row.Set("Timestamp", e.t)
	row.Set("ActionType", m.action)
	row.Set("Application", "Dovecot")
	row.SetString("AccountId", user)
	row.SetString("AccountDisplayName", user)
	if user != "" {
		row.Set("AccountType", "Regular")
	}
	row.SetString("IPAddress", e.field("remote_ip"))
	if box != "" {
		row.Set("ObjectName", box)
		row.Set("ObjectType", "Folder")
	}
	var objs []map[string]string
	if box != "" {
		objs = append(objs, map[string]string{"Type": "Folder", "Role": "Source", "Name": box})
	}
	if m.dest != "" {
		objs = append(objs, map[string]string{"Type": "Folder", "Role": "Destination", "Name": m.dest})
	}
	if m.set != "" {
		objs = append(objs, map[string]string{"Type": "Messages", "Role": "Target object", "Name": m.set})
	}
	if len(objs) > 0 {
		b, _ := json.Marshal(objs)
		row.Set("ActivityObjects", json.RawMessage(b))
	}
	row.Set("ReportId", strconv.FormatInt(e.reportID(), 10))
	row.Set("RawEventData", ingest.RecordJSON(e.in.JSON))
	x.Str("Event", e.name)
	x.Str("Mailbox", box)
	x.Str("DestinationMailbox", m.dest)
	x.Str("MailAccessType", m.accessType)
	x.Str("Session", e.field("session"))
	x.Str("Hostname", e.host)
	row.SetRaw("AdditionalFields", x.JSON())
	e.hasRaw = true
}

// nextToken splits off the first space-separated token.
func nextToken(s string) (tok, rest string) {
	s = strings.TrimLeft(s, " ")
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// astring reads an IMAP astring: a quoted string (with \" and \\
// escapes) or an atom.
func astring(s string) (string, string) {
	s = strings.TrimLeft(s, " ")
	if !strings.HasPrefix(s, `"`) {
		return nextToken(s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), strings.TrimLeft(s[i+1:], " ")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// leaf is a folder's last path component ("Archive/Trash" -> "Trash").
func leaf(box string) string {
	if i := strings.LastIndexAny(box, "/."); i >= 0 {
		return box[i+1:]
	}
	return box
}
