package sigma

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilsec/vigil/internal/detect"
)

// Options configure the compiler.
type Options struct {
	// Placeholders are the values of the expand modifier's %name%
	// placeholders (a list each); a placeholder without one makes the rule
	// fail to compile, with the name in the reason.
	Placeholders map[string][]string
	// Library holds detection rules of other files that correlation
	// rules may refer to by name or id (see Library).
	Library []*Document
}

// Library parses the detection rules of several files, for correlation
// rules in one file that refer to rules in another. Files that do not
// parse are skipped: CompileFile reports them.
func Library(files ...[]byte) []*Document {
	var out []*Document
	for _, data := range files {
		docs, err := Parse(data)
		if err != nil {
			continue
		}
		for _, d := range docs {
			if d.Detection != nil && (d.Name != "" || d.ID != "") {
				out = append(out, d)
			}
		}
	}
	return out
}

// Result is one rule of a file: compiled, or the reason it is not.
type Result struct {
	Title   string
	SigmaID string
	Line    int
	// Rule and Compiled are set when the rule compiles.
	Rule     *detect.Rule
	Compiled *detect.Compiled
	Err      error
}

// CompileFile compiles the rules of one Sigma file. A file that does not
// parse gives one failed Result; otherwise there is one Result per rule
// (the detection rules a correlation rule uses are part of it, and not
// rules of their own unless it says generate: true).
func CompileFile(data []byte, opts *Options) []Result {
	if opts == nil {
		opts = &Options{}
	}
	docs, err := Parse(data)
	if err != nil {
		return []Result{{Err: err}}
	}
	referenced, generate := map[*Document]bool{}, map[*Document]bool{}
	for _, d := range docs {
		if d.Correlation == nil {
			continue
		}
		refs, gen, _ := correlationRefs(d)
		for _, r := range refs {
			for _, o := range docs {
				if o != d && (o.Name == r || o.ID == r) {
					referenced[o] = true
					if gen {
						generate[o] = true
					}
				}
			}
		}
	}
	var out []Result
	for _, d := range docs {
		if referenced[d] && !generate[d] {
			continue
		}
		res := Result{Title: d.Title, SigmaID: d.ID, Line: d.Line}
		var r *detect.Rule
		if d.Correlation != nil {
			r, err = compileCorrelation(d, docs, opts)
		} else {
			r, err = compileDetection(d, opts)
		}
		if err == nil {
			res.Compiled, err = validate(r)
		}
		if err != nil {
			res.Err = err
		} else {
			res.Rule = r
		}
		out = append(out, res)
	}
	return out
}

// compileDetection compiles a detection rule's query and metadata.
func compileDetection(d *Document, opts *Options) (*detect.Rule, error) {
	body, t, err := detectionQuery(d, opts)
	if err != nil {
		return nil, err
	}
	r := metadata(d)
	r.Query = t.table + "\n| where " + body
	if t.tail != "" {
		r.Query += "\n" + t.tail
	}
	return r, nil
}

// detectionQuery compiles the where-predicate of a detection rule and
// returns it with the target it reads; fields without a column in the
// Defender table move the whole rule to the raw copy of its events.
func detectionQuery(d *Document, opts *Options) (string, *target, error) {
	t, err := resolveLogsource(d.Logsource)
	if err != nil {
		return "", nil, err
	}
	x, err := (&detector{t: t, opts: opts}).detection(d.Detection)
	if errors.Is(err, errNeedRaw) {
		t = t.raw
		x, err = (&detector{t: t, opts: opts}).detection(d.Detection)
	}
	if errors.Is(err, errNeedRaw) {
		return "", nil, &Error{Reason: ReasonField, Msg: "a field has no column even in the raw events"}
	}
	if err != nil {
		return "", nil, err
	}
	return exprString(and(t.base, x)), t, nil
}

// validate compiles the rule as Vigil runs it: continuously when the
// native evaluator takes the query, else every hour.
func validate(r *detect.Rule) (*detect.Compiled, error) {
	if r.Frequency == "" {
		r.Frequency = detect.Continuous
		c, err := detect.Compile(r)
		if err == nil {
			return c, nil
		}
		r.Frequency = detect.Every1h
	}
	c, err := detect.Compile(r)
	if err != nil {
		return nil, &Error{Reason: ReasonQuery, Msg: err.Error()}
	}
	return c, nil
}

var techniqueTag = regexp.MustCompile(`^attack\.(t\d{4}(\.\d{3})?)$`)

// tactics are ATT&CK's tactics as Sigma tags them, and Defender's alert
// categories for them.
var tactics = map[string]string{
	"reconnaissance": "Reconnaissance", "resource_development": "ResourceDevelopment",
	"initial_access": "InitialAccess", "execution": "Execution", "persistence": "Persistence",
	"privilege_escalation": "PrivilegeEscalation", "defense_evasion": "DefenseEvasion",
	"credential_access": "CredentialAccess", "discovery": "Discovery", "lateral_movement": "LateralMovement",
	"collection": "Collection", "command_and_control": "CommandAndControl", "exfiltration": "Exfiltration",
	"impact": "Impact",
}

var levels = map[string]detect.Severity{
	"informational": detect.Informational, "low": detect.Low, "medium": detect.Medium,
	"high": detect.High, "critical": detect.High,
}

// metadata is the rule's alert details: the title, level, tags and
// credits of the Sigma rule.
func metadata(d *Document) *detect.Rule {
	r := &detect.Rule{ID: ruleID(d), Name: d.Title, Title: d.Title, Enabled: true, Source: "sigma",
		SourceID: d.ID, Author: d.Author, References: d.References, Category: "SuspiciousActivity"}
	r.Severity = levels[strings.ToLower(d.Level)]
	if r.Severity == "" {
		r.Severity = detect.Medium
	}
	seen := map[string]bool{}
	category := ""
	for _, tag := range d.Tags {
		// SigmaHQ writes tactics with hyphens now (attack.credential-access).
		tag = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(tag)), "-", "_")
		if m := techniqueTag.FindStringSubmatch(tag); m != nil {
			id := strings.ToUpper(m[1])
			if !seen[id] {
				seen[id] = true
				r.Techniques = append(r.Techniques, id)
			}
		} else if c, ok := tactics[strings.TrimPrefix(tag, "attack.")]; ok && strings.HasPrefix(tag, "attack.") && category == "" {
			category = c
		}
	}
	if category != "" {
		r.Category = category
	}
	var desc strings.Builder
	desc.WriteString(strings.TrimSpace(d.Description))
	if desc.Len() > 0 {
		desc.WriteString("\n\n")
	}
	fmt.Fprintf(&desc, "Sigma rule %s", d.ID)
	if d.Author != "" {
		fmt.Fprintf(&desc, " by %s", d.Author)
	}
	desc.WriteString(" (Detection Rule License 1.1).")
	if len(d.References) > 0 {
		desc.WriteString(" References: " + strings.Join(d.References, ", ") + ".")
	}
	r.Description = desc.String()
	if len(d.FalsePositives) > 0 {
		r.RecommendedActions = "Known false positives: " + strings.Join(d.FalsePositives, "; ") + "."
	}
	return r
}

// ruleID is the Vigil rule id of a Sigma rule: its Sigma id, or a hash of
// its title when it has none.
func ruleID(d *Document) string {
	id := strings.ToLower(strings.TrimSpace(d.ID))
	if id == "" || !safeID.MatchString(id) {
		h := sha256.Sum256([]byte(d.Title + "\x00" + d.ID))
		id = hex.EncodeToString(h[:8])
	}
	return "sigma-" + id
}

var safeID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)
