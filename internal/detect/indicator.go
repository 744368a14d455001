package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// IndicatorType is what an indicator of compromise names, with
// Defender's type names.
type IndicatorType string

// The indicator types.
const (
	FileSha1   IndicatorType = "FileSha1"
	FileSha256 IndicatorType = "FileSha256"
	FileMd5    IndicatorType = "FileMd5"
	IPAddress  IndicatorType = "IpAddress"
	DomainName IndicatorType = "DomainName"
	URL        IndicatorType = "Url"
	// CertificateThumbprint is the SHA-1 thumbprint of a signing
	// certificate (DeviceFileCertificateInfo's SignerHash, IssuerHash).
	CertificateThumbprint IndicatorType = "CertificateThumbprint"
)

// IndicatorAction is what to do on a match.
type IndicatorAction string

// Defender's indicator actions.
const (
	Allowed           IndicatorAction = "Allowed"
	Audit             IndicatorAction = "Audit"
	Warn              IndicatorAction = "Warn"
	Block             IndicatorAction = "Block"
	BlockAndRemediate IndicatorAction = "BlockAndRemediate"
)

// Indicator is one indicator of compromise.
// The JSON names are those of Defender's indicator API.
type Indicator struct {
	ID                 string          `json:"id,omitempty"`
	Type               IndicatorType   `json:"indicatorType"`
	Value              string          `json:"indicatorValue"`
	Action             IndicatorAction `json:"action"`
	Title              string          `json:"title,omitempty"`
	Description        string          `json:"description,omitempty"`
	RecommendedActions string          `json:"recommendedActions,omitempty"`
	Severity           Severity        `json:"severity,omitempty"`
	GenerateAlert      bool            `json:"generateAlert"`
	Techniques         []string        `json:"mitreTechniques,omitempty"`
	// Expiration, when set, ends the indicator.
	Expiration time.Time `json:"expirationTime,omitzero"`
	Source     string    `json:"source,omitempty"`
	// DeviceGroups scopes the indicator's alerts (Defender's
	// rbacGroupNames): empty means every device.
	DeviceGroups []string `json:"rbacGroupNames,omitempty"`
}

// indicatorColumns are the columns each type is matched against, in
// every table that has them.
var indicatorColumns = map[IndicatorType][]string{
	FileSha1:   {"SHA1", "InitiatingProcessSHA1"},
	FileSha256: {"SHA256", "InitiatingProcessSHA256"},
	FileMd5:    {"MD5", "InitiatingProcessMD5"},
	IPAddress:  {"RemoteIP", "IPAddress", "SenderIPv4", "SenderIPv6"},
	DomainName: {"RemoteUrl", "Url", "UrlDomain", "SenderFromDomain", "SenderMailFromDomain"},
	URL:        {"RemoteUrl", "Url"},

	CertificateThumbprint: {"SignerHash", "IssuerHash"},
}

// normalizeIndicator checks a value and returns it in the form matching
// compares.
func normalizeIndicator(t IndicatorType, v string) (string, error) {
	v = strings.TrimSpace(v)
	hexOf := func(n int) (string, error) {
		if len(v) != n {
			return "", fmt.Errorf("%s must be %d hex digits", t, n)
		}
		if _, err := hex.DecodeString(v); err != nil {
			return "", fmt.Errorf("%s must be hex", t)
		}
		return strings.ToLower(v), nil
	}
	switch t {
	case FileSha1:
		return hexOf(40)
	case FileSha256:
		return hexOf(64)
	case FileMd5:
		return hexOf(32)
	case CertificateThumbprint:
		return hexOf(40)
	case IPAddress:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "", fmt.Errorf("IpAddress %q: %v", v, err)
		}
		return a.Unmap().String(), nil
	case DomainName:
		d := strings.ToLower(strings.TrimSuffix(v, "."))
		if d == "" || strings.ContainsAny(d, "/ :@") {
			return "", fmt.Errorf("DomainName %q is not a domain", v)
		}
		return d, nil
	case URL:
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("Url %q is not an absolute URL", v)
		}
		return strings.ToLower(strings.TrimSuffix(v, "/")), nil
	}
	return "", fmt.Errorf("indicator type %q is not one of FileSha1, FileSha256, FileMd5, CertificateThumbprint, IpAddress, DomainName, Url", t)
}

// Normalize validates an indicator and puts it in the form matching
// compares: the value normalized, Audit and Medium by default, and an
// id derived from the type and value when it has none (so the same
// indicator imported twice is one).
func (ind *Indicator) Normalize() error {
	v, err := normalizeIndicator(ind.Type, ind.Value)
	if err != nil {
		return err
	}
	switch ind.Action {
	case Allowed, Audit, Warn, Block, BlockAndRemediate:
	case "":
		ind.Action = Audit
	default:
		return fmt.Errorf("action %q is not one of Allowed, Audit, Warn, Block, BlockAndRemediate", ind.Action)
	}
	switch ind.Severity {
	case "":
		ind.Severity = Medium
	case Informational, Low, Medium, High:
	default:
		return fmt.Errorf("severity %q is not one of Informational, Low, Medium, High", ind.Severity)
	}
	for _, t := range ind.Techniques {
		if !techniqueID.MatchString(t) {
			return fmt.Errorf("MITRE technique %q is not an id like T1059 or T1059.001", t)
		}
	}
	if len(ind.Title) > 1024 || len(ind.Description) > 16<<10 || len(ind.RecommendedActions) > 16<<10 {
		return fmt.Errorf("title (1024 bytes), description or recommended actions (16 KiB) too long")
	}
	ind.Value = v
	if ind.ID == "" {
		ind.ID = IndicatorID(ind.Type, v)
	}
	return nil
}

