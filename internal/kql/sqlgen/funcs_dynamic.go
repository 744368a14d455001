package sqlgen

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// Dynamic values, arrays, sets and property bags.
//
// A dynamic value is JSON. Array functions turn an array into a DuckDB
// JSON[] list, work on the list, and turn the result back into JSON with
// to_json. Elements compare by their minified JSON text, so 1 and "1"
// differ and equal bags written with different spacing are equal.

// lambdaSeq names the lambda parameters the generator writes, so nested
// lambdas never shadow one another.
var lambdaSeq atomic.Int64

func lambdaVar() string { return fmt.Sprintf("__x%d", lambdaSeq.Add(1)) }

// bind evaluates s once and gives body a name for it: the SQL of a
// long argument is not repeated each time body reads it.
func bind(s string, body func(v string) string) string {
	v := lambdaVar()
	return "list_transform([" + s + "], " + v + " -> " + body(v) + ")[1]"
}

// jsonList is a dynamic array as a JSON[] list; null for anything else.
func jsonList(s string) string {
	return "(CASE WHEN json_type(" + s + ") = 'ARRAY' THEN CAST(" + s + " AS JSON[]) END)"
}

// jsonArray turns a JSON[] list into a dynamic array.
func jsonArray(list string) string {
	return "CAST(to_json(" + list + ") AS JSON)"
}

// elemKey is the text a JSON value compares by: minified, and 'null'
// for both JSON null and SQL NULL.
func elemKey(x string) string {
	return "coalesce(CAST(json(" + x + ") AS VARCHAR), 'null')"
}

// keysOf is the list of element keys of a JSON[] list.
func keysOf(list string) string {
	v := lambdaVar()
	return "list_transform(" + list + ", " + v + " -> " + elemKey(v) + ")"
}

// distinctList keeps the first occurrence of each element, in order.
func distinctList(list string) string {
	return bind(list, func(l string) string {
		return bind(keysOf(l), func(k string) string {
			x, i := lambdaVar(), lambdaVar()
			return "list_filter(" + l + ", (" + x + ", " + i + ") -> list_position(" + k + ", " + k + "[" + i + "]) = " + i + ")"
		})
	})
}

// dyn is an argument as a dynamic value.
func (g *gen) dyn(a arg) string { return toJSON(a.sql, a.typ) }

// bagEntries is a bag's properties as a list of {k, v} structs (empty
// for a value that is not a bag).
func bagEntries(b string) string {
	k := lambdaVar()
	return "(CASE WHEN json_type(" + b + ") = 'OBJECT' THEN list_transform(json_keys(" + b + "), " + k +
		" -> {'k': " + k + ", 'v': json_extract(" + b + ", '$.' || CAST(to_json(" + k + ") AS VARCHAR))}) " +
		"ELSE CAST([] AS STRUCT(k VARCHAR, v JSON)[]) END)"
}

// bagOf builds a bag from a list of {k, v} structs; the first of
// several entries with one key wins.
func bagOf(entries string) string {
	return bind(entries, func(e string) string {
		x, i := lambdaVar(), lambdaVar()
		keys := "list_transform(" + e + ", " + x + " -> " + x + ".k)"
		return bind(keys, func(k string) string {
			return "CAST(to_json(map_from_entries(list_filter(" + e + ", (" + x + ", " + i + ") -> " + x + ".k IS NOT NULL AND list_position(" + k + ", " + x + ".k) = " + i + "))) AS JSON)"
		})
	})
}

// keyPath is the JSON path of a bag key: a key starting with $ is a
// path already.
func keyPath(k string) string {
	return "(CASE WHEN starts_with(" + k + ", '$') THEN " + k + " ELSE '$.' || CAST(to_json(" + k + ") AS VARCHAR) END)"
}

// isPathKey reports whether a literal key argument is a JSON path.
func isPathKey(a arg) (path []string, isPath bool) {
	s, ok := litString(a)
	if !ok || !strings.HasPrefix(s, "$") {
		return nil, false
	}
	rest := strings.TrimPrefix(s, "$")
	if rest == "" {
		return nil, true
	}
	if !strings.HasPrefix(rest, ".") {
		return nil, true
	}
	parts := strings.Split(rest[1:], ".")
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, "[]'\"") {
			return nil, true
		}
	}
	return parts, true
}

