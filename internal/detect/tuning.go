package detect

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Alert tuning, Defender's model: a tuning rule names conditions over a
// new alert and its entities (every condition must hold), and what to do
// with a matching alert: hide it (it is not raised at all, only counted
// on the tuning rule) or resolve it (it is raised, with status Resolved
// and a comment naming the tuning rule). A rule may expire.

// TuningAction is what a tuning rule does with a matching alert.
type TuningAction string

// Defender's two tuning actions.
const (
	HideAlert    TuningAction = "Hide"
	ResolveAlert TuningAction = "Resolve"
)

// TuningCondition compares one alert field or entity value.
type TuningCondition struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
	re       *regexp.Regexp
}

// TuningRule is an alert tuning (suppression) rule.
type TuningRule struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name"`
	Conditions []TuningCondition `json:"conditions"`
	Action     TuningAction      `json:"action"`
	Comment    string            `json:"comment,omitempty"`
	Disabled   bool              `json:"disabled,omitempty"`
	// DeviceGroups scopes the rule to alerts on devices of these groups
	// (DeviceInfo's MachineGroup); empty: every alert.
	DeviceGroups []string `json:"deviceGroups,omitempty"`
	// Expires, when set, ends the rule.
	Expires time.Time `json:"expires,omitzero"`
}

// tuningFields maps a condition's field to where its values come from:
// alert properties ("@title") or columns of the alert's evidence and
// triggering row (any of them may match).
var tuningFields = map[string][]string{
	"ruleId":                          {"@rule"},
	"title":                           {"@title"},
	"category":                        {"@category"},
	"severity":                        {"@severity"},
	"deviceName":                      {"DeviceName"},
	"deviceId":                        {"DeviceId"},
	"accountName":                     {"AccountName", "InitiatingProcessAccountName"},
	"accountDomain":                   {"AccountDomain", "InitiatingProcessAccountDomain"},
	"accountUpn":                      {"AccountUpn", "InitiatingProcessAccountUpn"},
	"accountSid":                      {"AccountSid", "InitiatingProcessAccountSid"},
	"sha1":                            {"SHA1", "InitiatingProcessSHA1"},
	"sha256":                          {"SHA256", "InitiatingProcessSHA256"},
	"md5":                             {"MD5", "InitiatingProcessMD5"},
	"fileName":                        {"FileName"},
	"folderPath":                      {"FolderPath"},
	"processCommandLine":              {"ProcessCommandLine"},
	"initiatingProcessFileName":       {"InitiatingProcessFileName"},
	"initiatingProcessFolderPath":     {"InitiatingProcessFolderPath"},
	"initiatingProcessCommandLine":    {"InitiatingProcessCommandLine"},
	"remoteIp":                        {"RemoteIP"},
	"localIp":                         {"LocalIP"},
	"remoteUrl":                       {"RemoteUrl"},
	"senderFromAddress":               {"SenderFromAddress"},
	"recipientEmailAddress":           {"RecipientEmailAddress"},
	"emailSubject":                    {"EmailSubject"},
	"initiatingProcessParentFileName": {"InitiatingProcessParentFileName"},
}

