package check

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/parser"
)

// fuzzSlow is the binding time the fuzzer reports as a hang; bound
// checks of a 4 KiB query take well under a millisecond.
var fuzzSlow = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("CHECK_FUZZ_SLOW")); err == nil {
		return d
	}
	return time.Second
}()

// FuzzCheck parses then binds random inputs, seeded from the unit tables
// and short corpus queries: the binder must not panic (Check turns panics
// into an "internal error", counted as a failure here) and must finish
// quickly. Inputs are capped so that the fuzzer's minimisation stays fast.
func FuzzCheck(f *testing.F) {
	f.Add(`DeviceEvents | summarize arg_max(Timestamp, *) by DeviceId`)
	f.Add(`let f = (x:long) { x + 1 }; print f(1)`)
	f.Add(`union withsource=T Device* | take 1`)
	f.Add(`let f = (T:(a:long)) { T | extend b = a }; range a from 1 to 3 step 1 | invoke f()`)
	f.Add(`print d = dynamic([1]) | mv-apply with_itemindex=i v = d to typeof(long) on (where i > 0)`)
	if fh, err := os.Open("../../../../shared/kql/hunting-queries.jsonl"); err == nil {
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for n := 0; sc.Scan() && n < 150; {
			var c corpusCase
			if json.Unmarshal(sc.Bytes(), &c) == nil && len(c.Query) < 1500 {
				f.Add(c.Query)
				n++
			}
		}
		fh.Close()
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		start := time.Now()
		q, _ := parser.Parse(src)
		_, err := Check(q, &Env{Source: src})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("binder panic on %q: %v", src, err)
		}
		if d := time.Since(start); d > fuzzSlow {
			t.Fatalf("binding took %v on %q", d, src)
		}
	})
}