// sortKey is the key array_sort orders an element by: null first or
// last, then numbers by value, then everything else by its text.
func sortKey(x, pos, nullFlag string) string {
	num := "(CASE WHEN json_type(" + x + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(" + x + " AS DOUBLE) ELSE 0 END)"
	kind := "(CASE WHEN json_type(" + x + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN 0 ELSE 1 END)"
	isNull := "(" + x + " IS NULL OR json_type(" + x + ") = 'NULL')"
	return "{'n': (CASE WHEN " + isNull + " THEN " + nullFlag + " ELSE 1 - " + nullFlag + " END), 'k': " + kind + ", 'd': " + num +
		", 's': " + dynToString(x) + ", 'p': " + pos + "}"
}

// arraySort compiles array_sort_asc and array_sort_desc: the first
// array is sorted; the others are reordered as it was. With several
// arrays the value is an array of the results.
func (g *gen) arraySort(x *ast.CallExpr, a []arg, desc bool) string {
	if len(a) == 0 {
		g.failf(x.Pos(), "%s needs an array", callName(x))
	}
	arrays := a
	nullsLast := "true"
	if last := a[len(a)-1]; len(a) > 1 && last.typ == schema.Bool {
		nullsLast = last.sql
		arrays = a[:len(a)-1]
	}
	// A null gets the higher flag when it must come last ascending or
	// first descending.
	flag := "(CASE WHEN " + nullsLast + " THEN 1 ELSE 0 END)"
	dir := "'ASC'"
	if desc {
		flag = "(CASE WHEN " + nullsLast + " THEN 0 ELSE 1 END)"
		dir = "'DESC'"
	}
	lists := make([]string, len(arrays))
	for i, ar := range arrays {
		lists[i] = jsonList(g.dyn(ar))
	}
	return bind(lists[0], func(l0 string) string {
		x, i, p := lambdaVar(), lambdaVar(), lambdaVar()
		keys := "list_transform(" + l0 + ", (" + x + ", " + i + ") -> " + sortKey(x, i, flag) + ")"
		perm := "list_transform(list_sort(" + keys + ", " + dir + "), " + x + " -> " + x + ".p)"
		return bind(perm, func(pm string) string {
			reorder := func(l string) string {
				return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE " + jsonArray("list_transform("+pm+", "+p+" -> "+l+"["+p+"])") + " END)"
			}
			if len(lists) == 1 {
				return reorder(l0)
			}
			outs := []string{reorder(l0)}
			for _, l := range lists[1:] {
				outs = append(outs, reorder(l))
			}
			return jsonArray("[" + strings.Join(outs, ", ") + "]")
		})
	})
}

func callName(x *ast.CallExpr) string {
	if id, ok := x.Fun.(*ast.Ident); ok {
		return id.Name
	}
	return "function"
}

// setOp compiles set_union, set_intersect and set_difference: distinct
// elements in order of first appearance.
func (g *gen) setOp(x *ast.CallExpr, a []arg, op string) string {
	if len(a) < 2 {
		g.failf(x.Pos(), "%s needs at least two arrays", callName(x))
	}
	lists := make([]string, len(a))
	var notNull []string
	for i, v := range a {
		lists[i] = jsonList(g.dyn(v))
		notNull = append(notNull, "json_type("+g.dyn(v)+") = 'ARRAY'")
	}
	var body string
	switch op {
	case "union":
		all := lists[0]
		for _, l := range lists[1:] {
			all = "list_concat(" + all + ", " + l + ")"
		}
		body = distinctList(all)
	default:
		e := lambdaVar()
		var conds []string
		for _, l := range lists[1:] {
			c := "list_contains(" + keysOf(l) + ", " + elemKey(e) + ")"
			if op == "difference" {
				c = "NOT " + c
			}
			conds = append(conds, c)
		}
		body = "list_filter(" + distinctList(lists[0]) + ", " + e + " -> " + strings.Join(conds, " AND ") + ")"
	}
	return "(CASE WHEN " + strings.Join(notNull, " AND ") + " THEN " + jsonArray(body) + " END)"
}

// truthOf is array_iff's reading of a condition element: a bool, or a
// number that is not zero; anything else is neither true nor false.
func truthOf(x string) string {
	return "(CASE json_type(" + x + ") WHEN 'BOOLEAN' THEN CAST(" + x + " AS BOOLEAN) " +
		"WHEN 'BIGINT' THEN CAST(" + x + " AS DOUBLE) <> 0 WHEN 'UBIGINT' THEN CAST(" + x + " AS DOUBLE) <> 0 " +
		"WHEN 'DOUBLE' THEN CAST(" + x + " AS DOUBLE) <> 0 END)"
}

