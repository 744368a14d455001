// Package settest makes realistic rule sets for testing and benchmarking
// the rule-set matcher (eval.Set): KQL rules in the shape the Sigma
// compiler emits (Table | where <predicate> over plain columns and
// literal strings), translated loosely from the SigmaHQ Windows rules so
// that their literals, operators and boolean structure are real.
//
// It is not the Sigma compiler: field mappings are approximate (an
// unmapped field lands on a string column of the table chosen from its
// name) and keyword and base64 selections are dropped. Only tests use it.
package settest

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rule is one translated rule.
type Rule struct {
	ID, Title, Table, Query string
}

// tables maps a Sigma logsource category to a table and its fields.
var tables = map[string]struct {
	table  string
	fields map[string]string
	spare  []string // string columns for fields not mapped
}{
	"process_creation": {"DeviceProcessEvents", map[string]string{
		"Image": "FolderPath", "OriginalFileName": "ProcessVersionInfoOriginalFileName", "CommandLine": "ProcessCommandLine",
		"ParentImage": "InitiatingProcessFolderPath", "ParentCommandLine": "InitiatingProcessCommandLine", "User": "AccountName",
		"Product": "ProcessVersionInfoProductName", "Description": "ProcessVersionInfoFileDescription",
		"Company": "ProcessVersionInfoCompanyName", "IntegrityLevel": "ProcessIntegrityLevel", "Hashes": "SHA256",
		"CurrentDirectory": "FolderPath", "ParentUser": "InitiatingProcessAccountName"},
		[]string{"ProcessCommandLine", "FolderPath", "FileName", "InitiatingProcessFileName"}},
	"file": {"DeviceFileEvents", map[string]string{"TargetFilename": "FolderPath", "Image": "InitiatingProcessFolderPath",
		"CommandLine": "InitiatingProcessCommandLine", "User": "InitiatingProcessAccountName"},
		[]string{"FileName", "FolderPath", "InitiatingProcessFileName"}},
	"registry": {"DeviceRegistryEvents", map[string]string{"TargetObject": "RegistryKey", "Details": "RegistryValueData",
		"Image": "InitiatingProcessFolderPath", "EventType": "ActionType", "User": "InitiatingProcessAccountName"},
		[]string{"RegistryKey", "RegistryValueName", "RegistryValueData"}},
	"network_connection": {"DeviceNetworkEvents", map[string]string{"DestinationHostname": "RemoteUrl", "DestinationIp": "RemoteIP",
		"Image": "InitiatingProcessFolderPath", "CommandLine": "InitiatingProcessCommandLine", "SourceIp": "LocalIP",
		"User": "InitiatingProcessAccountName"},
		[]string{"RemoteUrl", "InitiatingProcessFileName"}},
	"image_load": {"DeviceImageLoadEvents", map[string]string{"ImageLoaded": "FolderPath", "Image": "InitiatingProcessFolderPath",
		"CommandLine": "InitiatingProcessCommandLine", "OriginalFileName": "FileName"},
		[]string{"FileName", "FolderPath", "InitiatingProcessFileName"}},
}

// eventTable takes the other Windows categories (Security log,
// PowerShell, Sysmon's other events).
var eventTable = struct {
	table  string
	fields map[string]string
	spare  []string
}{"DeviceEvents", map[string]string{"Image": "InitiatingProcessFolderPath", "CommandLine": "ProcessCommandLine",
	"ParentImage": "InitiatingProcessFolderPath", "TargetImage": "FolderPath", "SourceImage": "InitiatingProcessFolderPath",
	"ScriptBlockText": "ProcessCommandLine", "TargetFilename": "FolderPath", "QueryName": "RemoteUrl", "PipeName": "FileName",
	"ImageLoaded": "FolderPath", "ServiceFileName": "FolderPath", "ServiceName": "FileName", "TargetObject": "RegistryKey",
	"SubjectUserName": "AccountName", "TargetUserName": "AccountName", "Payload": "ProcessCommandLine", "ObjectName": "FileName"},
	[]string{"FileName", "FolderPath", "ProcessCommandLine", "RegistryKey", "RemoteUrl", "AccountName", "InitiatingProcessCommandLine", "ActionType"}}

// Sigma reads the rules under dir and translates those it can. Rules
// are returned sorted by ID.
func Sigma(dir string) ([]Rule, error) {
	var out []Rule
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if r, ok := translate(strings.SplitN(rel, string(filepath.Separator), 2)[0], data); ok {
			out = append(out, r)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

type sigmaRule struct {
	ID        string         `yaml:"id"`
	Title     string         `yaml:"title"`
	Detection map[string]any `yaml:"detection"`
}

type mapping struct {
	table  string
	fields map[string]string
	spare  []string
}

func translate(category string, data []byte) (Rule, bool) {
	var sr sigmaRule
	if err := yaml.Unmarshal(data, &sr); err != nil || sr.ID == "" || sr.Detection == nil {
		return Rule{}, false
	}
	m := mapping(eventTable)
	if t, ok := tables[category]; ok {
		m = mapping(t)
	}
	cond, ok := sr.Detection["condition"].(string)
	if !ok {
		return Rule{}, false
	}
	if i := strings.Index(cond, "|"); i >= 0 {
		cond = cond[:i] // aggregations: not this shape
	}
	sel := map[string]string{}
	for name, v := range sr.Detection {
		if name == "condition" || name == "timeframe" {
			continue
		}
		if p := m.selection(v); p != "" {
			sel[name] = p
		}
	}
	pred, ok := condition(cond, sel)
	if !ok || pred == "" {
		return Rule{}, false
	}
	return Rule{ID: sr.ID, Title: sr.Title, Table: m.table, Query: m.table + "\n| where " + pred}, true
}

// selection translates a selection: a map is an and of its fields, a
// list of maps an or of them.
func (m mapping) selection(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			if p := m.field(k, x[k]); p != "" {
				parts = append(parts, p)
			}
		}
		return join(parts, " and ")
	case []any:
		var parts []string
		for _, e := range x {
			if mm, ok := e.(map[string]any); ok {
				if p := m.selection(mm); p != "" {
					parts = append(parts, p)
				}
			}
		}
		return join(parts, " or ")
	}
	return ""
}

