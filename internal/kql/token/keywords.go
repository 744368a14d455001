package token

import "strings"

// The keyword tables below follow Microsoft's KQL analyzer
// (../shared/tools/kusto-oracle): each set was checked against it, word by
// word, in the positions where it matters.

// typedLiteralWords are the type names that form a literal when "(" follows
// immediately: datetime(2024-01-01), int(null), real(+inf). The body up to
// ")" is free text, so the scanner reads it as one TYPED token.
var typedLiteralWords = map[string]bool{
	"bool": true, "int": true, "int32": true, "long": true, "int64": true,
	"real": true, "double": true, "decimal": true,
	"datetime": true, "date": true, "time": true, "timespan": true,
	"guid": true,
}

// IsTypedLiteralWord reports whether w followed by "(" starts a typed literal.
func IsTypedLiteralWord(w string) bool { return typedLiteralWords[w] }

// dashedKeywords are the operator names and clause words that contain a
// dash. The scanner reads them as one KEYWORD token only when the whole word
// matches, so a-b remains a subtraction.
var dashedKeywords = []string{
	"assert-schema",
	"execute-and-cache",
	"granny-asc",
	"granny-desc",
	"graph-mark-components",
	"graph-match",
	"graph-merge",
	"graph-shortest-paths",
	"graph-to-table",
	"macro-expand",
	"make-graph",
	"make-series",
	"mv-apply",
	"mv-expand",
	"parse-kv",
	"parse-where",
	"partition-by",
	"partitioned-by",
	"project-away",
	"project-by-names",
	"project-keep",
	"project-rename",
	"project-reorder",
	"project-smart",
	"sample-distinct",
	"top-hitters",
	"top-nested",
}

// negatedKeywords are the "!"-prefixed string operators. KQL has no "!"
// operator of its own, so "!" followed by anything else is an error.
var negatedKeywords = map[string]bool{
	"!between":       true,
	"!contains":      true,
	"!contains_cs":   true,
	"!endswith":      true,
	"!endswith_cs":   true,
	"!has":           true,
	"!has_cs":        true,
	"!hasprefix":     true,
	"!hasprefix_cs":  true,
	"!hassuffix":     true,
	"!hassuffix_cs":  true,
	"!in":            true,
	"!in~":           true,
	"!startswith":    true,
	"!startswith_cs": true,
}

// DashedKeywordPrefix returns the dashed keyword (mv-expand,
// project-away, ...) that s starts with, or "". The caller checks that no
// identifier character follows it.
func DashedKeywordPrefix(s string) string {
	for _, kw := range dashedKeywords {
		if strings.HasPrefix(s, kw) {
			return kw
		}
	}
	return ""
}

// IsNegatedKeyword reports whether w is a negated operator such as !has.
func IsNegatedKeyword(w string) bool { return negatedKeywords[w] }

// boolWords are the spellings of the boolean literals.
var boolWords = map[string]bool{
	"true": true, "True": true, "TRUE": true,
	"false": true, "False": true, "FALSE": true,
}

// IsBoolWord reports whether w is a boolean literal.
func IsBoolWord(w string) bool { return boolWords[w] }

// NameUse says where a name appears, because KQL reserves different words
// in different places.
type NameUse uint8

const (
	// Reference is a name used in an expression: a column, a variable, a
	// function being called, a member after ".".
	Reference NameUse = iota
	// Binding is a name bound by let, set, as, range, fork and similar.
	Binding
	// Column is a column or parameter being declared: the left side of
	// "x = expr" in extend, project, summarize and print, function
	// parameters, schema columns, parse captures. It allows the most words:
	// print where = 1 is valid KQL.
	Column
)

// reservedEverywhere cannot be a bare name anywhere: operators, clause
// words that would make the grammar ambiguous, and type names. They can
// still be used bracketed: ['string'].
var reservedEverywhere = map[string]bool{
	"and": true, "or": true, "asc": true, "desc": true, "between": true,
	"bin_legacy": true, "bagexpansion": true, "datascope": true,
	"external_data": true, "first": true, "last": true, "flags": true,
	"isfuzzy": true, "journal": true, "others": true, "project": true,
	"relaxed": true, "simple": true, "union": true,

	"contains_cs": true, "containscs": true, "notcontains": true, "notcontainscs": true,
	"endswith": true, "endswith_cs": true, "startswith": true, "startswith_cs": true,
	"has_cs": true, "has_any": true, "has_all": true,
	"hasprefix": true, "hasprefix_cs": true, "hassuffix": true, "hassuffix_cs": true,
	"like": true, "likecs": true, "notlike": true, "notlikecs": true,

	"boolean": true, "byte": true, "char": true, "float": true, "string": true,
	"int8": true, "int16": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "ulong": true, "uniqueid": true,
	"date": true, "datetime": true, "double": true, "dynamic": true, "int": true,
	"int32": true, "int64": true, "long": true, "real": true, "decimal": true,
	"time": true, "timespan": true,
}

// reservedInExpressions may name a declared column (print where = 1) but
// not be referenced bare or bound by let.
var reservedInExpressions = map[string]bool{
	"accumulate": true, "as": true, "by": true, "contains": true,
	"datatable": true, "earliest": true, "externaldata": true, "find": true,
	"has": true, "in": true, "invoke": true, "latest": true,
	"materialize": true, "of": true, "print": true, "sample": true,
	"search": true, "set": true, "title": true, "to": true,
	"toscalar": true, "totable": true, "where": true,
}

// reservedInDeclarations may be referenced bare but not declared bare.
var reservedInDeclarations = map[string]bool{
	"kind": true, "withsource": true,
}

// IsReserved reports whether the word w must be bracketed (['w']) to be
// used as a name in the given position.
func IsReserved(w string, use NameUse) bool {
	if reservedEverywhere[w] || boolWords[w] {
		return true
	}
	switch use {
	case Reference:
		return reservedInExpressions[w]
	case Binding:
		return reservedInExpressions[w] || reservedInDeclarations[w]
	default:
		return reservedInDeclarations[w]
	}
}
