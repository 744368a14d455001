package schema

// columnIndex finds a column's position by name. Normalizers look columns
// up by name for every value they set, tens of times per event, so this
// is an open-addressed table on a hash of the name's length and three of
// its bytes (cheaper than hashing the whole name, as a map does), each
// probe confirmed by comparing names.
type columnIndex struct {
	slots []int32 // column position + 1; 0 is an empty slot
	mask  uint32
}

func nameHash(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9E3779B1 ^ uint32(s[0])*0x85EBCA6B ^ uint32(s[n-1])*0xC2B2AE35 ^ uint32(s[n/2])*0x27D4EB2F
	return h ^ h>>15
}

func newColumnIndex(cols []Column) columnIndex {
	size := 8
	for size < 4*len(cols) {
		size *= 2
	}
	ix := columnIndex{slots: make([]int32, size), mask: uint32(size - 1)}
	for i, c := range cols {
		if _, ok := ix.find(cols, c.Name); ok {
			continue // names are unique (TestColumnIndex); the first would win
		}
		j := nameHash(c.Name) & ix.mask
		for ix.slots[j] != 0 {
			j = (j + 1) & ix.mask
		}
		ix.slots[j] = int32(i + 1)
	}
	return ix
}

func (ix columnIndex) find(cols []Column, name string) (int, bool) {
	if len(ix.slots) == 0 {
		return -1, false
	}
	for j := nameHash(name) & ix.mask; ; j = (j + 1) & ix.mask {
		s := ix.slots[j]
		if s == 0 {
			return -1, false
		}
		if cols[s-1].Name == name {
			return int(s - 1), true
		}
	}
}
