package simulate

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestAppendTime(t *testing.T) {
	var tc timeCache
	f := func(tm time.Time) {
		t.Helper()
		us := tm.UnixMicro()
		got := string(tc.appendTime(nil, us))
		want := `"` + time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000000Z") + `"`
		if got != want {
			t.Errorf("%s: got %s, want %s", tm, got, want)
		}
	}
	f(time.Unix(0, 0))
	f(time.Date(1969, 12, 31, 23, 59, 59, 999_999_000, time.UTC))
	f(time.Date(2000, 2, 29, 12, 0, 0, 1000, time.UTC))
	f(time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC))
	f(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	f(time.Date(2100, 2, 28, 7, 8, 9, 10_000, time.UTC))
	f(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	f(time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC))
	r := newRNG(1)
	for i := 0; i < 2000; i++ {
		f(time.UnixMicro(r.between(-2e15, 2e17)))
	}
}

func TestAppendJSONString(t *testing.T) {
	f := func(s string) {
		t.Helper()
		var back string
		b := appendJSONString(nil, s)
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%q encoded as %s: %v", s, b, err)
		}
	}
	f("")
	f(`C:\Windows\System32\cmd.exe`)
	f(`"quoted" and \back\slashed`)
	f("line\nbreak\ttab\rret\x00nul\x1funit")
	f("é ü 日本 🚀")
	f("<script>&amp;</script>")
}

func TestAliasFollowsWeights(t *testing.T) {
	w := []float64{5, 1, 0, 3, 1}
	a := newAlias(w)
	r := newRNG(9)
	counts := make([]int, len(w))
	const n = 200_000
	for i := 0; i < n; i++ {
		counts[a.pick(r)]++
	}
	for i, x := range w {
		want := x / 10 * n
		if math.Abs(float64(counts[i])-want) > 0.02*n {
			t.Errorf("item %d: %d draws, want about %.0f", i, counts[i], want)
		}
	}
	if counts[2] != 0 {
		t.Errorf("weight 0 drawn %d times", counts[2])
	}
}

func TestRNGStreamsAreIndependent(t *testing.T) {
	a, b, c := newRNG(1, 1), newRNG(1, 2), newRNG(1, 1)
	same := 0
	for i := 0; i < 100; i++ {
		x, y, z := a.u64(), b.u64(), c.u64()
		if x == y {
			same++
		}
		if x != z {
			t.Fatal("same seed and label, different stream")
		}
	}
	if same > 0 {
		t.Errorf("streams 1 and 2 agree %d times", same)
	}
}
