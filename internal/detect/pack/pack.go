// Package pack is Vigil's built-in detection rules: one YAML file per
// rule (the shape package detect reads), embedded in the binary.
package pack

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/vigilsec/vigil/internal/detect"
)

//go:embed rules/*.yaml
var files embed.FS

// Rules compiles every built-in rule, sorted by id.
func Rules() ([]*detect.Compiled, error) {
	names, err := fs.Glob(files, "rules/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*detect.Compiled
	ids := map[string]string{}
	for _, n := range names {
		data, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		r, err := detect.ParseRule(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if prev, dup := ids[r.ID]; dup {
			return nil, fmt.Errorf("%s: rule id %q is also used by %s", n, r.ID, prev)
		}
		ids[r.ID] = n
		c, err := detect.Compile(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Definition returns the YAML of a built-in rule, by id.
func Definition(id string) (string, bool) {
	names, _ := fs.Glob(files, "rules/*.yaml")
	for _, n := range names {
		data, err := files.ReadFile(n)
		if err != nil {
			continue
		}
		if r, err := detect.ParseRule(data); err == nil && r.ID == id {
			return string(data), true
		}
	}
	return "", false
}
