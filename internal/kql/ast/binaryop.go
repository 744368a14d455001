package ast

// BinaryOp is a binary operator. Synonyms are folded at parse time:
// <> is Neq, containscs is ContainsCs, notcontains is NotContains.
type BinaryOp uint8

// The binary operators, grouped by precedence level.
const (
	BadOp BinaryOp = iota

	Or
	And

	// Equality level (does not chain: a == b == c is an error).
	Eql // ==
	Neq // != and <>
	In
	NotIn
	InCs    // in~
	NotInCs // !in~
	HasAny
	HasAll
	Between    // only in BetweenExpr
	NotBetween // only in BetweenExpr

	// Relational level (does not chain either).
	Lss
	Leq
	Gtr
	Geq

	Add
	Sub

	Mul
	Quo
	Rem

	// String operators bind tighter than arithmetic in KQL:
	// a has b * c is (a has b) * c.
	EqTilde  // =~
	NeqTilde // !~
	Has
	NotHas
	HasCs
	NotHasCs
	HasPrefix
	NotHasPrefix
	HasPrefixCs
	NotHasPrefixCs
	HasSuffix
	NotHasSuffix
	HasSuffixCs
	NotHasSuffixCs
	Contains
	NotContains
	ContainsCs
	NotContainsCs
	StartsWith
	NotStartsWith
	StartsWithCs
	NotStartsWithCs
	EndsWith
	NotEndsWith
	EndsWithCs
	NotEndsWithCs
	Like
	NotLike
	LikeCs
	NotLikeCs
	MatchesRegex
	Search // Col:"value", the search operator's term syntax

	numBinaryOps
)

var binaryOpText = [...]string{
	BadOp: "<bad operator>",
	Or:    "or", And: "and",
	Eql: "==", Neq: "!=", In: "in", NotIn: "!in", InCs: "in~", NotInCs: "!in~",
	HasAny: "has_any", HasAll: "has_all", Between: "between", NotBetween: "!between",
	Lss: "<", Leq: "<=", Gtr: ">", Geq: ">=",
	Add: "+", Sub: "-", Mul: "*", Quo: "/", Rem: "%",
	EqTilde: "=~", NeqTilde: "!~",
	Has: "has", NotHas: "!has", HasCs: "has_cs", NotHasCs: "!has_cs",
	HasPrefix: "hasprefix", NotHasPrefix: "!hasprefix", HasPrefixCs: "hasprefix_cs", NotHasPrefixCs: "!hasprefix_cs",
	HasSuffix: "hassuffix", NotHasSuffix: "!hassuffix", HasSuffixCs: "hassuffix_cs", NotHasSuffixCs: "!hassuffix_cs",
	Contains: "contains", NotContains: "!contains", ContainsCs: "contains_cs", NotContainsCs: "!contains_cs",
	StartsWith: "startswith", NotStartsWith: "!startswith", StartsWithCs: "startswith_cs", NotStartsWithCs: "!startswith_cs",
	EndsWith: "endswith", NotEndsWith: "!endswith", EndsWithCs: "endswith_cs", NotEndsWithCs: "!endswith_cs",
	Like: "like", NotLike: "notlike", LikeCs: "likecs", NotLikeCs: "notlikecs",
	MatchesRegex: "matches regex",
	Search:       ":",
}

// String returns the canonical KQL spelling of op.
func (op BinaryOp) String() string {
	if op < numBinaryOps {
		return binaryOpText[op]
	}
	return binaryOpText[BadOp]
}

// Precedence levels, lowest first.
const (
	PrecOr = iota + 1
	PrecAnd
	PrecEquality
	PrecRelational
	PrecAdditive
	PrecMultiplicative
	PrecString
	PrecUnary   // -x, +x
	PrecPrimary // names, literals, calls, x.y, x[i], (x)
)

// Precedence returns the precedence level of op.
func (op BinaryOp) Precedence() int {
	switch {
	case op == Or:
		return PrecOr
	case op == And:
		return PrecAnd
	case op >= Eql && op <= NotBetween:
		return PrecEquality
	case op >= Lss && op <= Geq:
		return PrecRelational
	case op == Add || op == Sub:
		return PrecAdditive
	case op >= Mul && op <= Rem:
		return PrecMultiplicative
	case op >= EqTilde && op <= Search:
		return PrecString
	}
	return 0
}

// Chains reports whether a sequence of operators of op's level associates
// to the left (a - b - c). The equality and relational levels do not
// chain: KQL rejects a == b == c and a < b < c.
func (op BinaryOp) Chains() bool {
	p := op.Precedence()
	return p != PrecEquality && p != PrecRelational
}