func init() {
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		parts := make([]string, len(a))
		for i, v := range a {
			parts[i] = g.dyn(v)
		}
		return jsonArray("CAST([" + strings.Join(parts, ", ") + "] AS JSON[])")
	}, "pack_array")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a)%2 != 0 {
			g.failf(x.Pos(), "%s expects key, value pairs", callName(x))
		}
		if len(a) == 0 {
			return "CAST('{}' AS JSON)"
		}
		parts := make([]string, 0, len(a))
		for i := 0; i < len(a); i += 2 {
			parts = append(parts, "{'k': "+g.asString(a[i])+", 'v': "+g.dyn(a[i+1])+"}")
		}
		return bagOf("[" + strings.Join(parts, ", ") + "]")
	}, "bag_pack", "pack", "pack_dictionary")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 1)
		row := g.curRow
		if row == nil {
			g.failf(x.Pos(), "pack_all needs a row")
		}
		ignore := ""
		if len(a) == 1 {
			ignore = a[0].sql
		}
		return g.packColumns(row.cols, ignore)
	}, "pack_all")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) == 0 {
			g.failf(x.Pos(), "bag_pack_columns needs columns")
		}
		parts := make([]string, len(a))
		for i, v := range a {
			id, ok := valueOf(v.e).(*ast.Ident)
			if !ok {
				g.failf(v.e.Pos(), "bag_pack_columns expects column names")
			}
			parts[i] = "{'k': " + g.typedParam(id.Name, schema.String) + ", 'v': " + g.dyn(v) + "}"
		}
		return bagOf("[" + strings.Join(parts, ", ") + "]")
	}, "bag_pack_columns")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		s := g.dyn(a[0])
		return "(CASE WHEN json_type(" + s + ") = 'OBJECT' THEN " + jsonArray("json_keys("+s+")") + " END)"
	}, "bag_keys")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) < 2 {
			g.failf(x.Pos(), "bag_merge needs at least two bags")
		}
		all := bagEntries(g.dyn(a[0]))
		for _, v := range a[1:] {
			all = "list_concat(" + all + ", " + bagEntries(g.dyn(v)) + ")"
		}
		return bagOf(all)
	}, "bag_merge")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		s := g.dyn(a[0])
		return "coalesce(json_type(" + s + ") = 'OBJECT' AND json_exists(" + s + ", " + keyPath(g.asString(a[1])) + "), false)"
	}, "bag_has_key")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		return g.bagSetKey(x, a)
	}, "bag_set_key")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return g.bagRemoveKeys(x, a)
	}, "bag_remove_keys")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		keys := jsonList(g.dyn(a[0]))
		vals := jsonList(g.dyn(a[1]))
		return bind(keys, func(k string) string {
			return bind(vals, func(v string) string {
				e, i := lambdaVar(), lambdaVar()
				entries := "list_filter(list_transform(" + k + ", (" + e + ", " + i + ") -> {'k': CASE WHEN json_type(" + e + ") = 'VARCHAR' THEN json_extract_string(" + e + ", '$') END, 'v': " + v + "[" + i + "]}), " + e + " -> " + e + ".k IS NOT NULL)"
				return "(CASE WHEN " + k + " IS NULL THEN NULL ELSE " + bagOf(entries) + " END)"
			})
		})
	}, "bag_zip")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		s := g.dyn(a[0])
		return "(CASE WHEN json_type(" + s + ") = 'ARRAY' THEN CAST(json_array_length(" + s + ") AS BIGINT) END)"
	}, "array_length")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) == 0 {
			g.failf(x.Pos(), "array_concat needs arrays")
		}
		var conds []string
		all := ""
		for i, v := range a {
			s := g.dyn(v)
			conds = append(conds, "json_type("+s+") = 'ARRAY'")
			if i == 0 {
				all = "CAST(" + s + " AS JSON[])"
			} else {
				all = "list_concat(" + all + ", CAST(" + s + " AS JSON[]))"
			}
		}
		return "(CASE WHEN " + strings.Join(conds, " AND ") + " THEN " + jsonArray(all) + " END)"
	}, "array_concat")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		start, end := g.asType(a[1], schema.Long), g.asType(a[2], schema.Long)
		return bind(jsonList(g.dyn(a[0])), func(l string) string {
			n := "CAST(len(" + l + ") AS BIGINT)"
			s := "greatest(CASE WHEN " + start + " < 0 THEN " + start + " + " + n + " ELSE " + start + " END, 0)"
			e := "least(CASE WHEN " + end + " < 0 THEN " + end + " + " + n + " ELSE " + end + " END, " + n + " - 1)"
			return bind(s, func(sv string) string {
				return bind(e, func(ev string) string {
					return "(CASE WHEN " + l + " IS NULL THEN NULL WHEN " + ev + " < " + sv + " THEN CAST('[]' AS JSON) ELSE " +
						jsonArray("list_slice("+l+", "+sv+" + 1, "+ev+" + 1)") + " END)"
				})
			})
		})
	}, "array_slice")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return g.arraySplit(a)
	}, "array_split")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind(jsonList(g.dyn(a[0])), func(l string) string {
			return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE " + jsonArray("list_reverse("+l+")") + " END)"
		})
	}, "array_reverse")
	rotate := func(sign string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 2, 2)
			by := g.asType(a[1], schema.Long)
			return bind(jsonList(g.dyn(a[0])), func(l string) string {
				n := "CAST(len(" + l + ") AS BIGINT)"
				k := "(((" + sign + by + ") % " + n + ") + " + n + ") % " + n
				return bind(k, func(kv string) string {
					return "(CASE WHEN " + l + " IS NULL THEN NULL WHEN len(" + l + ") = 0 THEN CAST('[]' AS JSON) ELSE " +
						jsonArray("list_concat(list_slice("+l+", "+kv+" + 1, "+n+"), list_slice("+l+", 1, "+kv+"))") + " END)"
				})
			})
		}
	}
	registerT(rotate(""), "array_rotate_left")
	registerT(rotate("-"), "array_rotate_right")
	shift := func(sign string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 2, 3)
			by := g.asType(a[1], schema.Long)
			fill := "CAST(NULL AS JSON)"
			if len(a) == 3 {
				fill = g.dyn(a[2])
			}
			return bind(jsonList(g.dyn(a[0])), func(l string) string {
				i := lambdaVar()
				j := "(" + i + " + " + sign + "(" + by + "))"
				n := "CAST(len(" + l + ") AS BIGINT)"
				return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE " + jsonArray("list_transform(range("+n+"), "+i+" -> CASE WHEN "+j+" >= 0 AND "+j+" < "+n+" THEN "+l+"["+j+" + 1] ELSE "+fill+" END)") + " END)"
			})
		}
	}
	registerT(shift(""), "array_shift_left")
	registerT(shift("-"), "array_shift_right")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return g.arraySort(x, a, false)
	}, "array_sort_asc")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return g.arraySort(x, a, true)
	}, "array_sort_desc")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 5)
		start, length, occ := "0", "-1", "1"
		if len(a) > 2 {
			start = g.asType(a[2], schema.Long)
		}
		if len(a) > 3 {
			length = g.asType(a[3], schema.Long)
		}
		if len(a) > 4 {
			occ = g.asType(a[4], schema.Long)
		}
		look := elemKey(g.dyn(a[1]))
		return bind(jsonList(g.dyn(a[0])), func(l string) string {
			n := "CAST(len(" + l + ") AS BIGINT)"
			s := "(CASE WHEN " + start + " < 0 THEN greatest(" + start + " + " + n + ", 0) ELSE " + start + " END)"
			return bind(s, func(sv string) string {
				i := lambdaVar()
				hits := "list_filter(range(" + n + "), " + i + " -> " + i + " >= " + sv + " AND (" + length + " < 0 OR " + i + " < " + sv + " + " + length + ") AND " + elemKey(l+"["+i+" + 1]") + " = " + look + ")"
				return "(CASE WHEN " + l + " IS NULL OR " + occ + " < 0 OR " + length + " < -1 THEN NULL ELSE coalesce(CAST(" + hits + "[" + occ + "] AS BIGINT), -1) END)"
			})
		})
	}, "array_index_of")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		pick := func(v arg, i string) string {
			s := g.dyn(v)
			if v.typ == schema.Dynamic || v.typ == schema.Invalid {
				return "(CASE WHEN json_type(" + s + ") = 'ARRAY' THEN CAST(" + s + " AS JSON[])[" + i + "] ELSE " + s + " END)"
			}
			return s
		}
		return bind(jsonList(g.dyn(a[0])), func(l string) string {
			c, i := lambdaVar(), lambdaVar()
			t := truthOf(c)
			return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE " + jsonArray("list_transform("+l+", ("+c+", "+i+") -> CASE WHEN "+t+" THEN "+pick(a[1], i)+" WHEN NOT "+t+" THEN "+pick(a[2], i)+" END)") + " END)"
		})
	}, "array_iff", "array_iif")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind(jsonList(g.dyn(a[0])), func(l string) string {
			e := lambdaVar()
			numeric := "list_bool_and(list_transform(" + l + ", " + e + " -> coalesce(json_type(" + e + ") IN ('BIGINT', 'UBIGINT', 'DOUBLE'), false)))"
			return "(CASE WHEN " + l + " IS NULL OR len(" + l + ") = 0 OR NOT " + numeric + " THEN NULL ELSE CAST(list_sum(list_transform(" + l + ", " + e + " -> CAST(" + e + " AS DOUBLE))) AS DOUBLE) END)"
		})
	}, "array_sum")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return g.setOp(x, a, "union")
	}, "set_union")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return g.setOp(x, a, "intersect")
	}, "set_intersect")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return g.setOp(x, a, "difference")
	}, "set_difference")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		s := g.dyn(a[0])
		return "coalesce(json_type(" + s + ") = 'ARRAY' AND list_contains(" + keysOf("CAST("+s+" AS JSON[])") + ", " + elemKey(g.dyn(a[1])) + "), false)"
	}, "set_has_element")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		k1 := "list_distinct(" + keysOf(jsonList(g.dyn(a[0]))) + ")"
		k2 := "list_distinct(" + keysOf(jsonList(g.dyn(a[1]))) + ")"
		return bind(k1, func(p string) string {
			return bind(k2, func(q string) string {
				inter := "len(list_intersect(" + p + ", " + q + "))"
				union := "len(list_distinct(list_concat(" + p + ", " + q + ")))"
				return "(CASE WHEN " + p + " IS NULL OR " + q + " IS NULL THEN NULL ELSE CAST(" + inter + " AS DOUBLE) / " + union + " END)"
			})
		})
	}, "jaccard_index")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) < 2 {
			g.failf(x.Pos(), "zip needs at least two arrays")
		}
		var conds, lens, lists []string
		for _, v := range a {
			s := g.dyn(v)
			conds = append(conds, "json_type("+s+") = 'ARRAY'")
			lens = append(lens, "json_array_length("+s+")")
			lists = append(lists, "CAST("+s+" AS JSON[])")
		}
		i := lambdaVar()
		elems := make([]string, len(lists))
		for j, l := range lists {
			elems[j] = l + "[" + i + "]"
		}
		n := "greatest(" + strings.Join(lens, ", ") + ")"
		if len(lens) == 1 {
			n = lens[0]
		}
		body := "list_transform(range(1, CAST(" + n + " AS BIGINT) + 1), " + i + " -> " + jsonArray("CAST(["+strings.Join(elems, ", ")+"] AS JSON[])") + ")"
		return "(CASE WHEN " + strings.Join(conds, " AND ") + " THEN " + jsonArray(body) + " END)"
	}, "zip")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return g.gettype(a[0])
	}, "gettype")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		s := g.dyn(a[0])
		return "coalesce(CAST(" + canonicalJSON(s, 3) + " AS VARCHAR), '')"
	}, "dynamic_to_json")
}

