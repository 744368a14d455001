package ast

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/token"
)

func TestDump(t *testing.T) {
	x := &BinaryExpr{
		X:     &Ident{NamePos: token.At(0), Name: "a"},
		OpPos: token.At(2),
		Op:    Has,
		Y:     &StringLit{Parts: []StringPart{{Pos: token.At(6), Raw: `"x"`}}, Value: "x"},
	}
	if got, want := Dump(x), `BinaryExpr{X: Ident(a), Op: has, Y: Str("x")}`; got != want {
		t.Errorf("Dump = %s, want %s", got, want)
	}
	want := "BinaryExpr{\n  X: Ident(a)\n  Op: has\n  Y: Str(\"x\")\n}\n"
	if got := DumpIndent(x); got != want {
		t.Errorf("DumpIndent = %q, want %q", got, want)
	}
	if got := Dump(&ColumnDecl{Star: token.At(3)}); got != "ColumnDecl(*)" {
		t.Errorf("Dump(star) = %s", got)
	}
	if got := Dump(nil); got != "nil" {
		t.Errorf("Dump(nil) = %s", got)
	}
}

func TestStringLitObfuscated(t *testing.T) {
	plain := &StringLit{Parts: []StringPart{{Raw: `"a"`}, {Raw: `@'b'`}}}
	hidden := &StringLit{Parts: []StringPart{{Raw: `"a"`}, {Raw: `H@'b'`}}}
	if plain.Obfuscated() || !hidden.Obfuscated() {
		t.Error("Obfuscated is wrong")
	}
}
