package sensor

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/vigilsec/vigil"

// allowedInternal are the module's packages the sensor may import besides
// its own tree.
var allowedInternal = []string{
	module + "/internal/schema",
	module + "/internal/version",
}

type pkg struct {
	ImportPath string
	Standard   bool
	CgoFiles   []string
	Imports    []string
}

// violations returns, for a dependency list, every package that breaks the
// fence: a module package outside the sensor tree and the allow list, a
// third-party package that needs cgo, or any import of "C".
func violations(deps []pkg) []string {
	var out []string
	for _, p := range deps {
		switch {
		case p.Standard:
			if len(p.CgoFiles) > 0 && p.ImportPath != "runtime/cgo" {
				out = append(out, p.ImportPath+": standard package built with cgo")
			}
		case strings.HasPrefix(p.ImportPath, module+"/"):
			if !inSensorTree(p.ImportPath) && !allowed(p.ImportPath) {
				out = append(out, p.ImportPath+": server-side package imported by the sensor")
			}
		}
		if !p.Standard && len(p.CgoFiles) > 0 {
			out = append(out, p.ImportPath+": needs cgo")
		}
		for _, imp := range p.Imports {
			if imp == "C" {
				out = append(out, p.ImportPath+": imports C")
			}
		}
	}
	return out
}

func inSensorTree(path string) bool {
	return path == module+"/internal/sensor" || strings.HasPrefix(path, module+"/internal/sensor/") ||
		path == module+"/cmd/vigil-sensor"
}

func allowed(path string) bool {
	for _, a := range allowedInternal {
		if path == a {
			return true
		}
	}
	return false
}

// TestSensorDependencyFence lists the real dependencies of the sensor tree
// with cgo disabled and fails on any violation.
func TestSensorDependencyFence(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,CgoFiles,Imports",
		module+"/internal/sensor/...", module+"/cmd/vigil-sensor")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list (CGO_ENABLED=0) failed: the sensor tree must build without cgo: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var deps []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, p)
	}
	if len(deps) == 0 {
		t.Fatal("go list returned no packages")
	}
	for _, v := range violations(deps) {
		t.Error(v)
	}
}

// TestFenceCatchesCrossing proves the fence fails when crossed: each case
// is a dependency list that must be rejected.
func TestFenceCatchesCrossing(t *testing.T) {
	f := func(p pkg, wantViolation bool) {
		t.Helper()
		got := violations([]pkg{p})
		if (len(got) > 0) != wantViolation {
			t.Errorf("%+v: violations %v, want violation=%v", p, got, wantViolation)
		}
	}
	f(pkg{ImportPath: module + "/internal/store/duckdb"}, true)
	f(pkg{ImportPath: module + "/internal/api"}, true)
	f(pkg{ImportPath: module + "/internal/sensorx"}, true)
	f(pkg{ImportPath: "github.com/duckdb/duckdb-go/v2", CgoFiles: []string{"duckdb.go"}}, true)
	f(pkg{ImportPath: module + "/internal/sensor/spool", Imports: []string{"C"}}, true)
	f(pkg{ImportPath: module + "/internal/sensor/spool"}, false)
	f(pkg{ImportPath: module + "/internal/schema"}, false)
	f(pkg{ImportPath: "net/http", Standard: true}, false)
	f(pkg{ImportPath: "golang.org/x/sys/unix"}, false)
}