// packColumns is pack_all over cols; with ignore set (SQL of a bool),
// null and empty values are left out.
func (g *gen) packColumns(cols []check.Column, ignore string) string {
	if len(cols) == 0 {
		return "CAST('{}' AS JSON)"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "{'k': " + g.typedParam(c.Name, schema.String) + ", 'v': " + toJSON(quote(c.Name), c.Type) + "}"
	}
	entries := "[" + strings.Join(parts, ", ") + "]"
	if ignore != "" {
		e := lambdaVar()
		entries = "(CASE WHEN " + ignore + " THEN list_filter(" + entries + ", " + e + " -> " + e + ".v IS NOT NULL AND json_type(" + e + ".v) <> 'NULL' AND CAST(" + e + ".v AS VARCHAR) <> '\"\"') ELSE " + entries + " END)"
	}
	return bagOf(entries)
}

// bagSetKey compiles bag_set_key: a key written as a JSON path
// ($.a.b) sets a nested property, creating the bags on its way.
func (g *gen) bagSetKey(x *ast.CallExpr, a []arg) string {
	b, v := g.dyn(a[0]), g.dyn(a[2])
	parts, isPath := isPathKey(a[1])
	if isPath && len(parts) == 0 {
		g.failf(a[1].e.Pos(), "bag_set_key supports paths of property names only ($.a.b)")
	}
	if !isPath {
		if _, lit := litString(a[1]); !lit {
			// A computed key is a plain key; a computed path is refused
			// at run time rather than read as a key.
			k := g.asString(a[1])
			return "(CASE WHEN starts_with(" + k + ", '$') THEN error('bag_set_key: computed JSON paths are not supported') WHEN json_type(" + b + ") = 'OBJECT' THEN " +
				setKey(b, []string{k}, v) + " END)"
		}
		parts = []string{g.asString(a[1])}
	} else {
		// The steps come from the path argument itself, split at run
		// time: its parameter is already bound.
		for i := range parts {
			parts[i] = fmt.Sprintf("string_split(%s, '.')[%d]", a[1].sql, i+2)
		}
	}
	return "(CASE WHEN json_type(" + b + ") = 'OBJECT' THEN " + setKey(b, parts, v) + " END)"
}

