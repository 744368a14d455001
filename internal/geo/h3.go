package geo

import "strconv"

// H3 index operations that need no geometry (the index layout of the H3
// specification): validity, resolution, parent and children. The
// geometric H3 functions (point to cell, cell boundary, neighbors) are
// not implemented.

const (
	h3ResOffset  = 52
	h3BaseOffset = 45
	h3MaxRes     = 15
)

// h3PentagonBase lists the base cells that are pentagons.
var h3PentagonBase = map[int]bool{4: true, 14: true, 24: true, 38: true, 49: true, 58: true, 63: true, 72: true, 83: true, 97: true, 107: true, 117: true}

func h3Res(h uint64) int  { return int(h >> h3ResOffset & 0xf) }
func h3Base(h uint64) int { return int(h >> h3BaseOffset & 0x7f) }

func h3Digit(h uint64, r int) int { return int(h >> (3 * (h3MaxRes - r)) & 7) }

func h3SetDigit(h uint64, r, d int) uint64 {
	shift := uint(3 * (h3MaxRes - r))
	return h&^(7<<shift) | uint64(d)<<shift
}

func h3SetRes(h uint64, r int) uint64 { return h&^(0xf<<h3ResOffset) | uint64(r)<<h3ResOffset }

// h3Valid reports whether h is a valid H3 cell index.
func h3Valid(h uint64) bool {
	if h>>63 != 0 || h>>59&0xf != 1 || h>>56&7 != 0 {
		return false
	}
	base := h3Base(h)
	if base >= 122 {
		return false
	}
	res := h3Res(h)
	firstNonZero := 0
	for r := 1; r <= h3MaxRes; r++ {
		d := h3Digit(h, r)
		if r <= res {
			if d == 7 {
				return false
			}
			if firstNonZero == 0 && d != 0 {
				firstNonZero = d
			}
		} else if d != 7 {
			return false
		}
	}
	// Pentagons have no cells in the deleted K axis (digit 1).
	return !(h3PentagonBase[base] && firstNonZero == 1)
}

func parseH3(tok string) (uint64, bool) {
	if tok == "" || len(tok) > 16 {
		return 0, false
	}
	h, err := strconv.ParseUint(tok, 16, 64)
	if err != nil || !h3Valid(h) {
		return 0, false
	}
	return h, true
}

func h3Token(h uint64) string { return strconv.FormatUint(h, 16) }

// H3Level returns the resolution of the cell.
func H3Level(tok string) (int64, bool) {
	h, ok := parseH3(tok)
	if !ok {
		return 0, false
	}
	return int64(h3Res(h)), true
}

// H3Parent returns the cell's ancestor at resolution res (res < 0: the
// immediate parent).
func H3Parent(tok string, res int) (string, bool) {
	h, ok := parseH3(tok)
	if !ok {
		return "", false
	}
	cur := h3Res(h)
	if res < 0 {
		res = cur - 1
	}
	if res < 0 || res > cur {
		return "", false
	}
	p := h3SetRes(h, res)
	for r := res + 1; r <= h3MaxRes; r++ {
		p = h3SetDigit(p, r, 7)
	}
	return h3Token(p), true
}

// H3Children returns the cell's descendants at resolution res (res < 0:
// the immediate children), at most 5 resolutions below the cell.
func H3Children(tok string, res int) (string, bool) {
	h, ok := parseH3(tok)
	if !ok {
		return "", false
	}
	cur := h3Res(h)
	if res < 0 {
		res = cur + 1
	}
	if res < cur || res > h3MaxRes || res-cur > 5 {
		return "", false
	}
	cells := []uint64{h}
	for r := cur + 1; r <= res; r++ {
		next := make([]uint64, 0, len(cells)*7)
		for _, c := range cells {
			c = h3SetRes(c, r)
			for d := 0; d < 7; d++ {
				child := h3SetDigit(c, r, d)
				if h3Valid(child) {
					next = append(next, child)
				}
			}
		}
		cells = next
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = h3Token(c)
	}
	return StringsJSON(out), true
}