// IndicatorID is the id of the indicator of a type and normalized value.
func IndicatorID(t IndicatorType, normalized string) string {
	h := sha256.Sum256([]byte(string(t) + "\x00" + normalized))
	return "ti" + hex.EncodeToString(h[:8])
}

// Indicators is a compiled set of indicators, matched in the ingest
// stream.
type Indicators struct {
	byType map[IndicatorType]map[string]*Indicator
}

// NewIndicators validates and indexes indicators; invalid ones are
// reported one by one, the valid ones kept.
func NewIndicators(list []Indicator) (*Indicators, []error) {
	set := &Indicators{byType: map[IndicatorType]map[string]*Indicator{}}
	var errs []error
	for i := range list {
		ind := list[i]
		if err := ind.Normalize(); err != nil {
			errs = append(errs, fmt.Errorf("indicator %d (%s): %w", i+1, list[i].Value, err))
			continue
		}
		m := set.byType[ind.Type]
		if m == nil {
			m = map[string]*Indicator{}
			set.byType[ind.Type] = m
		}
		m[ind.Value] = &ind
	}
	return set, errs
}

// lookup finds the live indicator a value matches: domains match their
// subdomains, and a URL's host matches domain indicators.
func (s *Indicators) lookup(t IndicatorType, raw string, now time.Time) *Indicator {
	m := s.byType[t]
	if len(m) == 0 || raw == "" {
		return nil
	}
	live := func(ind *Indicator) *Indicator {
		if ind == nil || !ind.Expiration.IsZero() && now.After(ind.Expiration) {
			return nil
		}
		return ind
	}
	switch t {
	case DomainName:
		host := strings.ToLower(raw)
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			host = strings.ToLower(u.Hostname())
		} else if i := strings.IndexAny(host, "/:"); i >= 0 {
			host = host[:i]
		}
		for h := strings.TrimSuffix(host, "."); h != ""; {
			if ind := live(m[h]); ind != nil {
				return ind
			}
			i := strings.IndexByte(h, '.')
			if i < 0 {
				break
			}
			h = h[i+1:]
		}
		return nil
	case IPAddress:
		a, err := netip.ParseAddr(raw)
		if err != nil {
			return nil
		}
		return live(m[a.Unmap().String()])
	case URL:
		return live(m[strings.ToLower(strings.TrimSuffix(raw, "/"))])
	}
	return live(m[strings.ToLower(raw)])
}

// Match returns the alerts the rows of a table raise (indicators with
// GenerateAlert and an action other than Allowed), one per row and
// indicator.
func (s *Indicators) Match(now time.Time, table string, rows [][]any) []Alert {
	t, ok := schema.Lookup(table)
	if !ok || s == nil {
		return nil
	}
	type probe struct {
		typ IndicatorType
		col int
	}
	var probes []probe
	for typ, cols := range indicatorColumns {
		if len(s.byType[typ]) == 0 {
			continue
		}
		for _, c := range cols {
			if _, i, ok := t.Column(c); ok {
				probes = append(probes, probe{typ, i})
			}
		}
	}
	if len(probes) == 0 {
		return nil
	}
	var out []Alert
	for _, row := range rows {
		for _, p := range probes {
			v, _ := row[p.col].(string)
			ind := s.lookup(p.typ, v, now)
			if ind == nil || !ind.GenerateAlert || ind.Action == Allowed {
				continue
			}
			out = append(out, indicatorAlert(ind, t, row, v))
		}
	}
	return out
}

// indicatorAlert builds the alert of a match, with the row's entities.
func indicatorAlert(ind *Indicator, t *schema.Table, row []any, matched string) Alert {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	c := &Compiled{Rule: &Rule{ID: ind.ID, Title: ind.Title, Description: ind.Description, Severity: ind.Severity,
		Category: "SuspiciousActivity", Techniques: ind.Techniques, DeviceGroups: ind.DeviceGroups}, col: map[string]int{}}
	for i, col := range t.Columns {
		c.Columns = append(c.Columns, checkColumn(col))
		c.col[col.Name] = i
	}
	if c.Rule.Title == "" {
		c.Rule.Title = fmt.Sprintf("Indicator matched: %s %s", ind.Type, ind.Value)
	}
	a := c.alert(row)
	a.Row["IndicatorValue"] = matched
	return a
}

// Allows reports whether an Allowed indicator covers an entity of the
// alert: allow indicators suppress alerts on what they allow.
func (s *Indicators) Allows(a Alert, now time.Time) bool {
	if s == nil {
		return false
	}
	for _, e := range a.Evidence {
		for typ, cols := range indicatorColumns {
			for _, col := range cols {
				if v, ok := e.Fields[col].(string); ok {
					if ind := s.lookup(typ, v, now); ind != nil && ind.Action == Allowed {
						return true
					}
				}
			}
		}
	}
	return false
}