// setKey sets the property at a path of keys (SQL strings) in bag b.
func setKey(b string, keys []string, v string) string {
	return bind(b, func(bv string) string {
		inner := v
		if len(keys) > 1 {
			child := "json_extract(" + bv + ", '$.' || CAST(to_json(" + keys[0] + ") AS VARCHAR))"
			child = "(CASE WHEN json_type(" + child + ") = 'OBJECT' THEN " + child + " ELSE CAST('{}' AS JSON) END)"
			inner = setKey(child, keys[1:], v)
		}
		e := lambdaVar()
		kept := "list_filter(" + bagEntries(bv) + ", " + e + " -> " + e + ".k <> " + keys[0] + ")"
		return bagOf("list_concat(" + kept + ", [{'k': " + keys[0] + ", 'v': " + inner + "}])")
	})
}

// bagRemoveKeys compiles bag_remove_keys: keys are property names, or
// paths of one level ($.name).
func (g *gen) bagRemoveKeys(x *ast.CallExpr, a []arg) string {
	if dl, ok := a[1].e.(*ast.DynamicLit); ok {
		if v, err := jsonValue(dl.Value); err == nil {
			if list, ok := v.([]any); ok {
				for _, k := range list {
					if s, ok := k.(string); ok && strings.HasPrefix(s, "$") && strings.Count(s, ".") > 1 {
						g.failf(a[1].e.Pos(), "bag_remove_keys supports keys and one-level paths only")
					}
				}
			}
		}
	}
	b := g.dyn(a[0])
	keys := jsonList(g.dyn(a[1]))
	return bind(b, func(bv string) string {
		return bind(keys, func(kv string) string {
			e, k := lambdaVar(), lambdaVar()
			names := "list_transform(list_filter(" + kv + ", " + k + " -> json_type(" + k + ") = 'VARCHAR'), " + k + " -> json_extract_string(" + k + ", '$'))"
			return bind(names, func(nv string) string {
				kept := "list_filter(" + bagEntries(bv) + ", " + e + " -> NOT list_contains(" + nv + ", " + e + ".k) AND NOT list_contains(" + nv + ", '$.' || " + e + ".k))"
				n := lambdaVar()
				deep := "coalesce(list_bool_or(list_transform(" + nv + ", " + n + " -> " + n + " LIKE '$.%.%' OR " + n + " LIKE '$%[%')), false)"
				return "(CASE WHEN json_type(" + bv + ") <> 'OBJECT' THEN NULL WHEN " + kv + " IS NULL THEN " + bv +
					" WHEN " + deep + " THEN CAST(error('bag_remove_keys: only keys and one-level paths are supported') AS JSON) ELSE " + bagOf(kept) + " END)"
			})
		})
	})
}

