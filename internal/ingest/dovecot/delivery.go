package dovecot

import (
	"crypto/sha1"
	"encoding/hex"
	"net/mail"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// delivery maps a finished LMTP/LDA delivery to EmailEvents: one message
// delivered (or not) to one mailbox.
func (e *event) delivery() {
	user := e.field("user")
	rcpt := e.field("rcpt_to")
	recipient := user
	if recipient == "" {
		recipient = stripDetail(rcpt)
	}
	from := e.field("mail_from")
	header, display := parseAddress(e.field("message_from"))
	msgID := e.field("message_id")
	mailbox := e.field("mailbox")
	if mailbox == "" {
		mailbox = e.field("detail")
	}
	action, location := deliveryOutcome(mailbox, e.field("error"))

	row := e.out.New("EmailEvents")
	row.Set("Timestamp", e.t)
	row.Set("NetworkMessageId", networkMessageID(msgID, e.field("transaction_id"), e.field("session"), string(e.in.Data)))
	row.SetString("InternetMessageId", msgID)
	row.SetString("SenderMailFromAddress", from)
	row.SetString("SenderMailFromDomain", domainOf(from))
	row.SetString("SenderFromAddress", header)
	row.SetString("SenderFromDomain", domainOf(header))
	row.SetString("SenderDisplayName", display)
	row.SetString("RecipientEmailAddress", recipient)
	row.SetString("Subject", e.field("message_subject"))
	row.SetString("EmailDirection", direction(from, header, recipient))
	row.Set("DeliveryAction", action)
	row.Set("DeliveryLocation", location)
	row.Set("LatestDeliveryAction", action)
	row.Set("LatestDeliveryLocation", location)
	row.Set("ReportId", strconv.FormatInt(e.reportID(), 10))
	x := ingest.Fields{}
	x.Str("RcptTo", rcpt)
	x.Str("Mailbox", mailbox)
	x.Str("Detail", e.field("detail"))
	x.Str("Protocol", e.field("protocol"))
	x.Str("Error", e.field("error"))
	x.Str("RemoteIP", e.field("remote_ip"))
	x.Str("Session", e.field("session"))
	x.Str("TransactionId", e.field("transaction_id"))
	x.Str("DeliveryHost", e.host)
	if n, ok := ingest.Int(e.fields, "message_size"); ok {
		x["MessageSize"] = n
	}
	if j := x.JSON(); j != nil {
		// EmailEvents.AdditionalFields is a string column.
		row.Set("AdditionalFields", string(j))
	}
}

// junkFolders and trashFolders are the usual names of those folders.
var (
	junkFolders  = map[string]bool{"junk": true, "spam": true, "junk e-mail": true, "junk email": true, "bulk mail": true}
	trashFolders = map[string]bool{"trash": true, "deleted items": true, "deleted messages": true}
)

// deliveryOutcome gives Defender's DeliveryAction and DeliveryLocation
// for a delivery into a folder (or a failed one).
func deliveryOutcome(mailbox, errText string) (action, location string) {
	m := strings.ToLower(leaf(strings.TrimSpace(mailbox)))
	switch {
	case errText != "":
		return "Blocked", "Failed"
	case junkFolders[m]:
		return "Junked", "Junk folder"
	case trashFolders[m]:
		return "Delivered", "Deleted items folder"
	default:
		return "Delivered", "Inbox/folder"
	}
}

// direction compares the sender's and recipient's domains: Dovecot knows
// no list of the organisation's domains.
func direction(mailFrom, headerFrom, recipient string) string {
	sender := domainOf(mailFrom)
	if sender == "" {
		sender = domainOf(headerFrom)
	}
	to := domainOf(recipient)
	if sender == "" || to == "" {
		return ""
	}
	if strings.EqualFold(sender, to) {
		return "Intra-org"
	}
	return "Inbound"
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.Trim(addr[i+1:], "> "))
	}
	return ""
}

// stripDetail removes a +detail from an address: alice+Junk@x -> alice@x.
func stripDetail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	if plus := strings.IndexByte(addr[:at], '+'); plus >= 0 {
		return addr[:plus] + addr[at:]
	}
	return addr
}

// parseAddress splits a From header into address and display name.
func parseAddress(s string) (addr, name string) {
	if s == "" {
		return "", ""
	}
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address, a.Name
	}
	return s, ""
}

// networkMessageID stands in for Microsoft 365's message id: a GUID made
// from the Internet message id, the same for every recipient of a message
// (as Defender's is), or from the LMTP transaction, the session or the
// record itself when there is none.
func networkMessageID(parts ...string) string {
	key := ""
	for _, p := range parts {
		if p != "" {
			key = p
			break
		}
	}
	sum := sha1.Sum([]byte(key))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
