package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/sigma"
	"github.com/vigilsec/vigil/internal/server"
	"github.com/vigilsec/vigil/internal/state"
)

const importSigmaUsage = `usage: vigil rules import-sigma PATH... (--data DIR | --dry-run | --json) [--placeholder NAME=VALUE]...
  Compiles Sigma rules (files, or directories searched for .yml/.yaml) into
  Vigil rules. Rules that do not compile are listed one by one with the
  reason. --data installs the compiled rules as custom rules of a data dir
  (a rule imported again is updated); --dry-run prints them as rule YAML,
  --json as one JSON object per rule and failure.`

// placeholderFlag collects --placeholder NAME=VALUE (repeatable; a name
// given several times has several values).
type placeholderFlag map[string][]string

func (p placeholderFlag) String() string { return "" }

func (p placeholderFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.Trim(strings.TrimSpace(name), "%")
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", s)
	}
	p[name] = append(p[name], value)
	return nil
}

// sigmaOutcome is one rule of an import.
type sigmaOutcome struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Title  string `json:"title,omitempty"`
	Sigma  string `json:"sigma_id,omitempty"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	Rule   *struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		Frequency  string   `json:"frequency"`
		Severity   string   `json:"severity"`
		Category   string   `json:"category"`
		Techniques []string `json:"techniques"`
		Author     string   `json:"author,omitempty"`
		Query      string   `json:"query"`
	} `json:"rule,omitempty"`
	compiled *detect.Rule
}

func runImportSigma(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules import-sigma", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "install the compiled rules as custom rules of this data dir")
	dry := fs.Bool("dry-run", false, "print the compiled rules as rule YAML instead of installing them")
	asJSON := fs.Bool("json", false, "print one JSON object per rule and failure instead of installing")
	ph := placeholderFlag{}
	fs.Var(ph, "placeholder", "a value of an expand placeholder, NAME=VALUE (repeatable)")
	// Paths and flags may come in any order.
	var paths []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error() + "\n" + importSigmaUsage}
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) == 0 {
		return usageError{"rules import-sigma needs rule files or directories\n" + importSigmaUsage}
	}
	if (*data == "") == !(*dry || *asJSON) || (*data != "" && (*dry || *asJSON)) {
		return usageError{"rules import-sigma needs exactly one of --data DIR, --dry-run or --json\n" + importSigmaUsage}
	}
	files, err := sigmaFiles(paths)
	if err != nil {
		return err
	}
	// Correlation rules may refer to rules of any file imported together.
	contents := make([][]byte, len(files))
	readErr := make([]error, len(files))
	for i, f := range files {
		contents[i], readErr[i] = os.ReadFile(f)
	}
	opts := &sigma.Options{Placeholders: ph, Library: sigma.Library(contents...)}
	var outs []sigmaOutcome
	for i, f := range files {
		if readErr[i] != nil {
			outs = append(outs, sigmaOutcome{File: f, Reason: string(sigma.ReasonInvalid), Error: readErr[i].Error()})
			continue
		}
		for _, res := range sigma.CompileFile(contents[i], opts) {
			outs = append(outs, outcome(f, res))
		}
	}
	ok := 0
	for _, o := range outs {
		if o.OK {
			ok++
		}
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		for _, o := range outs {
			if err := enc.Encode(o); err != nil {
				return err
			}
		}
	case *dry:
		for _, o := range outs {
			if !o.OK {
				continue
			}
			def, err := detect.FormatRule(o.compiled)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "---\n# %s (%s)\n%s", o.File, o.Sigma, def)
			if len(def) > 0 && def[len(def)-1] != '\n' {
				fmt.Fprintln(stdout)
			}
		}
	}
	if !*asJSON {
		reportSigmaFailures(outs, stderr)
	}
	installed, updated := 0, 0
	if *data != "" {
		if installed, updated, err = installSigma(ctx, *data, outs); err != nil {
			return err
		}
	}
	if !*asJSON {
		fmt.Fprintf(stderr, "compiled %d of %d Sigma rules", ok, len(outs))
		if *data != "" {
			fmt.Fprintf(stderr, "; installed %d new, updated %d, %d unchanged in %s (a running server loads them on restart)",
				installed, updated, ok-installed-updated, *data)
		}
		fmt.Fprintln(stderr)
	}
	if ok == 0 {
		return fmt.Errorf("no rule compiled")
	}
	return nil
}

func outcome(file string, res sigma.Result) sigmaOutcome {
	o := sigmaOutcome{File: file, Line: res.Line, Title: res.Title, Sigma: res.SigmaID}
	if res.Err != nil {
		o.Error = res.Err.Error()
		var se *sigma.Error
		if errors.As(res.Err, &se) {
			o.Reason, o.Error = string(se.Reason), se.Msg
			if se.Line > 0 {
				o.Line = se.Line
			}
		}
		return o
	}
	r := res.Rule
	o.OK, o.compiled = true, r
	o.Rule = &struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		Frequency  string   `json:"frequency"`
		Severity   string   `json:"severity"`
		Category   string   `json:"category"`
		Techniques []string `json:"techniques"`
		Author     string   `json:"author,omitempty"`
		Query      string   `json:"query"`
	}{r.ID, r.Name, string(r.Frequency), string(r.Severity), r.Category, r.Techniques, r.Author, r.Query}
	return o
}

// reportSigmaFailures lists the rules that did not compile, one by one,
// then how many failed for each reason.
func reportSigmaFailures(outs []sigmaOutcome, w io.Writer) {
	byReason := map[string]int{}
	for _, o := range outs {
		if o.OK {
			continue
		}
		loc := o.File
		if o.Line > 0 {
			loc = fmt.Sprintf("%s:%d", o.File, o.Line)
		}
		fmt.Fprintf(w, "FAIL %s: %s: %s\n", loc, o.Reason, o.Error)
		byReason[o.Reason]++
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool { return byReason[reasons[i]] > byReason[reasons[j]] })
	for _, r := range reasons {
		fmt.Fprintf(w, "%6d  %s\n", byReason[r], r)
	}
}

// sigmaFiles expands directories into their .yml and .yaml files.
func sigmaFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// installSigma stores the compiled rules as custom rules, audited as the
// CLI user's changes; a rule already there is updated when it changed.
func installSigma(ctx context.Context, data string, outs []sigmaOutcome) (created, updated int, err error) {
	if err := server.PrepareDataDir(data); err != nil {
		return 0, 0, err
	}
	st, err := server.OpenState(data)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	actor := auth.CLIPrincipal(osUser()).Actor()
	for _, o := range outs {
		if !o.OK {
			continue
		}
		def, err := detect.FormatRule(o.compiled)
		if err != nil {
			return created, updated, err
		}
		id := o.compiled.ID
		details, _ := json.Marshal(map[string]string{"source": "sigma", "sigma_id": o.Sigma, "file": o.File})
		audit := func(action string) state.Audit {
			return state.Audit{Actor: actor, Action: action, Target: "rule:" + id, Remote: "local", Details: details}
		}
		old, err := st.RuleByID(ctx, id)
		switch {
		case errors.Is(err, state.ErrNotFound):
			if err := st.CreateRule(ctx, &state.Rule{ID: id, Definition: string(def), CreatedBy: actor}, audit("rule.create")); err != nil {
				return created, updated, fmt.Errorf("rule %s: %w", id, err)
			}
			created++
		case err != nil:
			return created, updated, err
		case old.Definition != string(def):
			if err := st.UpdateRule(ctx, &state.Rule{ID: id, Definition: string(def), Version: old.Version, UpdatedBy: actor}, audit("rule.update")); err != nil {
				return created, updated, fmt.Errorf("rule %s: %w", id, err)
			}
			updated++
		}
	}
	return created, updated, nil
}