// arraySplit compiles array_split: the array cut before each index
// (a long or an array of longs; negative counts from the end).
func (g *gen) arraySplit(a []arg) string {
	var idx string
	if a[1].typ == schema.Dynamic || a[1].typ == schema.Invalid {
		s := g.dyn(a[1])
		e := lambdaVar()
		idx = "(CASE WHEN json_type(" + s + ") = 'ARRAY' THEN list_transform(CAST(" + s + " AS JSON[]), " + e + " -> TRY_CAST(" + e + " AS BIGINT)) ELSE [TRY_CAST(" + dynToString(s) + " AS BIGINT)] END)"
	} else {
		idx = "[" + g.asType(a[1], schema.Long) + "]"
	}
	return bind(jsonList(g.dyn(a[0])), func(l string) string {
		n := "CAST(len(" + l + ") AS BIGINT)"
		e := lambdaVar()
		norm := "list_sort(list_transform(list_filter(" + idx + ", " + e + " -> " + e + " IS NOT NULL), " + e + " -> least(greatest(CASE WHEN " + e + " < 0 THEN " + e + " + " + n + " ELSE " + e + " END, 0), " + n + ")))"
		bounds := "list_concat(list_concat([CAST(0 AS BIGINT)], " + norm + "), [" + n + "])"
		return bind(bounds, func(bv string) string {
			j := lambdaVar()
			piece := "CASE WHEN " + bv + "[" + j + " + 2] <= " + bv + "[" + j + " + 1] THEN CAST('[]' AS JSON) ELSE " + jsonArray("list_slice("+l+", "+bv+"["+j+" + 1] + 1, "+bv+"["+j+" + 2])") + " END"
			return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE " + jsonArray("list_transform(range(len("+bv+") - 1), "+j+" -> "+piece+")") + " END)"
		})
	})
}

