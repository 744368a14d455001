package simulate

import (
	"bytes"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/schema"
)

// A scenario is an attack written as data: actors picked from the
// organisation by role, variables, and a sequence of steps, each labelled
// with an ATT&CK technique, timed relative to the scenario's start, and
// emitting rows declared table by table. See scenarios/*.yaml and the
// package documentation for the format.
type Scenario struct {
	Name        string              `yaml:"name"`
	Title       string              `yaml:"title"`
	Description string              `yaml:"description"`
	Actors      ordered[*ActorSpec] `yaml:"actors"`
	Vars        ordered[*tmpl]      `yaml:"vars"`
	Steps       []*StepSpec         `yaml:"steps"`
	source      string
}

// ActorSpec picks an actor from the organisation.
type ActorSpec struct {
	// Kind is user, users, device or devices.
	Kind string `yaml:"kind"`
	// Role filters by role (user: employee, finance, executive, admin,
	// service; device: workstation, server, dc, mail); several are allowed.
	Role stringList `yaml:"role"`
	// OS filters devices (windows, linux); Function filters servers (file,
	// sql, web, ...).
	OS       string `yaml:"os"`
	Function string `yaml:"function"`
	// Of picks the primary workstation of a user actor.
	Of string `yaml:"of"`
	// WithDevice keeps users that have a primary workstation; WithSPN
	// keeps accounts with a service principal name.
	WithDevice bool `yaml:"withDevice"`
	WithSPN    bool `yaml:"withSpn"`
	// Count is how many a list kind picks (0: all that match).
	Count int `yaml:"count"`
	// Exclude names actors that must not be picked again.
	Exclude stringList `yaml:"exclude"`
}

// StepSpec is one step of an attack.
type StepSpec struct {
	Name        string   `yaml:"name"`
	Technique   string   `yaml:"technique"`
	Tactic      string   `yaml:"tactic"`
	Description string   `yaml:"description"`
	At          Duration `yaml:"at"`
	Jitter      Duration `yaml:"jitter"`
	// Device and User name the actors rows default to.
	Device string `yaml:"device"`
	User   string `yaml:"user"`
	// Foreach repeats the step for each element of list actors (bound to
	// .Each and to device/account "each"); Parallel starts every element
	// at the step's time instead of one after another.
	Foreach  stringList  `yaml:"foreach"`
	Parallel bool        `yaml:"parallel"`
	Repeat   *RepeatSpec `yaml:"repeat"`
	Rows     []*RowSpec  `yaml:"rows"`
}

// RepeatSpec repeats a step's rows (.I is the iteration, from 0).
type RepeatSpec struct {
	Count  int      `yaml:"count"`
	Every  Duration `yaml:"every"`
	Jitter Duration `yaml:"jitter"`
}

// RowSpec declares one row.
type RowSpec struct {
	Table string `yaml:"table"`
	// After is the gap from the previous row of the iteration (default: a
	// random 0.1-0.9 s; the first row starts at the iteration's time).
	After *Duration `yaml:"after"`
	// Device: an actor name or "each"; Account: an actor name, "each", or
	// an inline account.
	Device  string      `yaml:"device"`
	Account *AccountRef `yaml:"account"`
	// Process starts a process (DeviceProcessEvents: the created process;
	// elsewhere the Process* columns). Initiating names the process behind
	// the row: a process id started earlier in the scenario on the same
	// device, or an image name for a process that was already running.
	Process    *ProcSpec          `yaml:"process"`
	Initiating string             `yaml:"initiating"`
	File       *FileSpec          `yaml:"file"`
	Set        ordered[*cellSpec] `yaml:"set"`
}

// ProcSpec describes a process a row starts.
type ProcSpec struct {
	ID          string `yaml:"id"`
	Image       *tmpl  `yaml:"image"`
	Parent      string `yaml:"parent"`
	User        string `yaml:"user"`
	CommandLine *tmpl  `yaml:"commandLine"`
	Integrity   string `yaml:"integrity"`
	Elevation   string `yaml:"elevation"`
}

