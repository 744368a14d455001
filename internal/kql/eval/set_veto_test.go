package eval

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func vetoText(p *Program) string {
	var vs []string
	kinds := map[vetoKind]string{vetoContains: "contains", vetoSuffix: "endswith", vetoEqual: "==", vetoPrefix: "startswith"}
	for _, v := range p.fail {
		vs = append(vs, fmt.Sprintf("%s %s %s", p.table.Columns[v.col].Name, kinds[v.kind], v.lit))
	}
	return strings.Join(vs, " | ")
}

func TestPrefilterVetoes(t *testing.T) {
	const T = "DeviceProcessEvents | where "
	for _, c := range []struct{ query, want string }{
		{T + `not(FolderPath contains "\\")`, `FolderPath contains \`},
		{T + `not(FolderPath endswith ".EXE" or FolderPath endswith ".com") and not(FileName in~ ("System", "Registry"))`,
			`FolderPath endswith .exe | FolderPath endswith .com | FileName == system | FileName == registry`},
		{T + `FolderPath !contains "\\" and FileName !~ "x" and FileName !endswith "y" and FileName !in~ ("a", "b")`,
			`FolderPath contains \ | FileName == x | FileName endswith y | FileName == a | FileName == b`},
		// Only what makes the predicate false: a negated and needs both.
		{T + `not(FolderPath contains "a" and FileName contains "b")`, ``},
		{T + `not(FolderPath contains "a") or FileName contains "b"`, ``},
		{T + `not(not(FolderPath !contains "a" and FileName !endswith "b"))`, `FolderPath contains a | FileName endswith b`},
		{T + `not(not(FolderPath contains "a" and FileName contains "b"))`, ``},
		{T + `not(FolderPath contains "a" or (FileName contains "b" and FileName contains "c"))`, `FolderPath contains a`},
		// Case-sensitive tests, has, and non-ASCII literals (İ lowercases
		// to i) give none.
		{T + `not(FolderPath contains_cs "a" or FolderPath == "b" or FolderPath startswith "C" or FolderPath has "d")`, `FolderPath startswith c`},
		{T + `FolderPath !startswith "C:\\W" and FolderPath !startswith_cs "x" and not(FolderPath startswith_cs "y")`, `FolderPath startswith c:\w`},
		{T + `FolderPath !contains_cs "a" and FolderPath != "b" and FolderPath !in ("c")`, ``},
		{T + `not(FolderPath contains "İ" or FolderPath =~ "é")`, ``},
		// Only input columns, as at the where.
		{`DeviceProcessEvents | extend FolderPath = FileName | where not(FolderPath contains "a")`, ``},
		{`DeviceProcessEvents | take 5 | where not(FolderPath contains "a")`, ``},
		{`let x = "Lit"; DeviceProcessEvents | where not(FolderPath contains x)`, `FolderPath contains lit`},
	} {
		p, err := CompileText(c.query, "")
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := vetoText(p); got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.query, got, c.want)
		}
	}
}

// TestSetVetoes checks programs with vetoes against RunAt on values where
// case, Unicode folding, nulls and lengths decide, and that the vetoes
// do skip programs.
func TestSetVetoes(t *testing.T) {
	queries := []string{
		`DeviceProcessEvents | where not(FolderPath contains "\\")`,
		`DeviceProcessEvents | where not(FolderPath endswith ".exe" or FolderPath endswith "xe") and not(FolderPath =~ "System" or isempty(FolderPath))`,
		`DeviceProcessEvents | where FolderPath !in~ ("system", "registry", "syst") and FolderPath !endswith "stem"`,
		`DeviceProcessEvents | where not(FolderPath contains "windows" or FileName =~ "cmd.exe")`,
		`DeviceProcessEvents | where FileName !contains "k" and FolderPath !~ "kelvin"`,
		`DeviceProcessEvents | where FolderPath !contains "s" | project FolderPath`,
		// With a prefilter: the vetoes skip rows it lets through.
		`DeviceProcessEvents | where FolderPath endswith ".exe" and not(FolderPath startswith "C:\\Windows\\" or FolderPath startswith "/usr") and FileName !contains "cmd"`,
		`DeviceProcessEvents | where FolderPath contains "a" and FolderPath !startswith "c:\\wi"`,
	}
	vals := [][2]any{
		{`C:\Windows\cmd.exe`, "cmd.exe"}, {`C:\WINDOWS\CMD.EXE`, "CMD.EXE"}, {"/usr/bin/bash", "bash"}, {"System", "System"},
		{"SYSTEM", "x"}, {"Syſtem", "x"}, {"ſystem", "x"}, {"syst", "x"}, {"sys", "x"}, {"Registry", "x"}, {"registry ", "x"},
		{"a.exe", "a.exe"}, {"a.EXE", "A.EXE"}, {".exe", ".exe"}, {"xe", "xe"}, {"x.ex", "x.ex"}, {"a.exe\u212A", "x"},
		{"Kelvin", "Kelvin"}, {"\u212Aelvin", "\u212A.exe"}, {"kelvin\u00e9", "\u00e9k"}, {"", ""}, {nil, nil},
		{`C:\Windows\é.exe`, "a.exe"}, {`C:\Wındows\a.exe`, "a.exe"}, {`C:\WIN\a.exe`, "a.exe"}, {`D:\Windows\a.exe`, "a.exe"},
		{`c:\windowsa.exe`, "x.exe"}, {`C:\W`, "x"}, {`C:\Wi`, "x"}, {"/usr/bin/a.exe", "x"}, {"/USR/a.exe", "x"}, {`C:\ProgramData\a.exe`, "CMD"},
		{"/opt/WindowsApp", "cmd.exe"}, {"mysystem", "x"}, {"/x/REGISTRY", "x"}, {"asyst", "x"}, {"/opt/windows®", "x"}, {"/opt/w\u0130ndows", "x"}, {"a\xffb", "b"}, {`\`, `\`},
	}
	tb, _ := schema.Lookup("DeviceProcessEvents")
	col := func(name string) int {
		_, i, ok := tb.Column(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		return i
	}
	var rows [][]any
	for _, v := range vals {
		row := make([]any, len(tb.Columns))
		row[col("FolderPath")], row[col("FileName")] = v[0], v[1]
		rows = append(rows, row)
	}
	var progs []*Program
	for _, q := range queries {
		p, err := CompileText(q, "")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(p.fail) == 0 {
			t.Fatalf("%s: want vetoes", q)
		}
		progs = append(progs, p)
	}
	set, err := NewSet(progs)
	if err != nil {
		t.Fatal(err)
	}
	got, gotErr := set.Match(rows, testNow)
	matched := 0
	for i, p := range progs {
		want, wantErr := p.RunAt(testNow, rows)
		if !reflect.DeepEqual(want, got[i]) || fmt.Sprint(wantErr) != fmt.Sprint(gotErr[i]) {
			t.Errorf("%s: %d rows %v (%v), want %d %v (%v)", queries[i], len(got[i]), got[i], gotErr[i], len(want), want, wantErr)
		}
		matched += len(want)
	}
	if matched == 0 {
		t.Error("no row matched: the test checks nothing")
	}
	// On the Windows row, programs 0, 1, 3, 5, 6 and 7 have a veto.
	m := newMatchState(set, testNow, rows)
	m.candidates(rows[0])
	if !reflect.DeepEqual(m.cand, []int32{2, 4}) {
		t.Errorf("candidates on %v: %v, want [2 4]", rows[0][col("FolderPath")], m.cand)
	}
}

// FuzzSetVetoes compares Set.Match with RunAt for programs whose vetoes
// decide, on any literal and value.
func FuzzSetVetoes(f *testing.F) {
	for _, s := range [][2]string{
		{`\`, `C:\x`}, {".exe", "A.EXE"}, {"system", "Syſtem"}, {"c:\\wi", "C:\\Wındows"}, {"k", "\u212A"}, {"ab", "xab\xff"},
	} {
		f.Add(s[0], s[1])
	}
	tb, _ := schema.Lookup("DeviceProcessEvents")
	_, col, _ := tb.Column("FolderPath")
	f.Fuzz(func(t *testing.T, lit, value string) {
		if len(lit) > 40 || len(value) > 200 {
			return
		}
		q := strconv.Quote(lit)
		var progs []*Program
		for _, pred := range []string{
			"not(FolderPath contains " + q + ")", "not(FolderPath endswith " + q + ")", "FolderPath !startswith " + q,
			"FolderPath !in~ (" + q + ", \"x\")", "FolderPath !~ " + q, "FolderPath contains \"a\" and FolderPath !contains " + q,
		} {
			p, err := CompileText("DeviceProcessEvents | where "+pred, "")
			if err != nil {
				return // a literal the parser rejects
			}
			progs = append(progs, p)
		}
		set, err := NewSet(progs)
		if err != nil {
			t.Fatal(err)
		}
		row := make([]any, len(tb.Columns))
		row[col] = value
		rows := [][]any{row}
		got, _ := set.Match(rows, testNow)
		for i, p := range progs {
			want, _ := p.RunAt(testNow, rows)
			if len(want) != len(got[i]) {
				t.Errorf("program %d, literal %q, value %q: %d rows, want %d", i, lit, value, len(got[i]), len(want))
			}
		}
	})
}