// gettype names the type of a value as Kusto does.
func (g *gen) gettype(a arg) string {
	switch a.typ {
	case schema.Dynamic, schema.Invalid:
		s := a.sql
		// Kusto's JSON parser keeps an integer that fits in 32 bits as
		// int.
		intOrLong := "(CASE WHEN TRY_CAST(" + s + " AS INTEGER) IS NOT NULL THEN 'int' ELSE 'long' END)"
		return "(CASE json_type(" + s + ") WHEN 'ARRAY' THEN 'array' WHEN 'OBJECT' THEN 'dictionary' WHEN 'VARCHAR' THEN 'string' " +
			"WHEN 'BIGINT' THEN " + intOrLong + " WHEN 'UBIGINT' THEN " + intOrLong + " WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' ELSE 'null' END)"
	}
	// The type is known statically; the argument is still read so that
	// its parameters stay bound.
	name := g.typedParam(a.typ.String(), schema.String)
	return "(CASE WHEN (" + a.sql + ") IS NULL THEN " + name + " ELSE " + name + " END)"
}

// canonicalJSON renders a dynamic value with the keys of its bags
// sorted, down to depth levels of nesting (deeper bags keep their
// order).
func canonicalJSON(s string, depth int) string {
	if depth == 0 {
		return s
	}
	return bind(s, func(v string) string {
		k, e := lambdaVar(), lambdaVar()
		obj := "CAST(to_json(map_from_entries(list_transform(list_sort(json_keys(" + v + ")), " + k + " -> {'k': " + k + ", 'v': " +
			canonicalJSON("json_extract("+v+", '$.' || CAST(to_json("+k+") AS VARCHAR))", depth-1) + "}))) AS JSON)"
		arr := jsonArray("list_transform(CAST(" + v + " AS JSON[]), " + e + " -> " + canonicalJSON(e, depth-1) + ")")
		return "(CASE json_type(" + v + ") WHEN 'OBJECT' THEN " + obj + " WHEN 'ARRAY' THEN " + arr + " ELSE json(" + v + ") END)"
	})
}

// producedTypes is the KQL type of the SQL each function of this file
// and funcs_ip.go writes (dynamic when not listed).
var producedTypes = map[string]schema.Type{
	"array_length": schema.Long, "array_index_of": schema.Long,
	"array_sum": schema.Real, "jaccard_index": schema.Real,
	"bag_has_key": schema.Bool, "set_has_element": schema.Bool,
	"gettype": schema.String, "dynamic_to_json": schema.String,
	"parse_ipv4": schema.Long, "parse_ipv4_mask": schema.Long,
	"ipv4_is_in_range": schema.Bool, "ipv4_is_in_any_range": schema.Bool,
	"ipv4_is_match": schema.Bool, "ipv4_is_private": schema.Bool,
	"format_ipv4": schema.String, "format_ipv4_mask": schema.String,
	"has_ipv4": schema.Bool, "has_ipv4_prefix": schema.Bool,
	"parse_ipv6": schema.String, "parse_ipv6_mask": schema.String,
	"ipv6_is_match": schema.Bool, "ipv6_is_in_range": schema.Bool,
	"ipv6_is_in_any_range": schema.Bool,
	// These cast to the binder's type themselves.
	"ipv4_compare": schema.Invalid, "ipv4_netmask_suffix": schema.Invalid, "ipv6_compare": schema.Invalid,
}

