package sigma

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/ingest/windows"
	"go.yaml.in/yaml/v3"
)

// errNeedRaw says a field has no place in a Defender table: the rule is
// compiled again over the raw copy of its events.
var errNeedRaw = errors.New("field needs the raw event")

// detector compiles a rule's detection section against one target.
type detector struct {
	t    *target
	opts *Options
}

// maxValues bounds the alternatives one field match expands to (windash,
// base64offset and placeholders multiply them).
const maxValues = 4096

func (d *detector) detection(det *yaml.Node) (expr, error) {
	search := map[string]expr{}
	var conds []*yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i], det.Content[i+1]
		switch k.Value {
		case "condition":
			switch v.Kind {
			case yaml.ScalarNode:
				conds = append(conds, v)
			case yaml.SequenceNode:
				for _, c := range v.Content {
					if c.Kind != yaml.ScalarNode {
						return nil, errAt(c, ReasonCondition, "a condition is a string")
					}
					conds = append(conds, c)
				}
			default:
				return nil, errAt(v, ReasonCondition, "a condition is a string or a list of strings")
			}
		case "timeframe", "fields":
			// timeframe belonged to the deprecated aggregations.
		default:
			x, err := d.searchIdentifier(v)
			if err != nil {
				return nil, err
			}
			search[k.Value] = x
		}
	}
	if len(conds) == 0 {
		return nil, errAt(det, ReasonCondition, "the detection has no condition")
	}
	used := map[string]bool{}
	var xs []expr
	for _, c := range conds {
		x, err := parseCondition(c.Value, search, used)
		if err != nil {
			return nil, errAt(c, ReasonCondition, "%v", err)
		}
		xs = append(xs, x)
	}
	return or(xs...), nil
}

func (d *detector) searchIdentifier(v *yaml.Node) (expr, error) {
	switch v.Kind {
	case yaml.MappingNode:
		return d.selection(v)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, errAt(v, ReasonInvalid, "an empty list matches nothing")
		}
		var xs []expr
		var words []*yaml.Node
		for _, item := range v.Content {
			switch item.Kind {
			case yaml.MappingNode:
				x, err := d.selection(item)
				if err != nil {
					return nil, err
				}
				xs = append(xs, x)
			case yaml.ScalarNode:
				words = append(words, item)
			default:
				return nil, errAt(item, ReasonInvalid, "a search list holds field maps or keywords")
			}
		}
		if len(words) > 0 {
			x, err := d.keywords(words, nil, v)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		return or(xs...), nil
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return nil, errAt(v, ReasonInvalid, "a search identifier has no value")
		}
		return d.keywords([]*yaml.Node{v}, nil, v)
	}
	return nil, errAt(v, ReasonInvalid, "a search identifier is a map of fields or a list")
}

// selection is a map of field matches, all of which must hold.
func (d *detector) selection(m *yaml.Node) (expr, error) {
	var xs []expr
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		name, modList, _ := strings.Cut(k.Value, "|")
		mods, err := parseModifiers(k, modList)
		if err != nil {
			return nil, err
		}
		var x expr
		if name == "" {
			// "|contains: [...]": keywords with modifiers.
			x, err = d.keywords(values(v), &mods, k)
		} else {
			x, err = d.fieldMatch(k, name, mods, v)
		}
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	if len(xs) == 0 {
		return nil, errAt(m, ReasonInvalid, "an empty field map matches nothing")
	}
	return and(xs...), nil
}