// TuningFields lists the fields a condition may name.
func TuningFields() []string {
	out := make([]string, 0, len(tuningFields))
	for f := range tuningFields {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

var tuningOperators = []string{"equals", "contains", "startsWith", "endsWith", "regex"}

// Limits on a tuning rule, so one rule cannot slow every alert.
const (
	maxTuningConditions = 20
	maxTuningValue      = 1024
)

// ParseTuningRule reads and validates a tuning rule (JSON); every problem
// is reported, naming the condition.
func ParseTuningRule(b []byte) (*TuningRule, error) {
	var r TuningRule
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("tuning rule: %v", err)
	}
	if err := r.Check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Check validates the rule and compiles its regular expressions.
func (r *TuningRule) Check() error {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 256 {
		bad("name must hold 1 to 256 characters")
	}
	switch r.Action {
	case HideAlert, ResolveAlert:
	default:
		bad("action %q is not Hide or Resolve", r.Action)
	}
	if len(r.Conditions) == 0 {
		bad("at least one condition is required (a rule without one would suppress every alert)")
	}
	for _, g := range r.DeviceGroups {
		if strings.TrimSpace(g) == "" {
			bad("a device group name is empty")
		}
	}
	if len(r.Conditions) > maxTuningConditions {
		bad("at most %d conditions", maxTuningConditions)
	}
	for i := range r.Conditions {
		c := &r.Conditions[i]
		if _, ok := tuningFields[c.Field]; !ok {
			bad("condition %d: field %q is not one of %s", i+1, c.Field, strings.Join(TuningFields(), ", "))
		}
		if !contains(tuningOperators, c.Operator) {
			bad("condition %d: operator %q is not one of %s", i+1, c.Operator, strings.Join(tuningOperators, ", "))
		}
		if c.Value == "" || len(c.Value) > maxTuningValue {
			bad("condition %d: value must hold 1 to %d bytes", i+1, maxTuningValue)
			continue
		}
		if c.Operator == "regex" {
			re, err := regexp.Compile(c.Value)
			if err != nil {
				bad("condition %d: regex: %v", i+1, err)
				continue
			}
			c.re = re
		}
	}
	if len(errs) > 0 {
		return &RuleError{Msg: strings.Join(errs, "; ")}
	}
	return nil
}

// match reports whether a value satisfies the condition; string
// comparisons ignore case, as Defender's do (paths, names and hashes are
// case-insensitive there); a regex is as written (use (?i) for case).
func (c *TuningCondition) match(v string) bool {
	switch c.Operator {
	case "equals":
		return strings.EqualFold(v, c.Value)
	case "contains":
		return strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
	case "startsWith":
		return len(v) >= len(c.Value) && strings.EqualFold(v[:len(c.Value)], c.Value)
	case "endsWith":
		return len(v) >= len(c.Value) && strings.EqualFold(v[len(v)-len(c.Value):], c.Value)
	case "regex":
		return c.re != nil && c.re.MatchString(v)
	}
	return false
}

// Matches reports whether every condition holds for the alert: for an
// entity field, some value of the alert's evidence or triggering row
// satisfies it.
func (r *TuningRule) Matches(a *Alert) bool {
	for i := range r.Conditions {
		c := &r.Conditions[i]
		ok := false
		for _, src := range tuningFields[c.Field] {
			for _, v := range alertValues(a, src) {
				if c.match(v) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// alertValues are the non-empty values of an alert property or column.
func alertValues(a *Alert, src string) []string {
	switch src {
	case "@rule":
		return []string{a.RuleID}
	case "@title":
		return []string{a.Title}
	case "@category":
		return []string{a.Category}
	case "@severity":
		return []string{string(a.Severity)}
	}
	var out []string
	if v, ok := a.Row[src]; ok && !empty(v) {
		out = append(out, valueText(v))
	}
	for _, e := range a.Evidence {
		if v, ok := e.Fields[src]; ok && !empty(v) {
			out = append(out, valueText(v))
		}
	}
	return out
}

// Live reports whether the rule applies at now.
func (r *TuningRule) Live(now time.Time) bool {
	return !r.Disabled && (r.Expires.IsZero() || now.Before(r.Expires))
}

// Tuning is a set of tuning rules in force.
type Tuning struct {
	rules []*TuningRule
}

// NewTuning builds a set; rules are checked (an invalid one is an
// error, naming it).
func NewTuning(rules []*TuningRule) (*Tuning, error) {
	t := &Tuning{}
	for _, r := range rules {
		if err := r.Check(); err != nil {
			return nil, fmt.Errorf("tuning rule %s: %w", r.ID, err)
		}
		t.rules = append(t.rules, r)
	}
	return t, nil
}

// Apply returns the live rule that applies to an alert (groups says
// which group the alert's device is in, for scoped rules): a Hide rule
// before a Resolve rule, then the first in the set's order; nil if none.
func (t *Tuning) Apply(a *Alert, now time.Time, groups *DeviceGroups) *TuningRule {
	if t == nil {
		return nil
	}
	var resolve *TuningRule
	for _, r := range t.rules {
		if !r.Live(now) || !r.Matches(a) || len(r.DeviceGroups) > 0 && !groups.onDeviceOf(a, r.DeviceGroups) {
			continue
		}
		if r.Action == HideAlert {
			return r
		}
		if resolve == nil {
			resolve = r
		}
	}
	return resolve
}
