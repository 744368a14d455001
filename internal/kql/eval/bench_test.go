package eval

import (
	"fmt"
	"math/rand"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// benchRows makes n rows of DeviceProcessEvents with realistic strings.
func benchRows(n int) [][]any {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	r := rand.New(rand.NewSource(1))
	names := []string{"powershell.exe", "cmd.exe", "PowerShell.EXE", "svchost.exe", "rundll32.exe", "chrome.exe", "explorer.exe", "whoami.exe"}
	cmds := []string{
		"powershell.exe -nop -w hidden -enc SQBFAFgA",
		"cmd.exe /c whoami /all",
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US`,
		"rundll32.exe C:\\Windows\\System32\\shell32.dll,Control_RunDLL",
		"svchost.exe -k netsvcs -p -s Schedule",
	}
	rows := make([][]any, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		row := make([]any, len(tb.Columns))
		for j, c := range tb.Columns {
			switch c.Type {
			case schema.String:
				row[j] = fmt.Sprintf("v%d", r.Intn(100))
			case schema.Long:
				row[j] = int64(r.Intn(100000))
			case schema.DateTime:
				row[j] = base.Add(time.Duration(r.Intn(86400)) * time.Second)
			}
		}
		_, fi, _ := tb.Column("FileName")
		_, ci, _ := tb.Column("ProcessCommandLine")
		_, pi, _ := tb.Column("InitiatingProcessFileName")
		row[fi] = names[r.Intn(len(names))]
		row[ci] = cmds[r.Intn(len(cmds))]
		row[pi] = names[r.Intn(len(names))]
		rows[i] = row
	}
	return rows
}

// BenchmarkEvalWhere measures a typical detection's where clause; ns/op
// is per row.
func BenchmarkEvalWhere(b *testing.B) {
	queries := map[string]string{
		"has":   `DeviceProcessEvents | where FileName =~ "powershell.exe" and ProcessCommandLine has_any ("-enc", "-encodedcommand") and Timestamp > ago(1d)`,
		"in":    `DeviceProcessEvents | where InitiatingProcessFileName in~ ("cmd.exe", "whoami.exe") and ProcessCommandLine contains "whoami"`,
		"regex": `DeviceProcessEvents | where ProcessCommandLine matches regex @"-enc\s+[A-Za-z0-9+/=]{6,}" | extend Len = strlen(ProcessCommandLine) | project Timestamp, DeviceName, FileName, Len`,
	}
	rows := benchRows(100_000)
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			p, err := compileQuery(b, "DeviceProcessEvents", q)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
			b.ResetTimer()
			cpu0 := cpuTime()
			for done := 0; done < b.N; {
				n := min(b.N-done, len(rows))
				if _, err := p.RunAt(now, rows[:n]); err != nil {
					b.Fatal(err)
				}
				done += n
			}
			// On a shared machine wall time per op overstates the
			// cost; CPU time per row is the figure to compare.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/row")
		})
	}
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
