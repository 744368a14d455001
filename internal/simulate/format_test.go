package simulate

import (
	"bytes"
	"encoding/json"
	"github.com/vigilsec/vigil/internal/jsonenc"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

// stdJSONString is encoding/json's encoding of s with HTML escaping off:
// the reference appendJSONString must match byte for byte.
func stdJSONString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var jsonStringSeeds = []string{
	"",
	`C:\Windows\System32\cmd.exe`,
	`"quoted" and \back\slashed`,
	"line\nbreak\ttab\rret\x00nul\x1funit\bback\fform\x7fdel",
	"é ü 日本 🚀 Microsoft® Windows®",
	"<script>&amp;</script>",
	"bad \xff utf-8 \xc3 truncated \xe6\x97 and \xed\xa0\x80 surrogate",
	"line\u2028sep\u2029para",
	"\uFFFD real replacement char",
}

func TestAppendJSONString(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := string(jsonenc.AppendString(nil, s)), stdJSONString(s); got != want {
			t.Errorf("%q: got %s, encoding/json %s", s, got, want)
		}
	}
	for _, s := range jsonStringSeeds {
		check(s)
	}
	// Random strings over an alphabet rich in the bytes that need care.
	alphabet := []string{"a", "Z", "0", " ", `"`, `\`, "/", "\n", "\t", "\x00", "\x1f", "\x7f",
		"é", "日", "🚀", "\u2028", "\xff", "\xc3", "\xe6\x97", "<", "&"}
	r := newRNG(5)
	for i := 0; i < 5000; i++ {
		var sb strings.Builder
		for n := r.intn(12); n > 0; n-- {
			sb.WriteString(alphabet[r.intn(len(alphabet))])
		}
		check(sb.String())
	}
}

// FuzzAppendJSONString checks the hand-written string encoder against
// encoding/json: the same bytes, and text that decodes back to the input
// whenever the input is valid UTF-8.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := jsonenc.AppendString([]byte("prefix"), s)
		if !bytes.HasPrefix(got, []byte("prefix")) {
			t.Fatalf("%q: prefix lost: %s", s, got)
		}
		got = got[len("prefix"):]
		if want := stdJSONString(s); string(got) != want {
			t.Fatalf("%q: got %s, encoding/json %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, got, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("%q encoded as %s decodes to %q", s, got, back)
		}
	})
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
