package token

import "testing"

func TestPosition(t *testing.T) {
	src := "ab\ncé\r\nx\ry"
	f := NewFile(src)
	check := func(off int, want string) {
		t.Helper()
		if got := f.Position(At(off)).String(); got != want {
			t.Errorf("Position(%d) = %s, want %s", off, got, want)
		}
	}
	check(0, "1:1")
	check(2, "1:3") // the \n itself is on line 1
	check(3, "2:1")
	check(4, "2:2")
	check(6, "2:3") // after the 2-byte é: columns count characters
	check(7, "2:4") // \n of \r\n
	check(8, "3:1")
	check(10, "4:1") // after a lone \r
	check(11, "4:2") // end of input
	check(99, "4:2") // clamped to the end
	if got := f.Position(NoPos); got.IsValid() || got.String() != "-" {
		t.Errorf("Position(NoPos) = %v", got)
	}
	if At(5).Offset() != 5 || NoPos.Offset() != -1 || NoPos.IsValid() || !At(0).IsValid() {
		t.Error("Pos offset encoding is wrong")
	}
}

func TestTokenString(t *testing.T) {
	f := func(tok Token, want string) {
		t.Helper()
		if got := tok.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", tok, got, want)
		}
	}
	f(Token{Kind: EOF}, "end of query")
	f(Token{Kind: IDENT, Lit: "where"}, "'where'")
	f(Token{Kind: PIPE, Lit: "|"}, "'|'")
	f(Token{Kind: STRING, Lit: `"abc"`}, `string "abc"`)
	f(Token{Kind: LONG, Lit: "42"}, "literal 42")
	f(Token{Kind: IDENT, Lit: "ééééééééééééééééééééééééé"}, "'éééééééééééééééééééé...'")
	if (Token{Kind: IDENT, Pos: At(3), Lit: "abc"}).End() != At(6) {
		t.Error("End is wrong")
	}
	if LPAREN.String() != "(" || IDENT.String() != "IDENT" || Kind(200).String() != "Kind(200)" {
		t.Error("Kind.String is wrong")
	}
}
