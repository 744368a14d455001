package samba

import (
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Audit normalizes Samba AD's JSON audit lines (auth_json_audit,
// dsdb_json_audit, dsdb_password_json_audit, dsdb_group_json_audit).
type Audit struct {
	dc string
}

// Option configures the normalizer.
type Option func(*Audit)

// WithDomainController names the domain controller whose logs these are,
// for lines that do not say (Samba's audit lines carry no host name; a
// shipper's host field, when present, wins).
func WithDomainController(name string) Option {
	return func(a *Audit) { a.dc = name }
}

// NewAudit returns the "samba-audit" normalizer.
func NewAudit(opts ...Option) *Audit {
	a := &Audit{}
	for _, o := range opts {
		o(a)
	}
	return a
}

func (*Audit) Format() string { return "samba-audit" }

// auditTypes are the "type" values of Samba's audit lines; each line
// holds an object of the same name.
var auditTypes = map[string]bool{
	"Authentication":   true,
	"Authorization":    true,
	"dsdbChange":       true,
	"dsdbTransaction":  true,
	"passwordChange":   true,
	"groupChange":      true,
	"replicatedUpdate": true,
}

func (*Audit) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil || v.Get("timestamp") == nil {
		return false
	}
	typ := ingest.Str(v, "type")
	if !auditTypes[typ] {
		return false
	}
	b := v.Get(typ)
	return b != nil && b.Type() == fastjson.TypeObject
}

// hostFields are where shippers put the host a line came from.
var hostFields = [][]string{{"hostname"}, {"host", "name"}, {"host", "hostname"}, {"host"}, {"Computer"}, {"agent", "hostname"}}

// event is one audit line being normalized.
type event struct {
	in   *ingest.Input
	out  *ingest.RowSet
	t    time.Time
	body *fastjson.Value
	dc   string // the domain controller, "" when unknown
}

// reportID gives the next row of the record its ReportId.
func (e *event) reportID() int64 { return ingest.ReportID(e.in.Data, len(e.out.Rows())) }

func (a *Audit) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if in.JSON == nil || in.JSON.Type() != fastjson.TypeObject {
		return fmt.Errorf("a Samba audit record must be a JSON object")
	}
	v := in.JSON
	typ := ingest.Str(v, "type")
	if typ == "" {
		return fmt.Errorf("no type")
	}
	body := v.Get(typ)
	if body == nil || body.Type() != fastjson.TypeObject {
		return fmt.Errorf("type %q but no %q object", typ, typ)
	}
	t, ok := ingest.Time(v, "timestamp")
	if !ok {
		return fmt.Errorf("no valid timestamp")
	}
	e := &event{in: in, out: out, t: t, body: body, dc: a.dc}
	for _, path := range hostFields {
		if h := v.Get(path...); h != nil && h.Type() == fastjson.TypeString && len(h.GetStringBytes()) > 0 {
			e.dc = string(h.GetStringBytes())
			break
		}
	}
	switch typ {
	case "Authentication":
		e.authentication()
	case "Authorization":
		e.authorization()
	case "dsdbChange":
		e.dsdbChange()
	case "passwordChange":
		e.passwordChange()
	case "groupChange":
		e.groupChange()
	}
	// Every line is kept whole; dsdbTransaction, replicatedUpdate and
	// types Samba may add have no other home.
	ingest.RawCopy(in, out, t, e.dc)
	return nil
}

// serverName is the domain controller's name for rows about it: the
// configured or shipped name, else the NetBIOS name Samba itself puts in
// some lines (the workstation of an LDAP simple bind, the logonServer of
// an authorization).
func (e *event) serverName() string {
	if e.dc != "" {
		return e.dc
	}
	if strings.HasPrefix(ingest.Str(e.body, "authDescription"), "simple bind") {
		return ingest.Str(e.body, "workstation")
	}
	return ingest.Str(e.body, "logonServer")
}