func values(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

// modifiers are a field's |modifiers.
type modifiers struct {
	contains, startswith, endswith, all, cased bool
	re                                         bool
	reFlags                                    string
	base64, base64offset                       bool
	utf16                                      string // "le", "be"
	windash, expand                            bool
	cidr, exists, fieldref                     bool
	cmp                                        string // <, <=, >, >=
}

func parseModifiers(k *yaml.Node, s string) (modifiers, error) {
	var m modifiers
	if s == "" {
		return m, nil
	}
	for _, name := range strings.Split(s, "|") {
		switch strings.ToLower(name) {
		case "contains":
			m.contains = true
		case "startswith":
			m.startswith = true
		case "endswith":
			m.endswith = true
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "re":
			m.re = true
		case "i", "m", "s":
			if !m.re {
				return m, errAt(k, ReasonModifier, "regular expression flag %q without re", name)
			}
			if !strings.Contains(m.reFlags, strings.ToLower(name)) {
				m.reFlags += strings.ToLower(name)
			}
		case "base64":
			m.base64 = true
		case "base64offset":
			m.base64offset = true
		case "utf16le", "wide":
			m.utf16 = "le"
		case "utf16be":
			m.utf16 = "be"
		case "utf16":
			m.utf16 = "bom"
		case "windash":
			m.windash = true
		case "expand":
			m.expand = true
		case "cidr":
			m.cidr = true
		case "exists":
			m.exists = true
		case "fieldref":
			m.fieldref = true
		case "lt":
			m.cmp = "<"
		case "lte":
			m.cmp = "<="
		case "gt":
			m.cmp = ">"
		case "gte":
			m.cmp = ">="
		default:
			return m, errAt(k, ReasonModifier, "unknown modifier %q", name)
		}
	}
	n := 0
	for _, b := range []bool{m.contains, m.startswith, m.endswith, m.re, m.cidr, m.exists, m.fieldref, m.cmp != ""} {
		if b {
			n++
		}
	}
	if n > 1 && !(m.fieldref && (m.contains || m.startswith || m.endswith)) {
		return m, errAt(k, ReasonModifier, "modifiers %q ask for more than one kind of comparison", s)
	}
	if (m.base64 || m.base64offset || m.utf16 != "") && (m.re || m.cidr || m.exists || m.fieldref || m.cmp != "") {
		return m, errAt(k, ReasonModifier, "an encoding modifier cannot combine with %q", s)
	}
	if m.utf16 != "" && !m.base64 && !m.base64offset {
		return m, errAt(k, ReasonModifier, "utf16 text is only searchable base64-encoded (add base64 or base64offset)")
	}
	if m.base64 && m.base64offset {
		return m, errAt(k, ReasonModifier, "base64 and base64offset together")
	}
	return m, nil
}

// fieldMatch compiles Field|modifiers: values.
func (d *detector) fieldMatch(k *yaml.Node, name string, m modifiers, v *yaml.Node) (expr, error) {
	f, ok := d.t.resolve(name)
	if !ok {
		if d.t.raw != nil {
			return nil, errNeedRaw
		}
		return nil, errAt(k, ReasonField, "field %s has no column in %s", name, d.t.table)
	}
	vals := values(v)
	if len(vals) == 0 {
		return nil, errAt(v, ReasonValue, "field %s has an empty list of values", name)
	}
	for _, x := range vals {
		if x.Kind != yaml.ScalarNode {
			return nil, errAt(x, ReasonValue, "the values of %s must be single values", name)
		}
	}
	if m.exists {
		if len(vals) != 1 || (vals[0].Value != "true" && vals[0].Value != "false") {
			return nil, errAt(v, ReasonValue, "exists takes true or false")
		}
		x, err := d.existsMatch(f, k)
		if err != nil {
			return nil, err
		}
		if vals[0].Value == "false" {
			return not(x), nil
		}
		return x, nil
	}
	var xs []expr
	for _, val := range vals {
		x, err := d.valueMatch(k, f, m, val)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	if m.all {
		return and(xs...), nil
	}
	return orMerged(xs, m.cased), nil
}

func (d *detector) existsMatch(f field, k *yaml.Node) (expr, error) {
	switch f.kind {
	case kString, kRegKey, kRegData:
		return atom("isnotempty(" + f.col + ")"), nil
	case kNumber, kNetPort:
		return atom("isnotnull(" + f.col + ")"), nil
	case kUser:
		return atom("isnotempty(" + f.col2 + ")"), nil
	case kNetIP:
		return atom("isnotempty(" + f.col + ")"), nil
	case kHashes:
		return or(atom("isnotempty(SHA1)"), atom("isnotempty(SHA256)"), atom("isnotempty(MD5)")), nil
	}
	return nil, errAt(k, ReasonModifier, "exists is not supported on this field")
}

// valueMatch compiles one value of a field.
func (d *detector) valueMatch(k *yaml.Node, f field, m modifiers, val *yaml.Node) (expr, error) {
	isNull := val.Tag == "!!null"
	switch {
	case m.fieldref:
		return d.fieldRef(k, f, m, val)
	case m.cmp != "":
		n, err := strconv.ParseFloat(val.Value, 64)
		if err != nil {
			return nil, errAt(val, ReasonValue, "%s compares with a number, not %q", m.cmp, val.Value)
		}
		lit := strconv.FormatFloat(n, 'f', -1, 64)
		switch f.kind {
		case kNumber:
			return atom(f.col + " " + m.cmp + " " + lit), nil
		case kString:
			return atom("todouble(" + f.col + ") " + m.cmp + " " + lit), nil
		}
		return nil, errAt(k, ReasonModifier, "%s is not supported on this field", m.cmp)
	case m.cidr:
		return d.cidrMatch(val, f)
	case m.re:
		return d.regexMatch(val, f, m)
	}
	switch f.kind {
	case kInitiated:
		switch strings.ToLower(val.Value) {
		case "true":
			return atom(`ActionType == "ConnectionSuccess"`), nil
		case "false":
			return atom(`ActionType == "InboundConnectionAccepted"`), nil
		}
		return nil, errAt(val, ReasonValue, "Initiated is true or false")
	case kEventID:
		n, err := strconv.ParseInt(val.Value, 10, 64)
		if err != nil {
			return nil, errAt(val, ReasonValue, "EventID %q is not a number", val.Value)
		}
		if acts := f.ids[n]; len(acts) > 0 {
			return actionIn(acts...), nil
		}
		return constExpr(false), nil
	case kRegEventType:
		acts, ok := registryEventTypes[strings.ToLower(val.Value)]
		if !ok {
			return constExpr(false), nil
		}
		return actionIn(acts...), nil
	}
	if isNull {
		switch f.kind {
		case kNumber, kNetPort:
			return atom("isnull(" + f.col + ")"), nil
		case kUser:
			return atom("isempty(" + f.col2 + ")"), nil
		case kHashes:
			return and(atom("isempty(SHA1)"), atom("isempty(SHA256)"), atom("isempty(MD5)")), nil
		}
		return atom("isempty(" + f.col + ")"), nil
	}
	// A plain number on a numeric column.
	if (f.kind == kNumber || f.kind == kNetPort) && !m.contains && !m.startswith && !m.endswith && !m.base64 && !m.base64offset && !m.expand && !m.windash {
		if n, err := strconv.ParseInt(strings.TrimSpace(val.Value), 0, 64); err == nil {
			if f.kind == kNetPort {
				return netSides(f, func(col string) expr { return atom(col + " == " + itoa(n)) }), nil
			}
			return atom(f.col + " == " + itoa(n)), nil
		}
	}
	pats, err := d.patterns(val, m)
	if err != nil {
		return nil, err
	}
	var xs []expr
	for _, p := range pats {
		x, err := d.patternMatch(val, f, p, m.cased)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	return orMerged(xs, m.cased), nil
}

// patterns applies the value modifiers: placeholders, dashes, encodings,
// and contains/startswith/endswith.
func (d *detector) patterns(val *yaml.Node, m modifiers) ([]pattern, error) {
	strs := []string{val.Value}
	if m.expand {
		var err error
		if strs, err = d.expand(val); err != nil {
			return nil, err
		}
	}
	if m.windash {
		var out []string
		for _, s := range strs {
			out = append(out, windash(s)...)
		}
		strs = out
	}
	if len(strs) > maxValues {
		return nil, errAt(val, ReasonValue, "the value expands to more than %d alternatives", maxValues)
	}
	var pats []pattern
	if m.base64 || m.base64offset {
		for _, s := range strs {
			p := parsePattern(s)
			if p.hasWild() {
				return nil, errAt(val, ReasonValue, "a base64-encoded value cannot hold wildcards")
			}
			raw := []byte(p.text())
			switch m.utf16 {
			case "le", "be", "bom":
				raw = encodeUTF16(p.text(), m.utf16)
			}
			if m.base64 {
				pats = append(pats, literalPattern(base64.StdEncoding.EncodeToString(raw)).wrap(m.contains, m.contains))
				continue
			}
			// base64offset: the three encodings of the text at each offset
			// modulo 3, without the characters the neighbours change.
			for _, enc := range base64Offsets(raw) {
				pats = append(pats, literalPattern(enc).wrap(true, true))
			}
		}
		return pats, nil
	}
	for _, s := range strs {
		pats = append(pats, parsePattern(s).wrap(m.contains || m.endswith, m.contains || m.startswith))
	}
	return pats, nil
}

// base64Offsets returns the three base64 encodings of b as it appears at
// offsets 0, 1 and 2 of a longer text, trimmed to the stable characters.
func base64Offsets(b []byte) []string {
	var out []string
	for i := 0; i < 3; i++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, i), b...))
		start := []int{0, 2, 3}[i]
		end := len(enc) - []int{0, 3, 2}[(len(b)+i)%3]
		if start < end {
			out = append(out, enc[start:end])
		}
	}
	return out
}

