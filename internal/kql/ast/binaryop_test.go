package ast

import "testing"

func TestBinaryOp(t *testing.T) {
	f := func(op BinaryOp, text string, prec int, chains bool) {
		t.Helper()
		if op.String() != text || op.Precedence() != prec || op.Chains() != chains {
			t.Errorf("%d: got %q prec %d chains %v, want %q %d %v", op, op.String(), op.Precedence(), op.Chains(), text, prec, chains)
		}
	}
	f(Or, "or", PrecOr, true)
	f(And, "and", PrecAnd, true)
	f(Eql, "==", PrecEquality, false)
	f(Neq, "!=", PrecEquality, false)
	f(NotInCs, "!in~", PrecEquality, false)
	f(HasAll, "has_all", PrecEquality, false)
	f(Leq, "<=", PrecRelational, false)
	f(Sub, "-", PrecAdditive, true)
	f(Rem, "%", PrecMultiplicative, true)
	f(EqTilde, "=~", PrecString, true)
	f(NotStartsWithCs, "!startswith_cs", PrecString, true)
	f(MatchesRegex, "matches regex", PrecString, true)
	f(Search, ":", PrecString, true)
	for op := Or; op < numBinaryOps; op++ {
		if op.Precedence() == 0 || op.String() == "" || op.String() == binaryOpText[BadOp] {
			t.Errorf("operator %d has no precedence or text", op)
		}
	}
	if BinaryOp(200).String() != "<bad operator>" || BadOp.Precedence() != 0 {
		t.Error("bad operators are not reported as such")
	}
}

func TestEnumsString(t *testing.T) {
	if SortGrannyDesc.String() != "granny-desc" || SortDefault.String() != "" || NullsLast.String() != "last" ||
		LitTimespan.String() != "timespan" || EdgeLeft.String() != "left" || LitKind(0).String() != "LitKind(?)" {
		t.Error("enum String methods are wrong")
	}
}