// FileSpec describes the file a row is about.
type FileSpec struct {
	Path     *tmpl `yaml:"path"`
	Previous *tmpl `yaml:"previous"`
	Size     *tmpl `yaml:"size"`
	SHA256   *tmpl `yaml:"sha256"`
}

// AccountRef is an actor name or an inline account.
type AccountRef struct {
	Actor       string
	Name        *tmpl `yaml:"name"`
	Domain      *tmpl `yaml:"domain"`
	Upn         *tmpl `yaml:"upn"`
	Sid         *tmpl `yaml:"sid"`
	DisplayName *tmpl `yaml:"displayName"`
}

func (a *AccountRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		a.Actor = n.Value
		return nil
	}
	type plain AccountRef
	return strictDecode(n, (*plain)(a))
}

// strictDecode decodes a node, rejecting mapping keys the target struct
// does not have (Node.Decode alone ignores them, and a misspelt field
// would silently do nothing).
func strictDecode(n *yaml.Node, v any) error {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, custom := reflect.New(t).Interface().(yaml.Unmarshaler); custom {
		return n.Decode(v)
	}
	if n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct {
		allowed := map[string]bool{}
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				allowed[name] = true
			}
		}
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; !allowed[k.Value] {
				return fmt.Errorf("line %d: unknown field %q", k.Line, k.Value)
			}
		}
	}
	return n.Decode(v)
}

// Duration is a Go duration in YAML ("90s", "1h30m").
type Duration time.Duration

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "0" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (e.g. 90s, 1h30m)", n.Line, n.Value)
	}
	if v < 0 {
		return fmt.Errorf("line %d: negative duration %s", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = stringList{n.Value}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// ordered is a YAML mapping that keeps its keys' order: actors, variables
// and cells are evaluated in the order written, so random draws happen in
// a fixed order.
type ordered[T any] struct {
	keys []string
	vals map[string]T
}

func (m *ordered[T]) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping", n.Line)
	}
	m.vals = map[string]T{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if _, dup := m.vals[k]; dup {
			return fmt.Errorf("line %d: %q given twice", n.Content[i].Line, k)
		}
		var v T
		if err := strictDecode(n.Content[i+1], &v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		m.keys = append(m.keys, k)
		m.vals[k] = v
	}
	return nil
}

// tmpl is text that may hold {{...}} template actions.
type tmpl struct {
	raw string
	t   *template.Template
}

func (t *tmpl) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want text", n.Line)
	}
	return t.parse(n.Value, n.Line)
}

func (t *tmpl) parse(s string, line int) error {
	t.raw = s
	if !strings.Contains(s, "{{") {
		return nil
	}
	pt, err := template.New("").Option("missingkey=error").Funcs(templateFuncs).Parse(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", line, err)
	}
	t.t = pt
	return nil
}

func (t *tmpl) eval(data *TemplateData) (string, error) {
	if t == nil {
		return "", nil
	}
	if t.t == nil {
		return t.raw, nil
	}
	var b bytes.Buffer
	if err := t.t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// cellSpec is a column's value: a template, or a YAML number, bool,
// mapping or list (mappings and lists become JSON, their strings
// templated).
type cellSpec struct {
	node *yaml.Node
	text *tmpl // for scalars
}

func (c *cellSpec) UnmarshalYAML(n *yaml.Node) error {
	c.node = n
	if n.Kind == yaml.ScalarNode {
		c.text = &tmpl{}
		return c.text.parse(n.Value, n.Line)
	}
	return validateTemplates(n)
}

func validateTemplates(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		var t tmpl
		return t.parse(n.Value, n.Line)
	}
	for _, c := range n.Content {
		if err := validateTemplates(c); err != nil {
			return err
		}
	}
	return nil
}

// TemplateData is what {{...}} in a scenario sees.
type TemplateData struct {
	Org *Org
	// A holds the actors by name: *User, *Device, []*User or []*Device.
	A    map[string]any
	Vars map[string]string
	// Device and User are the row's device and account actor; Each is the
	// foreach element (a *User or *Device); I is the repeat iteration.
	Device *Device
	User   *User
	Each   any
	I      int
	Time   time.Time
	// Rand draws from the scenario's own random stream.
	Rand *TemplateRand
}

