package eval

import (
	"unicode"
	"unicode/utf8"
)

// acMatcher finds which of a set of lowercase ASCII patterns occur in a
// string, ASCII case-insensitively, in one pass: an Aho–Corasick
// automaton compiled to a DFA over byte classes (every byte no pattern
// uses is one class, and an upper-case letter is its lower case's class),
// so a step is one table load. States are numbered breadth first, so
// that the shallow ones, where a scan spends most steps, share cache
// lines; a transition's low bit says whether its target reports a
// pattern, so that a step reads nothing else.
type acMatcher struct {
	class [256]uint8
	nc    int32
	// delta[state*nc+class] is next<<1 | 1 if next reports a pattern.
	delta []int32
	// out is the pattern ending at a state (-1 none); dict is the next
	// state on the failure chain with a pattern (-1 none).
	out  []int32
	dict []int32
}

// newACMatcher compiles patterns, which must be lowercase ASCII and not
// empty; scan reports pattern i as i.
func newACMatcher(patterns []string) *acMatcher {
	m := &acMatcher{nc: 1}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			c := p[i]
			if m.class[c] == 0 {
				m.class[c] = uint8(m.nc)
				m.nc++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+('a'-'A')]
	}
	nc := m.nc
	// At most one state per pattern byte, plus the root.
	maxStates := 1
	for _, p := range patterns {
		maxStates += len(p)
	}
	m.delta = make([]int32, 0, maxStates*int(nc))
	m.out = make([]int32, 0, maxStates)
	m.dict = make([]int32, 0, maxStates)
	// The trie; -1 marks a missing edge until the failure pass.
	newState := func() int32 {
		s := int32(len(m.out))
		m.out = append(m.out, -1)
		m.dict = append(m.dict, -1)
		for i := int32(0); i < nc; i++ {
			m.delta = append(m.delta, -1)
		}
		return s
	}
	newState()
	for id, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := int32(m.class[p[i]])
			next := m.delta[s*nc+c]
			if next < 0 {
				next = newState()
				m.delta[s*nc+c] = next
			}
			s = next
		}
		m.out[s] = int32(id)
	}
	// Breadth first: a state's failure state is shallower, so complete.
	fail := make([]int32, len(m.out))
	queue := make([]int32, 0, len(m.out))
	for c := int32(0); c < nc; c++ {
		if t := m.delta[c]; t < 0 {
			m.delta[c] = 0
		} else {
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		f := fail[s]
		if m.out[f] >= 0 {
			m.dict[s] = f
		} else {
			m.dict[s] = m.dict[f]
		}
		for c := int32(0); c < nc; c++ {
			t := m.delta[s*nc+c]
			if t < 0 {
				m.delta[s*nc+c] = m.delta[f*nc+c]
				continue
			}
			fail[t] = m.delta[f*nc+c]
			queue = append(queue, t)
		}
	}
	m.renumber(append([]int32{0}, queue...))
	return m
}

// renumber gives state order[i] the number i and flags the transitions
// into states that report a pattern.
func (m *acMatcher) renumber(order []int32) {
	nc := m.nc
	id := make([]int32, len(order))
	for i, s := range order {
		id[s] = int32(i)
	}
	delta := make([]int32, len(m.delta))
	out := make([]int32, len(m.out))
	dict := make([]int32, len(m.dict))
	for i, s := range order {
		out[i] = m.out[s]
		dict[i] = -1
		if d := m.dict[s]; d >= 0 {
			dict[i] = id[d]
		}
		for c := int32(0); c < nc; c++ {
			t := m.delta[s*nc+c]
			v := id[t] << 1
			if m.out[t] >= 0 || m.dict[t] >= 0 {
				v |= 1
			}
			delta[int32(i)*nc+c] = v
		}
	}
	m.delta, m.out, m.dict = delta, out, dict
}

// scan appends to hits the patterns occurring in s (a pattern may be
// reported more than once). It stops at the first non-ASCII byte and
// reports ok false: the caller must then treat every pattern as present.
func (m *acMatcher) scan(s string, hits []int32) (_ []int32, ok bool) {
	hits, _, wide, ok := m.scanText(s, hits)
	return hits, ok && !wide
}

// scanText is scan that also goes through non-ASCII text whose every
// non-ASCII character is foldSafe (wide reports that there was some): no
// ASCII pattern can match across such a character (its bytes are in no
// pattern's class), and no case-insensitive test can match it with an
// ASCII character. ok is false at the first character that is not safe.
//
// end is the state after the last byte (0 after a non-ASCII character).
func (m *acMatcher) scanText(s string, hits []int32) (_ []int32, end int32, wide, ok bool) {
	delta, out, dict, nc := m.delta, m.out, m.dict, m.nc
	st := int32(0)
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !foldSafe(r, size) {
				return hits, 0, wide, false
			}
			wide = true
			st = 0
			i += size - 1
			continue
		}
		v := delta[st*nc+int32(m.class[b])]
		st = v >> 1
		if v&1 == 0 {
			continue
		}
		if out[st] >= 0 {
			hits = append(hits, out[st])
		}
		for t := dict[st]; t >= 0; t = dict[t] {
			hits = append(hits, out[t])
		}
	}
	return hits, st, wide, true
}

// foldSafe reports whether the non-ASCII character r (size bytes of
// valid UTF-8) has no ASCII character among its lower, upper and
// simple-fold forms: the Kelvin sign, the long s, dotted and dotless i
// are not safe; ®, é and CJK are.
func foldSafe(r rune, size int) bool {
	if r == utf8.RuneError && size <= 1 {
		return false
	}
	if unicode.ToLower(r) < utf8.RuneSelf || unicode.ToUpper(r) < utf8.RuneSelf || unicode.ToTitle(r) < utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return false
		}
	}
	return true
}
