package eval

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/kql/eval/settest"
	"github.com/vigilsec/vigil/internal/schema"
)

// prefilterText prints a program's prefilter: clauses joined by " & ",
// anchors by " | ", each Column:literal.
func prefilterText(p *Program) string {
	var cs []string
	for _, c := range p.need {
		var as []string
		for _, a := range c {
			if a.wide {
				as = append(as, p.table.Columns[a.col].Name+":<non-ASCII>")
				continue
			}
			if a.num != nil {
				as = append(as, fmt.Sprintf("%s=%d", p.table.Columns[a.col].Name, *a.num))
				continue
			}
			as = append(as, p.table.Columns[a.col].Name+":"+a.lit)
		}
		cs = append(cs, strings.Join(as, " | "))
	}
	return strings.Join(cs, " & ")
}

func TestPrefilter(t *testing.T) {
	f := func(query, want string) {
		t.Helper()
		p, err := CompileText(query, "")
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if got := prefilterText(p); got != want {
			t.Errorf("%s\n got %q\nwant %q", query, got, want)
		}
	}
	const T = "DeviceProcessEvents | where "
	f(T+`FileName =~ "CMD.exe"`, "FileName:cmd.exe")
	f(T+`FileName == "Cmd.exe"`, "FileName:cmd.exe")
	f(T+`"cmd.exe" =~ FileName`, "FileName:cmd.exe")
	f(T+`FileName != "cmd.exe"`, "")
	f(T+`FileName !~ "cmd.exe"`, "")
	f(T+`ProcessCommandLine contains "-Enc"`, "ProcessCommandLine:-enc")
	f(T+`ProcessCommandLine contains_cs "-Enc"`, "ProcessCommandLine:-enc")
	f(T+`ProcessCommandLine !contains "-enc"`, "")
	f(T+`ProcessCommandLine has "whoami" and FolderPath startswith @"C:\Windows"`, `FolderPath:c:\windows & ProcessCommandLine:whoami`)
	f(T+`FolderPath endswith "\\x.exe" or ProcessVersionInfoOriginalFileName =~ "x.exe"`, `FolderPath:\x.exe | ProcessVersionInfoOriginalFileName:x.exe`)
	f(T+`FolderPath endswith "\\x.exe" or ProcessId > 4`, "")
	// An or of ands needs one of each pair of its sides' clauses.
	f(T+`(FileName =~ "a" and ProcessCommandLine contains "bb") or (FolderPath contains "ccc" and AccountName =~ "dddd")`,
		"ProcessCommandLine:bb | AccountName:dddd & ProcessCommandLine:bb | FolderPath:ccc & FileName:a | AccountName:dddd & FileName:a | FolderPath:ccc")
	f(T+`(FileName =~ "a" and ProcessCommandLine contains "bb") or ProcessId > 4`, "")
	f(T+`not(FileName =~ "cmd.exe")`, "")
	f(T+`FileName in~ ("a.exe", "bb.exe")`, "FileName:a.exe | FileName:bb.exe")
	f(T+`FileName in ("a.exe", "B.exe")`, "FileName:a.exe | FileName:b.exe")
	f(T+`FileName !in ("a.exe")`, "")
	f(T+`FileName in~ ("a.exe", "")`, "")
	f(T+`ProcessCommandLine has_any ("-enc", "-e")`, "ProcessCommandLine:-enc | ProcessCommandLine:-e")
	f(T+`ProcessCommandLine has_all ("-enc", "bypass")`, "ProcessCommandLine:bypass & ProcessCommandLine:-enc")
	f(T+`ProcessCommandLine hasprefix "foo" and ProcessCommandLine hassuffix "bar"`, "ProcessCommandLine:foo & ProcessCommandLine:bar")
	// Empty literals never anchor; non-ASCII ones need a non-ASCII value.
	f(T+`ProcessCommandLine contains ""`, "")
	f(T+`ProcessCommandLine contains "straße"`, "ProcessCommandLine:<non-ASCII>")
	f(T+`ProcessCommandLine contains "😀" or ProcessCommandLine has "😃"`, "ProcessCommandLine:<non-ASCII>")
	// Unicode lowercases İ to i and the Kelvin sign to k.
	f(T+`ProcessCommandLine contains "İ"`, "ProcessCommandLine:i")
	f(T+`FileName =~ "Kelvin"`, "FileName:kelvin")
	// RE2 writes (?i)ſ as the folded literal s: sound for ASCII values.
	f(T+`ProcessCommandLine matches regex "(?i)ſ"`, "ProcessCommandLine:s")
	// Regex: required literals, only when every match contains one.
	f(T+`ProcessCommandLine matches regex @"(?i)-enc\s+[a-z]{4}"`, "ProcessCommandLine:-enc")
	f(T+`ProcessCommandLine matches regex "abc|xyz"`, "ProcessCommandLine:abc | ProcessCommandLine:xyz")
	f(T+`ProcessCommandLine matches regex "abc|x*"`, "")
	f(T+`ProcessCommandLine matches regex "(ab)?cd"`, "ProcessCommandLine:cd")
	f(T+`ProcessCommandLine matches regex "(?:fooo)+bar"`, "ProcessCommandLine:fooobar")
	// A literal joins the text every match of its neighbour starts or
	// ends with.
	f(T+`ProcessCommandLine matches regex @"""(?:\{\d\})+""\s*-f"`, `ProcessCommandLine:"{`)
	f(T+`ProcessCommandLine matches regex @"ab(?:cd|ce)+"`, "ProcessCommandLine:abc") // RE2 factors c(?:d|e)
	f(T+`ProcessCommandLine matches regex @"(?:x\d+yz)+\.exe"`, "ProcessCommandLine:yz.exe")
	f(T+`ProcessCommandLine matches regex @"a(?:bc)*d"`, "ProcessCommandLine:a")
	f(T+`ProcessCommandLine matches regex @"w(x{2,3}y)z"`, "ProcessCommandLine:wxx")
	f(T+`ProcessCommandLine matches regex "a.b"`, "ProcessCommandLine:a")
	f(T+`ProcessCommandLine matches regex "^$"`, "")
	// Columns: only input string columns, as they are at the where.
	f(T+`ProcessId == 4`, "ProcessId=4")
	f(T+`4 == ProcessId`, "ProcessId=4")
	f(T+`ProcessId in (4, 0x10)`, "ProcessId=4 | ProcessId=16")
	f(T+`ProcessId in (4, 5.0)`, "")
	f(T+`ProcessId != 4`, "")
	f(T+`ProcessId > 4`, "")
	f(`SecurityEvent | where EventID == 4688 and Channel == "Security"`, "EventID=4688 & Channel:security")
	f(T+`ProcessId == 4 or FileName =~ "x"`, "ProcessId=4 | FileName:x")
	f(`DeviceProcessEvents | extend FileName = ProcessCommandLine | where FileName =~ "x"`, "")
	f(`DeviceProcessEvents | project-rename Cmd = ProcessCommandLine | where Cmd contains "x"`, "ProcessCommandLine:x")
	f(`DeviceProcessEvents | extend L = strlen(FileName) | where FileName =~ "x" | where L > 1`, "FileName:x")
	// take counts rows before a later filter: that filter cannot skip rows.
	f(`DeviceProcessEvents | where FileName =~ "a" | take 3 | where ProcessCommandLine contains "b"`, "FileName:a")
	f(`DeviceProcessEvents | take 3 | where FileName =~ "a"`, "")
	// Let constants; a column of the same name wins.
	f(`let x = "abc"; DeviceProcessEvents | where FileName =~ x`, "FileName:abc")
	f(`let FileName = "abc"; DeviceProcessEvents | where FolderPath =~ FileName`, "")
	// At most maxClauses, the most selective first.
	f(T+`FileName =~ "a" and FolderPath contains "bbbbb" and ProcessCommandLine contains "cc" and AccountName =~ "ddd" and SHA1 == "eeee"`,
		"FolderPath:bbbbb & SHA1:eeee & AccountName:ddd & ProcessCommandLine:cc")
}