// TemplateRand offers random choices to templates: {{.Rand.Int 1 9}},
// {{.Rand.Hex 8}}, {{.Rand.Pick "a" "b"}}, {{.Rand.GUID}}, {{.Rand.Doc}}.
type TemplateRand struct {
	r    *rng
	docs []string
}

func (t *TemplateRand) Int(lo, hi int) int { return int(t.r.between(int64(lo), int64(hi))) }
func (t *TemplateRand) Hex(n int) string   { return string(appendHex(nil, t.r, n)) }
func (t *TemplateRand) GUID() string       { return t.r.guid() }
func (t *TemplateRand) Doc() string        { return t.docs[t.r.intn(len(t.docs))] }

// DocAt, ExtAt and ShareAt name the i-th document, extension and share
// the same way each time they are asked, so that two fields of a row (a
// renamed file's old and new name) agree.
func (d *TemplateData) DocAt(i int) string { return d.Rand.docs[(i*7919)%len(d.Rand.docs)] }
func (d *TemplateData) ExtAt(i int) string { return docExts[(i*31)%len(docExts)] }
func (d *TemplateData) ShareAt(i int) string {
	return shareNames[(i*13)%len(shareNames)]
}

func (t *TemplateRand) Pick(items ...string) string {
	if len(items) == 0 {
		return ""
	}
	return items[t.r.intn(len(items))]
}

var templateFuncs = template.FuncMap{
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"add":   func(a, b int) int { return a + b },
	"mul":   func(a, b int) int { return a * b },
	"mod":   func(a, b int) int { return a % max(b, 1) },
	"pad":   func(n, width int) string { return pad(n, width) },
	"json": func(s string) string {
		b := jsonenc.AppendString(nil, s)
		return string(b[1 : len(b)-1])
	},
	// b64utf16 encodes text the way PowerShell's -EncodedCommand wants it.
	"b64utf16": func(s string) string {
		u := utf16.Encode([]rune(s))
		b := make([]byte, 2*len(u))
		for i, c := range u {
			b[2*i], b[2*i+1] = byte(c), byte(c>>8)
		}
		return base64.StdEncoding.EncodeToString(b)
	},
	"host": func(d *Device) string {
		if d == nil {
			return ""
		}
		return strings.ToLower(d.Host)
	},
}