// registerT registers a function whose result is converted to the type
// the binder gave the call, when the SQL's type differs.
func registerT(f scalarFunc, names ...string) {
	produced, ok := producedTypes[names[0]]
	if !ok {
		produced = schema.Dynamic
	}
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		for _, v := range a {
			if _, star := v.e.(*ast.Star); star {
				g.failf(v.e.Pos(), "%s does not take *", names[0])
			}
		}
		start := lambdaSeq.Load()
		s := renameLambdas(f(g, x, a), start, x, a)
		want := g.typeOf(x)
		if produced == schema.Invalid || want == schema.Invalid || want == produced {
			return s
		}
		return g.coerce(s, produced, want)
	}, names...)
}

// treepathDepth bounds the nesting treepath follows; deeper values fail
// at run time rather than lose paths.
const treepathDepth = 5

// treePaths is the VARCHAR[] of the paths under v, each starting with
// prefix (SQL of a string): ['key'] for a property, [0] for the
// elements of an array (their paths merged).
func treePaths(v, prefix string, depth int) string {
	if depth == 0 {
		return "(CASE WHEN (json_type(" + v + ") = 'OBJECT' AND len(json_keys(" + v + ")) > 0) OR (json_type(" + v + ") = 'ARRAY' AND json_array_length(" + v + ") > 0) " +
			"THEN CAST(error('treepath: the value nests too deeply') AS VARCHAR[]) ELSE CAST([] AS VARCHAR[]) END)"
	}
	return bind(v, func(x string) string {
		k, e := lambdaVar(), lambdaVar()
		keyPrefix := "(" + prefix + " || '[''' || " + k + " || ''']')"
		obj := "flatten(list_transform(json_keys(" + x + "), " + k + " -> list_concat([" + keyPrefix + "], " +
			treePaths("json_extract("+x+", '$.' || CAST(to_json("+k+") AS VARCHAR))", keyPrefix, depth-1) + ")))"
		elemPrefix := "(" + prefix + " || '[0]')"
		elems := "flatten(list_transform(CAST(" + x + " AS JSON[]), " + e + " -> " + treePaths(e, elemPrefix, depth-1) + "))"
		arr := bind(elems, func(l string) string {
			s, i := lambdaVar(), lambdaVar()
			return "list_concat([" + elemPrefix + "], list_filter(" + l + ", (" + s + ", " + i + ") -> list_position(" + l + ", " + s + ") = " + i + "))"
		})
		return "(CASE WHEN json_type(" + x + ") = 'OBJECT' THEN " + obj + " WHEN json_type(" + x + ") = 'ARRAY' AND json_array_length(" + x + ") > 0 THEN " + arr +
			" ELSE CAST([] AS VARCHAR[]) END)"
	})
}

func init() {
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		s := g.dyn(a[0])
		return "(CASE WHEN " + s + " IS NULL THEN NULL ELSE " + jsonArray(treePaths(s, "''", treepathDepth)) + " END)"
	}, "treepath")
}

var lambdaName = regexp.MustCompile(`__x[0-9]+`)

// renameLambdas gives the lambda parameters a call wrote (those numbered
// after start) names that depend only on the call, so that one query
// always compiles to the same SQL: a hash of the call's position and
// arguments (an enclosing call's arguments contain this call's SQL, so
// they differ) and the order of first appearance.
func renameLambdas(s string, start int64, x *ast.CallExpr, a []arg) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", x.Pos())
	for _, v := range a {
		h.Write([]byte{0})
		h.Write([]byte(v.sql))
	}
	prefix := fmt.Sprintf("__y%x_", h.Sum64())
	names := map[string]string{}
	return lambdaName.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseInt(m[3:], 10, 64)
		if err != nil || n <= start {
			return m
		}
		if r, ok := names[m]; ok {
			return r
		}
		r := prefix + strconv.Itoa(len(names))
		names[m] = r
		return r
	})
}