func TestACMatcher(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	alpha := "abcAB.\\- xyz"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.Intn(len(alpha))]
		}
		return string(b)
	}
	for round := 0; round < 200; round++ {
		pats := map[string]bool{}
		for i := 0; i < 1+r.Intn(30); i++ {
			pats[strings.ToLower(word(1+r.Intn(5)))] = true
		}
		var list []string
		for p := range pats {
			list = append(list, p)
		}
		m := newACMatcher(list)
		for k := 0; k < 20; k++ {
			s := word(r.Intn(40))
			hits, ok := m.scan(s, nil)
			if !ok {
				t.Fatalf("%q reported non-ASCII", s)
			}
			got := map[string]bool{}
			for _, h := range hits {
				got[list[h]] = true
			}
			for _, p := range list {
				if want := strings.Contains(strings.ToLower(s), p); want != got[p] {
					t.Fatalf("patterns %q, text %q: %q found %v, want %v", list, s, p, got[p], want)
				}
			}
		}
	}
	m := newACMatcher([]string{"kelvin"})
	if _, ok := m.scan("\u212Aelvin", nil); ok {
		t.Error("non-ASCII text must be reported")
	}
}

// quoted finds the string literals of generated queries (the synthetic
// rules write "..." with backslash escapes only).
var quoted = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// ruleVocab returns the literals of the rules' queries, for random rows
// that hit them.
func ruleVocab(queries []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range queries {
		for _, m := range quoted.FindAllStringSubmatch(q, -1) {
			s, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil || seen[s] {
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// mangle changes the case of s at random and, sometimes, swaps a letter
// for a non-ASCII character that Unicode folds onto an ASCII one.
func mangle(r *rand.Rand, s string) string {
	b := []rune(s)
	for i, c := range b {
		switch r.Intn(4) {
		case 0:
			b[i] = []rune(strings.ToUpper(string(c)))[0]
		case 1:
			b[i] = []rune(strings.ToLower(string(c)))[0]
		}
	}
	out := string(b)
	if r.Intn(20) == 0 {
		swaps := []struct{ from, to string }{{"k", "\u212A"}, {"K", "\u212A"}, {"s", "ſ"}, {"i", "İ"}, {"e", "é"}}
		sw := swaps[r.Intn(len(swaps))]
		out = strings.Replace(out, sw.from, sw.to, 1)
	}
	return out
}

// randomRows makes rows of table whose string values are built from the
// vocabulary, real values and noise.
func randomRows(r *rand.Rand, table string, n int, vocab []string, real [][]any) [][]any {
	tb, _ := schema.Lookup(table)
	rows := make([][]any, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		row := make([]any, len(tb.Columns))
		var from []any
		if len(real) > 0 && r.Intn(2) == 0 {
			from = real[r.Intn(len(real))]
		}
		for j, c := range tb.Columns {
			if from != nil && r.Intn(3) > 0 {
				row[j] = from[j]
				continue
			}
			switch c.Type {
			case schema.String:
				var b strings.Builder
				for k := r.Intn(4); k > 0; k-- {
					switch r.Intn(5) {
					case 0:
						b.WriteString(" ")
					case 1:
						b.WriteString(`C:\Windows\System32\`)
					default:
						b.WriteString(mangle(r, vocab[r.Intn(len(vocab))]))
					}
				}
				row[j] = b.String()
			case schema.Long:
				row[j] = int64(r.Intn(70000))
			case schema.Int:
				row[j] = int32(r.Intn(100))
			case schema.DateTime:
				row[j] = base.Add(time.Duration(r.Intn(86400)) * time.Second)
			case schema.Bool:
				row[j] = r.Intn(2) == 0
			}
		}
		rows[i] = row
	}
	return rows
}

// edgeRules are hand-written rules for the prefilter's corners.
var edgeRules = []string{
	`DeviceProcessEvents | where FileName =~ "cmd.exe" | take 2`,
	`DeviceProcessEvents | where FileName =~ "cmd.exe" | take 2 | where ProcessCommandLine contains "whoami"`,
	`DeviceProcessEvents | extend C = tolower(ProcessCommandLine) | where C contains "powershell" and FolderPath contains "\\"`,
	`DeviceProcessEvents | where ProcessCommandLine matches regex @"(?i)k\w+s"`,
	`DeviceProcessEvents | where ProcessCommandLine matches regex @"(?i)(kelvin|sysmon)"`,
	`DeviceProcessEvents | where ProcessCommandLine contains "kelvin" or FileName has "system32"`,
	`DeviceProcessEvents | where ProcessCommandLine has_all ("windows", "system32")`,
	`DeviceProcessEvents | where FileName in ("cmd.exe", "CMD.EXE") and not(ProcessCommandLine has "whoami")`,
	`let x = "powershell"; DeviceProcessEvents | where ProcessCommandLine contains x | project Timestamp, DeviceName, L = strlen(ProcessCommandLine)`,
	`DeviceProcessEvents | where ProcessCommandLine contains "İ"`,
	`DeviceProcessEvents | where ProcessCommandLine contains "ſ" or FileName =~ "Kelvin.exe" or FolderPath in~ ("É", "x")`,
	`DeviceProcessEvents | where ProcessCommandLine matches regex "(?i)ſ|K"`,
	`DeviceProcessEvents | where ProcessCommandLine contains_cs "é" and FileName == "İ"`,
	`DeviceProcessEvents | where tolower(FileName) == "cmd.exe"`,
	`DeviceProcessEvents | where FolderPath startswith_cs "C:\\Windows" and FileName endswith ".exe"`,
	`DeviceProcessEvents | where isnotempty(ProcessCommandLine) and ProcessId > 60000`,
	`DeviceProcessEvents | where ProcessId == 4 or InitiatingProcessId in (1, 2, 3) or FileName =~ "cmd.exe"`,
	`DeviceProcessEvents | where ProcessId in (100, 200, 300, 400, 500, 600, 700, 800, 900)`,
}

// packQueries reads the built-in rules' queries (package pack embeds
// them; it cannot be imported from here).
func packQueries(t testing.TB) []string {
	paths, err := filepath.Glob("../../detect/pack/rules/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("pack rules: %v", err)
	}
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Query string `yaml:"query"`
		}
		if err := yaml.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, r.Query)
	}
	return out
}

var (
	attackOnce sync.Once
	attack     *settest.Ingested
	attackErr  error
)

func attackRows(t testing.TB) *settest.Ingested {
	if _, err := os.Stat(settest.AttackDir); err != nil {
		t.Skipf("attack datasets not available: %v", err)
	}
	attackOnce.Do(func() { attack, attackErr = settest.AttackRows(settest.AttackDir, 0) })
	if attackErr != nil {
		t.Fatal(attackErr)
	}
	return attack
}

// TestSetMatchesEachProgram is the Set's contract: over real rows (the
// recorded attacks, and the simulator's process rows) and random rows,
// with the built-in rules, the SigmaHQ Windows rules as the
// in-tree Sigma compiler makes them and the edge cases, Set.Match returns exactly what each
// program's RunAt does.
func TestSetMatchesEachProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("runs thousands of rules over real rows")
	}
	rules, source := benchQueries(t)
	queries := append(append([]string(nil), edgeRules...), rules...)
	t.Logf("rules: %d from %s, the pack and the edge cases", len(queries), source)
	byTable := map[string][]*Program{}
	for _, q := range queries {
		p, err := CompileText(q, "")
		if err != nil {
			continue // scheduled-only pack rules
		}
		byTable[p.Table()] = append(byTable[p.Table()], p)
	}
	vocab := ruleVocab(queries)
	ing := attackRows(t)
	r := rand.New(rand.NewSource(7))
	tables := make([]string, 0, len(byTable))
	for tb := range byTable {
		tables = append(tables, tb)
	}
	sort.Strings(tables)
	for _, table := range tables {
		progs := byTable[table]
		real := ing.Rows[table]
		if len(real) > 10_000 {
			real = real[:10_000]
		}
		rows := append(append([][]any(nil), real...), randomRows(r, table, 5_000, vocab, real)...)
		if table == "DeviceProcessEvents" {
			// The simulator's process rows: Windows, Linux and macOS
			// paths (where the vetoes of negation-only rules decide).
			for _, tr := range simStream(t, 5_000) {
				rows = append(rows, tr.Rows...)
				real = append(real, tr.Rows...)
			}
		}
		set, err := NewSet(progs)
		if err != nil {
			t.Fatal(err)
		}
		got, gotErr := set.Match(rows, testNow)
		matched, outRows := 0, 0
		for i, p := range progs {
			want, wantErr := p.RunAt(testNow, rows)
			if fmt.Sprint(wantErr) != fmt.Sprint(gotErr[i]) {
				t.Errorf("%s program %d: error %v, want %v", table, i, gotErr[i], wantErr)
			}
			if !reflect.DeepEqual(want, got[i]) {
				t.Errorf("%s program %d (%s): %d rows, want %d", table, i, prefilterText(p), len(got[i]), len(want))
			}
			if len(want) > 0 {
				matched++
				outRows += len(want)
			}
		}
		t.Logf("%s: %d programs (%d indexed), %d rows (%d real): %d programs matched, %d output rows",
			table, len(progs), set.Indexed(), len(rows), len(real), matched, outRows)
	}
}

func TestSetErrors(t *testing.T) {
	a, _ := CompileText(`DeviceProcessEvents | where FileName =~ "a"`, "")
	b, _ := CompileText(`DeviceFileEvents | where FileName =~ "a"`, "")
	if _, err := NewSet([]*Program{a, b}); err == nil {
		t.Error("programs of two tables: no error")
	}
	if _, err := NewSet([]*Program{a, nil}); err == nil {
		t.Error("a nil program: no error")
	}
	set, err := NewSet([]*Program{a})
	if err != nil {
		t.Fatal(err)
	}
	short := [][]any{{"x"}}
	_, errs := set.Match(short, testNow)
	_, want := a.RunAt(testNow, short)
	if errs[0] == nil || errs[0].Error() != want.Error() {
		t.Errorf("short row: %v, want %v", errs[0], want)
	}
	empty, err := NewSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	if out, errs := empty.Match(short, testNow); len(out) != 0 || len(errs) != 0 {
		t.Error("an empty set matched")
	}
}
