package simulate

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng is a PCG stream (math/rand/v2) with the draws the generator needs.
// It holds the PCG by value and calls it directly: the hot path draws
// millions of numbers a second, and rand.Rand would add an interface call
// to each.
type rng struct{ p rand.PCG }

// newRNG derives an independent stream from a seed and a list of labels
// (shard number, scenario name hash, ...), so that streams never overlap
// and adding a stream does not shift the others.
func newRNG(seed uint64, labels ...uint64) *rng {
	a, b := mix64(seed^0x6a09e667f3bcc909), mix64(seed^0xbb67ae8584caa73b)
	for _, l := range labels {
		a = mix64(a ^ l)
		b = mix64(b + l*0x9e3779b97f4a7c15)
	}
	r := &rng{}
	r.p.Seed(a, b)
	return r
}

// mix64 is SplitMix64's finaliser: a bijection that spreads every input
// bit over the output.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashString is FNV-1a, for turning names into stream labels and stable
// identifiers.
func hashString(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}

func (r *rng) u64() uint64 { return r.p.Uint64() }

// intn returns a number in [0, n) for n > 0 (Lemire's multiply-shift; the
// bias is below 2^-40 for the sizes used here and the result is
// deterministic, which is what matters).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.p.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(r.intn(int(hi-lo+1)))
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.p.Uint64()>>11) * (1.0 / (1 << 53)) }

func (r *rng) chance(p float64) bool { return r.float() < p }

// exp draws an exponential interval with the given mean, capped at 20
// means so that one unlucky draw cannot silence a device for a week.
func (r *rng) exp(mean float64) float64 {
	u := r.float()
	d := -mean * math.Log1p(-u)
	if d > 20*mean {
		d = 20 * mean
	}
	return d
}

// alias is Walker's alias table: O(1) draws from a fixed discrete
// distribution. Prevalence in the simulation (which binary starts, which
// host is contacted) is drawn from these.
type alias struct {
	prob  []uint32 // threshold on 32 random bits
	other []int32
}

func newAlias(w []float64) *alias {
	n := len(w)
	if n == 0 {
		panic("simulate: empty distribution")
	}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	a := &alias{prob: make([]uint32, n), other: make([]int32, n)}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s] = uint32(scaled[s] * (1 << 32))
		a.other[s] = int32(l)
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		a.prob[i] = math.MaxUint32
		a.other[i] = int32(i)
	}
	return a
}

func (a *alias) pick(r *rng) int {
	u := r.u64()
	i := int((u >> 32) * uint64(len(a.prob)) >> 32)
	if uint32(u) < a.prob[i] {
		return i
	}
	return int(a.other[i])
}

// zipf returns weights 1/(rank+1)^s: a few very common items and a long
// tail of rare ones, the shape of real binary and destination prevalence.
func zipf(n int, s float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return w
}

// choice is a weighted pick over items.
type choice[T any] struct {
	items []T
	a     *alias
}

func newChoice[T any](items []T, weights []float64) *choice[T] {
	if len(items) != len(weights) {
		panic("simulate: choice needs one weight per item")
	}
	return &choice[T]{items: items, a: newAlias(weights)}
}

func (c *choice[T]) pick(r *rng) T { return c.items[c.a.pick(r)] }
