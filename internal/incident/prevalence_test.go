package incident

import (
	"strconv"
	"testing"
)

func TestDevSet(t *testing.T) {
	f := func(adds []string, limit, want int) {
		t.Helper()
		var s devSet
		for _, d := range adds {
			s.add(d, limit)
		}
		if got := s.len(); got != want {
			t.Errorf("%v limit %d: %d devices, want %d", adds, limit, got, want)
		}
	}
	many := func(n int, prefix string) []string {
		var out []string
		for i := range n {
			out = append(out, prefix+strconv.Itoa(i))
		}
		return out
	}
	f(nil, 10, 0)
	f([]string{"a", "a", "b"}, 10, 2)
	f(many(maxFewDevices, "d"), 100, maxFewDevices)
	f(append(many(maxFewDevices, "d"), "d0", "x"), 100, maxFewDevices+1) // the switch to a map keeps what the list held
	f(append(many(40, "d"), many(40, "d")...), 100, 40)
	f(many(40, "d"), 30, 30) // the limit holds in both forms
	f(many(5, "d"), 3, 3)
	if (*devSet)(nil).len() != 0 {
		t.Error("nil set")
	}
}
