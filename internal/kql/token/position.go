package token

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

// Pos is a position in a query: the byte offset plus one, so that the zero
// value means "no position" (as in go/token). Use Offset to get the offset
// and File.Position to get a line and column.
type Pos int

// NoPos is the zero Pos: no position.
const NoPos Pos = 0

// At returns the Pos of a byte offset.
func At(offset int) Pos { return Pos(offset + 1) }

// IsValid reports whether p is a position.
func (p Pos) IsValid() bool { return p > NoPos }

// Offset returns the byte offset of p, or -1 for NoPos.
func (p Pos) Offset() int {
	if !p.IsValid() {
		return -1
	}
	return int(p) - 1
}

// Position is a human-readable source position. Line and Column are
// 1-based; Column counts characters (runes), not bytes, because that is
// what an analyst sees in the editor.
type Position struct {
	Offset int // byte offset, 0-based
	Line   int // 1-based
	Column int // 1-based, in characters
}

// IsValid reports whether the position is known.
func (p Position) IsValid() bool { return p.Line > 0 }

// String returns "line:column", or "-" for an unknown position.
func (p Position) String() string {
	if !p.IsValid() {
		return "-"
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// File maps the positions of one query to lines and columns.
type File struct {
	src   string
	lines []int // byte offset of the first character of each line
}

// NewFile indexes the line starts of src. A line ends at "\n", "\r\n" or a
// lone "\r", like the line breaks the scanner recognises in strings.
func NewFile(src string) *File {
	lines := []int{0}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			lines = append(lines, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			lines = append(lines, i+1)
		}
	}
	return &File{src: src, lines: lines}
}

// Size returns the length of the source in bytes.
func (f *File) Size() int { return len(f.src) }

// Position returns the line and column of p. Positions past the end of the
// source are clamped to the end so that errors "at end of query" still have
// a line and column.
func (f *File) Position(p Pos) Position {
	if !p.IsValid() {
		return Position{Offset: -1}
	}
	off := p.Offset()
	if off > len(f.src) {
		off = len(f.src)
	}
	line := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	start := f.lines[line]
	col := utf8.RuneCountInString(f.src[start:off]) + 1
	return Position{Offset: off, Line: line + 1, Column: col}
}
