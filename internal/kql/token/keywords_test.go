package token

import (
	"strings"
	"testing"
)

func TestIsReserved(t *testing.T) {
	f := func(w string, ref, bind, col bool) {
		t.Helper()
		if got := IsReserved(w, Reference); got != ref {
			t.Errorf("IsReserved(%q, Reference) = %v", w, got)
		}
		if got := IsReserved(w, Binding); got != bind {
			t.Errorf("IsReserved(%q, Binding) = %v", w, got)
		}
		if got := IsReserved(w, Column); got != col {
			t.Errorf("IsReserved(%q, Column) = %v", w, got)
		}
	}
	f("Timestamp", false, false, false)
	f("count", false, false, false) // count() and | count, but also a column
	f("from", false, false, false)
	f("let", false, false, false)
	f("and", true, true, true)
	f("string", true, true, true)
	f("where", true, true, false) // print where = 1 is valid
	f("title", true, true, false)
	f("kind", false, true, true) // | project kind is valid, print kind = 1 is not
	f("true", true, true, true)
}

func TestKeywordTables(t *testing.T) {
	for _, kw := range dashedKeywords {
		if !strings.Contains(kw, "-") {
			t.Errorf("dashed keyword %q has no dash", kw)
		}
		if DashedKeywordPrefix(kw+" x") != kw {
			t.Errorf("DashedKeywordPrefix(%q) = %q", kw+" x", DashedKeywordPrefix(kw+" x"))
		}
	}
	// A longer keyword is never hidden by a shorter one it starts with.
	for i, a := range dashedKeywords {
		for _, b := range dashedKeywords[i+1:] {
			if strings.HasPrefix(b, a) {
				t.Errorf("%q comes before the longer %q", a, b)
			}
		}
	}
	if DashedKeywordPrefix("mv-x") != "" {
		t.Error("DashedKeywordPrefix matched a partial keyword")
	}
	for kw := range negatedKeywords {
		if !strings.HasPrefix(kw, "!") || !IsNegatedKeyword(kw) {
			t.Errorf("negated keyword %q has no '!'", kw)
		}
	}
	if !IsTypedLiteralWord("datetime") || IsTypedLiteralWord("dynamic") || IsTypedLiteralWord("string") {
		t.Error("typed literal words are wrong")
	}
	if !IsBoolWord("FALSE") || IsBoolWord("fALSE") {
		t.Error("bool words are wrong")
	}
}