func encodeUTF16(s, order string) []byte {
	u := utf16.Encode([]rune(s))
	var out []byte
	if order == "bom" {
		out = append(out, 0xff, 0xfe)
		order = "le"
	}
	for _, c := range u {
		if order == "le" {
			out = append(out, byte(c), byte(c>>8))
		} else {
			out = append(out, byte(c>>8), byte(c))
		}
	}
	return out
}

// windash returns s with each switch character (a - or / that starts a
// word after a non-word character, as in " -enc" or " /c") written as each
// of the characters Windows tools accept: -, /, en dash, em dash,
// horizontal bar; every combination when there are several.
func windash(s string) []string {
	var at []int
	for i := 0; i < len(s); i++ {
		if (s[i] == '-' || s[i] == '/') && (i == 0 || !isWordByte(s[i-1])) && i+1 < len(s) && isWordByte(s[i+1]) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return []string{s}
	}
	dashes := []string{"-", "/", "\u2013", "\u2014", "\u2015"}
	out := []string{""}
	prev := 0
	for _, i := range at {
		var next []string
		for _, o := range out {
			for _, d := range dashes {
				next = append(next, o+s[prev:i]+d)
			}
		}
		if len(next) > maxValues {
			return next // the caller reports the overflow
		}
		out, prev = next, i+1
	}
	for j := range out {
		out[j] += s[prev:]
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var placeholderRe = regexp.MustCompile(`%([A-Za-z0-9_.-]+)%`)

// expand replaces %name% placeholders with their configured values.
func (d *detector) expand(val *yaml.Node) ([]string, error) {
	strs := []string{val.Value}
	for _, m := range placeholderRe.FindAllStringSubmatch(val.Value, -1) {
		vs, ok := d.opts.Placeholders[m[1]]
		if !ok || len(vs) == 0 {
			return nil, errAt(val, ReasonPlaceholder, "placeholder %%%s%% has no configured value", m[1])
		}
		var out []string
		for _, s := range strs {
			for _, v := range vs {
				out = append(out, strings.ReplaceAll(s, m[0], v))
			}
		}
		if len(out) > maxValues {
			return nil, errAt(val, ReasonValue, "the placeholders expand to more than %d alternatives", maxValues)
		}
		strs = out
	}
	return strs, nil
}

// patternMatch compares a field with one pattern.
func (d *detector) patternMatch(val *yaml.Node, f field, p pattern, cased bool) (expr, error) {
	switch f.kind {
	case kString:
		x := strMatch(f.col, p, cased)
		if lit := longestLiteral(p); f.json != "" && lit != "" && utf8.ValidString(lit) {
			// The member's text holds lit, so the JSON text holds it
			// escaped (JSON escapes character by character).
			return and(strMatch(f.json, literalPattern(jsonEscape(lit)).wrap(true, true), cased), x), nil
		}
		return x, nil
	case kNumber:
		return strMatch("tostring("+f.col+")", p, cased), nil
	case kNetPort:
		return netSides(f, func(col string) expr { return strMatch("tostring("+col+")", p, cased) }), nil
	case kNetIP:
		return netSides(f, func(col string) expr { return strMatch(col, p, cased) }), nil
	case kRegKey:
		rp := registryPattern(p)
		x := strMatch(f.col, rp, cased)
		if f.col == regPath {
			// A piece without a backslash cannot span the key and the
			// value name: one of the two columns holds it.
			if piece := longestPiece(rp); piece != "" {
				lp := literalPattern(piece).wrap(true, true)
				return and(or(strMatch("RegistryKey", lp, cased), strMatch("RegistryValueName", lp, cased)), x), nil
			}
		}
		return x, nil
	case kRegData:
		return regDataMatch(f, p, cased), nil
	case kUser:
		return userMatch(f, p, cased), nil
	case kHashes:
		return d.hashMatch(val, p)
	}
	return nil, errAt(val, ReasonValue, "this field takes no text value")
}

// strMatch is the simplest KQL comparison of a string with a pattern.
func strMatch(col string, p pattern, cased bool) expr {
	o, lit := p.shape()
	sfx := ""
	if cased {
		sfx = "_cs"
	}
	switch o {
	case opEq:
		if lit == "" {
			return atom("isempty(" + col + ")")
		}
		if cased {
			return atom(col + " == " + quote(lit))
		}
		return atom(col + " =~ " + quote(lit))
	case opAny:
		return atom("isnotempty(" + col + ")")
	case opContains:
		return atom(col + " contains" + sfx + " " + quote(lit))
	case opStartsWith:
		return atom(col + " startswith" + sfx + " " + quote(lit))
	case opEndsWith:
		return atom(col + " endswith" + sfx + " " + quote(lit))
	}
	flags := "(?s)"
	if !cased {
		flags = "(?is)"
	}
	return atom(col + " matches regex " + quote(flags+lit))
}

// orMerged is an or that gathers equality tests of one column into in~.
func orMerged(xs []expr, cased bool) expr {
	eq := " =~ "
	in := " in~ ("
	if cased {
		eq, in = " == ", " in ("
	}
	byCol := map[string][]string{}
	var order []string
	var rest []expr
	for _, x := range xs {
		a, ok := x.(atom)
		col, lit, found := strings.Cut(string(a), eq)
		if !ok || !found || strings.Contains(col, " ") || !strings.HasPrefix(lit, `"`) {
			rest = append(rest, x)
			continue
		}
		if _, seen := byCol[col]; !seen {
			order = append(order, col)
		}
		byCol[col] = append(byCol[col], lit)
	}
	var out []expr
	for _, col := range order {
		lits := byCol[col]
		if len(lits) == 1 {
			out = append(out, atom(col+eq+lits[0]))
			continue
		}
		out = append(out, atom(col+in+strings.Join(dedupe(lits), ", ")+")"))
	}
	return or(append(out, rest...)...)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// netSides compares a Source/Destination field: the normalizer swaps
// the ends of an accepted inbound connection, so that Remote* is the peer.
func netSides(f field, cmp func(col string) expr) expr {
	return or(
		and(atom(`ActionType != "InboundConnectionAccepted"`), cmp(f.col)),
		and(atom(`ActionType == "InboundConnectionAccepted"`), cmp(f.col2)))
}

// userMatch compares a DOMAIN\name pattern with the two account columns.
func userMatch(f field, p pattern, cased bool) expr {
	dom, name := f.col, f.col2
	o, lit := p.shape()
	di := strings.IndexByte(lit, '\\')
	if o == opRegex || o == opAny || strings.Count(lit, `\`) > 1 {
		full := `iff(isempty(` + dom + `), ` + name + `, strcat(` + dom + `, "\\", ` + name + `))`
		return strMatch(full, p, cased)
	}
	if di < 0 {
		switch o {
		case opEq:
			return and(atom("isempty("+dom+")"), strMatch(name, p, cased))
		case opContains:
			return or(strMatch(dom, p, cased), strMatch(name, p, cased))
		case opStartsWith:
			return or(and(atom("isnotempty("+dom+")"), strMatch(dom, p, cased)), and(atom("isempty("+dom+")"), strMatch(name, p, cased)))
		}
		return strMatch(name, p, cased)
	}
	d, n := lit[:di], lit[di+1:]
	lp := func(s string) pattern { return literalPattern(s) }
	switch o {
	case opEq:
		return and(strMatch(dom, lp(d), cased), strMatch(name, lp(n), cased))
	case opStartsWith:
		return and(strMatch(dom, lp(d), cased), strMatch(name, lp(n).wrap(false, true), cased))
	case opEndsWith:
		return and(strMatch(dom, lp(d).wrap(true, false), cased), strMatch(name, lp(n), cased))
	}
	return and(strMatch(dom, lp(d).wrap(true, false), cased), strMatch(name, lp(n).wrap(false, true), cased))
}

// registryPattern rewrites a leading hive abbreviation to the name the
// normalizer stores (HKLM -> HKEY_LOCAL_MACHINE).
func registryPattern(p pattern) pattern {
	if len(p) == 0 || p[0].wild != 0 {
		return p
	}
	for _, r := range windows.RegistryRoots {
		s := p[0].lit
		if len(s) >= len(r.Prefix) && strings.EqualFold(s[:len(r.Prefix)], r.Prefix) && (len(s) == len(r.Prefix) || s[len(r.Prefix)] == '\\') {
			out := append(pattern{{lit: r.Long + s[len(r.Prefix):]}}, p[1:]...)
			return out.norm()
		}
	}
	return p
}

var dwordRe = regexp.MustCompile(`(?i)^DWORD \((0x[0-9a-f]{1,8})\)$`)
var qwordRe = regexp.MustCompile(`(?i)^QWORD \((0x[0-9a-f]{1,8})-(0x[0-9a-f]{1,8})\)$`)

// regDataMatch compares Sysmon's Details with RegistryValueData, where the
// normalizer writes DWORD and QWORD values in decimal.
func regDataMatch(f field, p pattern, cased bool) expr {
	o, lit := p.shape()
	if o == opEq || o == opContains || o == opStartsWith || o == opEndsWith {
		if m := dwordRe.FindStringSubmatch(lit); m != nil {
			n, _ := strconv.ParseUint(m[1][2:], 16, 32)
			return and(atom(`RegistryValueType =~ "Dword"`), atom(f.col+" == "+quote(strconv.FormatUint(n, 10))))
		}
		if m := qwordRe.FindStringSubmatch(lit); m != nil {
			hi, _ := strconv.ParseUint(m[1][2:], 16, 32)
			lo, _ := strconv.ParseUint(m[2][2:], 16, 32)
			return and(atom(`RegistryValueType =~ "Qword"`), atom(f.col+" == "+quote(strconv.FormatUint(hi<<32|lo, 10))))
		}
		if strings.EqualFold(lit, "Binary Data") {
			return atom(`RegistryValueType =~ "Binary"`)
		}
	}
	if o == opStartsWith {
		// A prefix of "DWORD (0x0000001f)": a range of values.
		if m := dwordPrefixRe.FindStringSubmatch(lit); m != nil && len(lit) >= len("DWORD") {
			dword := atom(`RegistryValueType =~ "Dword"`)
			if m[1] == "" {
				return dword
			}
			p, _ := strconv.ParseUint(m[1], 16, 32)
			shift := 4 * uint(8-len(m[1]))
			lo, hi := p<<shift, (p+1)<<shift-1
			return and(dword, atom(fmt.Sprintf("tolong(%s) >= %d", f.col, lo)), atom(fmt.Sprintf("tolong(%s) <= %d", f.col, hi)))
		}
	}
	if o == opContains {
		// "0x00000001" alone: a DWORD value, or text holding it.
		if m := hexWordRe.FindStringSubmatch(lit); m != nil {
			n, _ := strconv.ParseUint(m[1], 16, 32)
			return or(and(atom(`RegistryValueType =~ "Dword"`), atom(f.col+" == "+quote(strconv.FormatUint(n, 10)))), strMatch(f.col, p, cased))
		}
	}
	return strMatch(f.col, p, cased)
}

var dwordPrefixRe = regexp.MustCompile(`(?i)^D(?:W(?:O(?:R(?:D(?: (?:\((?:0(?:x([0-9a-f]{0,8}))?)?)?)?)?)?)?)?$`)
var hexWordRe = regexp.MustCompile(`(?i)^\(?0x([0-9a-f]{8})\)?$`)

var hashColumns = map[string]string{"SHA1": "SHA1", "SHA256": "SHA256", "MD5": "MD5"}

// hashMatch compares Sysmon's Hashes ("SHA256=...,IMPHASH=...") with the
// hash columns the normalizer fills.
func (d *detector) hashMatch(val *yaml.Node, p pattern) (expr, error) {
	o, lit := p.shape()
	if o == opRegex || o == opAny {
		if d.t.raw != nil {
			return nil, errNeedRaw
		}
		return nil, errAt(val, ReasonValue, "a Hashes pattern with inner wildcards")
	}
	var xs []expr
	for _, part := range strings.Split(lit, ",") {
		algo, hex, ok := strings.Cut(part, "=")
		if !ok {
			hex = part
			var cols []string
			switch len(strings.TrimSpace(hex)) {
			case 32:
				cols = []string{"MD5"}
			case 40:
				cols = []string{"SHA1"}
			case 64:
				cols = []string{"SHA256"}
			default:
				cols = []string{"SHA1", "SHA256", "MD5"}
			}
			var ys []expr
			for _, c := range cols {
				ys = append(ys, strMatch(c, pattern{{lit: strings.TrimSpace(hex)}}.wrap(o != opEq, o != opEq), false))
			}
			xs = append(xs, or(ys...))
			continue
		}
		algo = strings.ToUpper(strings.TrimSpace(algo))
		hex = strings.TrimSpace(hex)
		if hex == "" {
			// "IMPHASH=" alone: the event has that hash.
			if col, ok := hashColumns[algo]; ok {
				xs = append(xs, atom("isnotempty("+col+")"))
				continue
			}
			if algo == "IMPHASH" && d.t.extra {
				xs = append(xs, atom("isnotempty("+extraField("Imphash")+")"))
				continue
			}
		}
		if col, ok := hashColumns[algo]; ok {
			// The value may be cut by the pattern's ends: a prefix or
			// suffix of the hash.
			full := o == opEq || o == opContains && len(hex) == map[string]int{"SHA1": 40, "SHA256": 64, "MD5": 32}[algo]
			if full {
				xs = append(xs, atom(col+" =~ "+quote(hex)))
			} else {
				xs = append(xs, atom(col+" contains "+quote(hex)))
			}
			continue
		}
		if algo == "IMPHASH" && d.t.extra {
			xs = append(xs, atom(extraField("Imphash")+" =~ "+quote(hex)))
			continue
		}
		if d.t.raw != nil {
			return nil, errNeedRaw
		}
		return nil, errAt(val, ReasonValue, "hash %s has no column here", algo)
	}
	if len(xs) == 0 {
		return nil, errAt(val, ReasonValue, "empty hash value %q", val.Value)
	}
	return and(xs...), nil
}

// regexMatch compiles |re, with its i, m and s flags; Sigma's regular
// expressions are case-sensitive unless flagged i.
func (d *detector) regexMatch(val *yaml.Node, f field, m modifiers) (expr, error) {
	re := val.Value
	if _, err := regexp.Compile(re); err != nil {
		return nil, errAt(val, ReasonValue, "regular expression %q is not RE2 syntax: %v", re, err)
	}
	flags := m.reFlags
	if m.cased {
		flags = strings.ReplaceAll(flags, "i", "")
	}
	if flags != "" {
		fl := []byte(flags)
		sort.Slice(fl, func(i, j int) bool { return fl[i] < fl[j] })
		re = "(?" + string(fl) + ")" + re
	}
	cmp := func(col string) expr { return atom(col + " matches regex " + quote(re)) }
	switch f.kind {
	case kString, kRegData:
		return cmp(f.col), nil
	case kRegKey:
		return cmp(f.col), nil
	case kNumber:
		return cmp("tostring(" + f.col + ")"), nil
	case kNetIP:
		return netSides(f, cmp), nil
	case kNetPort:
		return netSides(f, func(col string) expr { return cmp("tostring(" + col + ")") }), nil
	case kUser:
		return cmp(`iff(isempty(` + f.col + `), ` + f.col2 + `, strcat(` + f.col + `, "\\", ` + f.col2 + `))`), nil
	}
	if d.t.raw != nil {
		return nil, errNeedRaw
	}
	return nil, errAt(val, ReasonModifier, "re is not supported on this field")
}

// fieldRef compiles Field|fieldref: OtherField.
func (d *detector) fieldRef(k *yaml.Node, f field, m modifiers, val *yaml.Node) (expr, error) {
	g, ok := d.t.resolve(val.Value)
	if !ok {
		if d.t.raw != nil {
			return nil, errNeedRaw
		}
		return nil, errAt(val, ReasonField, "field %s has no column in %s", val.Value, d.t.table)
	}
	if f.kind != kString || g.kind != kString {
		if f.kind == kNumber && g.kind == kNumber && !m.contains && !m.startswith && !m.endswith {
			return atom(f.col + " == " + g.col), nil
		}
		if d.t.raw != nil {
			return nil, errNeedRaw
		}
		return nil, errAt(k, ReasonModifier, "fieldref between %s and %s is not supported", k.Value, val.Value)
	}
	sfx := ""
	if m.cased {
		sfx = "_cs"
	}
	switch {
	case m.contains:
		return atom(f.col + " contains" + sfx + " " + g.col), nil
	case m.startswith:
		return atom(f.col + " startswith" + sfx + " " + g.col), nil
	case m.endswith:
		return atom(f.col + " endswith" + sfx + " " + g.col), nil
	case m.cased:
		return atom(f.col + " == " + g.col), nil
	}
	return atom(f.col + " =~ " + g.col), nil
}

// cidrMatch compiles |cidr.
func (d *detector) cidrMatch(val *yaml.Node, f field) (expr, error) {
	c, err := cidrPredicate(val.Value)
	if err != nil {
		return nil, errAt(val, ReasonValue, "%v", err)
	}
	switch f.kind {
	case kNetIP:
		return netSides(f, c), nil
	case kString:
		return c(f.col), nil
	}
	return nil, errAt(val, ReasonModifier, "cidr on a field that is not an address")
}

// keywords searches the target's text columns for any of the words.
func (d *detector) keywords(words []*yaml.Node, m *modifiers, at *yaml.Node) (expr, error) {
	if len(d.t.keywords) == 0 {
		return nil, errAt(at, ReasonField, "keyword search is not supported on %s", d.t.table)
	}
	mm := modifiers{contains: true}
	if m != nil {
		mm = *m
		if !mm.startswith && !mm.endswith && !mm.re {
			mm.contains = true
		}
	}
	var per []expr
	for _, w := range words {
		if w.Kind != yaml.ScalarNode || w.Tag == "!!null" {
			return nil, errAt(w, ReasonValue, "a keyword is a string")
		}
		var xs []expr
		for _, col := range d.t.keywords {
			x, err := d.valueMatch(at, str(col), mm, w)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		per = append(per, or(xs...))
	}
	if mm.all {
		return and(per...), nil
	}
	return or(per...), nil
}

// longestLiteral is the longest literal run of a pattern, if at least
// three characters long (shorter ones filter little).
func longestLiteral(p pattern) string {
	best := ""
	for _, x := range p {
		if x.wild == 0 && len(x.lit) > len(best) {
			best = x.lit
		}
	}
	if len(best) < 3 {
		return ""
	}
	return best
}

// longestPiece is the longest run of a pattern's literals between
// backslashes, if at least three characters long.
func longestPiece(p pattern) string {
	best := ""
	for _, x := range p {
		if x.wild != 0 {
			continue
		}
		for _, s := range strings.Split(x.lit, `\`) {
			// Every path of a hive holds its root's name.
			if len(s) > len(best) && !strings.HasPrefix(strings.ToUpper(s), "HKEY_") {
				best = s
			}
		}
	}
	if len(best) < 3 {
		return ""
	}
	return best
}

// jsonEscape writes s (valid UTF-8) as the Windows normalizer writes it
// inside a JSON string.
func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