var (
	techniqueRE = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	nameRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

//go:embed scenarios/*.yaml
var shippedFS embed.FS

// Scenarios returns the shipped scenarios, sorted by name, freshly parsed
// (callers may change them).
func Scenarios() []*Scenario {
	entries, err := fs.ReadDir(shippedFS, "scenarios")
	if err != nil {
		panic(err)
	}
	var out []*Scenario
	for _, e := range entries {
		data, err := shippedFS.ReadFile("scenarios/" + e.Name())
		if err != nil {
			panic(err)
		}
		sc, err := LoadScenario(data)
		if err != nil {
			// The shipped files are tested; a broken one is a build bug.
			panic(fmt.Sprintf("simulate: scenarios/%s: %v", e.Name(), err))
		}
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ScenarioByName returns a shipped scenario.
func ScenarioByName(name string) (*Scenario, bool) {
	for _, sc := range Scenarios() {
		if sc.Name == name {
			return sc, true
		}
	}
	return nil, false
}

// LoadScenario parses and checks a scenario file. Every error names what
// is wrong and where.
func LoadScenario(data []byte) (*Scenario, error) {
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if err := sc.validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return &sc, nil
}

func (sc *Scenario) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !nameRE.MatchString(sc.Name) {
		bad("name %q: want lower-case letters, digits and dashes", sc.Name)
	}
	if len(sc.Steps) == 0 {
		bad("no steps")
	}
	kinds := map[string]string{}
	for _, name := range sc.Actors.keys {
		a := sc.Actors.vals[name]
		switch a.Kind {
		case "user", "users", "device", "devices":
		default:
			bad("actor %s: kind %q: want user, users, device or devices", name, a.Kind)
		}
		if name == "each" {
			bad("actor name %q is reserved", name)
		}
		if a.Of != "" {
			if k, ok := kinds[a.Of]; !ok || k != "user" {
				bad("actor %s: of %q: want a user actor declared before it", name, a.Of)
			}
		}
		for _, ex := range a.Exclude {
			if _, ok := kinds[ex]; !ok {
				bad("actor %s: exclude %q: no such actor declared before it", name, ex)
			}
		}
		kinds[name] = a.Kind
	}
	actor := func(where, name string, want ...string) {
		if name == "" || name == "each" {
			return
		}
		k, ok := kinds[name]
		if !ok {
			bad("%s: no actor %q", where, name)
			return
		}
		for _, w := range want {
			if k == w {
				return
			}
		}
		bad("%s: actor %q is a %s, want %s", where, name, k, strings.Join(want, " or "))
	}
	seen := map[string]bool{}
	for i, st := range sc.Steps {
		where := fmt.Sprintf("step %d (%s)", i+1, st.Name)
		if st.Name == "" {
			bad("step %d: no name", i+1)
		}
		if seen[st.Name] {
			bad("%s: name used twice", where)
		}
		seen[st.Name] = true
		if !techniqueRE.MatchString(st.Technique) {
			bad("%s: technique %q: want an ATT&CK id like T1059 or T1059.001", where, st.Technique)
		}
		actor(where+" device", st.Device, "device")
		actor(where+" user", st.User, "user")
		for _, f := range st.Foreach {
			actor(where+" foreach", f, "users", "devices", "user", "device")
		}
		if st.Repeat != nil && (st.Repeat.Count < 1 || st.Repeat.Count > 100_000) {
			bad("%s: repeat count %d: want 1 to 100000", where, st.Repeat.Count)
		}
		if len(st.Rows) == 0 {
			bad("%s: no rows", where)
		}
		for j, rs := range st.Rows {
			rw := fmt.Sprintf("%s row %d", where, j+1)
			t, ok := tabByName[rs.Table]
			if !ok {
				if st, ok := schema.LookupFold(rs.Table); ok {
					bad("%s: unknown table %q (did you mean %s?)", rw, rs.Table, st.Name)
				} else {
					bad("%s: unknown table %q", rw, rs.Table)
				}
				continue
			}
			actor(rw+" device", rs.Device, "device")
			if rs.Account != nil {
				actor(rw+" account", rs.Account.Actor, "user")
			}
			if rs.Process != nil {
				if rs.Process.Image == nil {
					bad("%s: process without image", rw)
				}
				if u := rs.Process.User; u != "" && !systemAccounts[u] {
					actor(rw+" process user", u, "user")
				}
			}
			for _, c := range rs.Set.keys {
				col, _, ok := t.s.Column(c)
				if !ok {
					bad("%s: table %s has no column %q", rw, t.name, c)
					continue
				}
				switch col.Type {
				case schema.TimeSpan, schema.Decimal:
					bad("%s: column %s: %s values are not supported in scenarios", rw, c, col.Type)
				}
				if c == "Timestamp" || c == "ReportId" {
					bad("%s: column %s is set by the generator", rw, c)
				}
			}
		}
	}
	return errors.Join(errs...)
}

var systemAccounts = map[string]bool{"system": true, "local service": true, "network service": true, "root": true}

// Duration estimates how long the scenario runs, for placing it in a
// range: the latest step start plus its repeats and jitter.
func (sc *Scenario) Duration() time.Duration {
	var end time.Duration
	for _, st := range sc.Steps {
		d := time.Duration(st.At) + time.Duration(st.Jitter)
		n := 1
		for _, f := range st.Foreach {
			if a, ok := sc.Actors.vals[f]; ok && a.Count > 0 && !st.Parallel {
				n *= a.Count
			}
		}
		if st.Repeat != nil {
			d += time.Duration(n*st.Repeat.Count) * (time.Duration(st.Repeat.Every) + time.Duration(st.Repeat.Jitter))
		} else {
			d += time.Duration(n*len(st.Rows)) * time.Second
		}
		end = max(end, d)
	}
	return end
}

// Techniques lists the scenario's ATT&CK techniques in step order.
func (sc *Scenario) Techniques() []string {
	var out []string
	for _, st := range sc.Steps {
		out = append(out, st.Technique)
	}
	return out
}

func parseInt(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) }