func join(parts []string, op string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, op) + ")"
}

func (m mapping) column(field string) string {
	if c, ok := m.fields[field]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(field))
	return m.spare[int(h.Sum32())%len(m.spare)]
}

// field translates field|modifiers: values.
func (m mapping) field(key string, v any) string {
	mods := strings.Split(key, "|")
	col := m.column(mods[0])
	op, all, cased, windash := "", false, false, false
	for _, mod := range mods[1:] {
		switch mod {
		case "contains", "startswith", "endswith", "re", "cidr", "exists":
			op = mod
		case "windash":
			windash = true
		case "all":
			all = true
		case "cased":
			cased = true
		default:
			return "" // base64, fieldref, expand, utf16...: not this shape
		}
	}
	if windash && op == "contains" {
		op = "windash"
	}
	var vals []any
	switch x := v.(type) {
	case []any:
		vals = x
	default:
		vals = []any{x}
	}
	var parts []string
	for _, val := range vals {
		if p := test(col, op, cased, val); p != "" {
			parts = append(parts, p)
		}
	}
	if all {
		return join(parts, " and ")
	}
	// Plain equalities are one in~ list, as a Sigma compiler writes them.
	if op == "" && !cased && len(parts) > 1 {
		var lits []string
		for _, val := range vals {
			s := fmt.Sprint(val)
			if val == nil || strings.ContainsAny(s, "*?") {
				lits = nil
				break
			}
			lits = append(lits, quote(s))
		}
		if lits != nil {
			return col + " in~ (" + strings.Join(lits, ", ") + ")"
		}
	}
	return join(parts, " or ")
}

func test(col, op string, cased bool, val any) string {
	if val == nil {
		return "isempty(" + col + ")"
	}
	s := fmt.Sprint(val)
	cs := ""
	if cased {
		cs = "_cs"
	}
	switch op {
	case "exists":
		if s == "true" {
			return "isnotempty(" + col + ")"
		}
		return "isempty(" + col + ")"
	case "re":
		return col + " matches regex " + quote(s)
	case "cidr":
		return "ipv4_is_in_range(" + col + ", " + quote(s) + ")"
	case "contains", "startswith", "endswith":
		if s == "" {
			return ""
		}
		return col + " " + op + cs + " " + quote(s)
	case "windash":
		alt := s
		if strings.HasPrefix(s, "-") || strings.Contains(s, " -") {
			alt = strings.ReplaceAll(s, "-", "/")
		} else {
			alt = strings.ReplaceAll(s, "/", "-")
		}
		return "(" + col + " contains " + quote(s) + " or " + col + " contains " + quote(alt) + ")"
	}
	// No modifier: Sigma's wildcards.
	inner := strings.Trim(s, "*")
	switch {
	case s == "":
		return "isempty(" + col + ")"
	case strings.ContainsAny(inner, "*?"):
		return col + " matches regex " + quote("(?i)^"+wildcardRegex(s)+"$")
	case strings.HasPrefix(s, "*") && strings.HasSuffix(s, "*") && len(s) > 1:
		return col + " contains" + cs + " " + quote(inner)
	case strings.HasPrefix(s, "*"):
		return col + " endswith" + cs + " " + quote(inner)
	case strings.HasSuffix(s, "*"):
		return col + " startswith" + cs + " " + quote(inner)
	}
	if cased {
		return col + " == " + quote(s)
	}
	return col + " =~ " + quote(s)
}

func wildcardRegex(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// quote writes s as a KQL string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// condition translates a Sigma condition over the translated selections:
// names, "1 of x*", "all of x*", "them", and, or, not, parentheses. A
// name whose selection could not be translated fails the rule.
func condition(cond string, sel map[string]string) (string, bool) {
	toks := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(cond))
	var out []string
	// KQL's not is a function: close not( after its operand, which ends
	// at the depth the not was written at.
	depth := 0
	var nots []int
	operand := func(p string) {
		out = append(out, p)
		for len(nots) > 0 && nots[len(nots)-1] == depth {
			out = append(out, ")")
			nots = nots[:len(nots)-1]
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t {
		case "and", "or":
			out = append(out, t)
			continue
		case "not":
			out = append(out, "not(")
			nots = append(nots, depth)
			continue
		case "(":
			out = append(out, t)
			depth++
			continue
		case ")":
			depth--
			operand(")")
			continue
		case "1", "all", "any":
			if i+2 >= len(toks) || toks[i+1] != "of" {
				return "", false
			}
			pat := toks[i+2]
			i += 2
			var names []string
			for n := range sel {
				if ok, _ := filepath.Match(pat, n); ok || pat == "them" {
					names = append(names, n)
				}
			}
			if len(names) == 0 {
				return "", false
			}
			sort.Strings(names)
			var parts []string
			for _, n := range names {
				parts = append(parts, sel[n])
			}
			op := " or "
			if t == "all" {
				op = " and "
			}
			operand("(" + strings.Join(parts, op) + ")")
			continue
		}
		p, ok := sel[t]
		if !ok {
			return "", false
		}
		operand(p)
	}
	if depth != 0 || len(nots) > 0 {
		return "", false
	}
	return strings.Join(out, " "), true
}
