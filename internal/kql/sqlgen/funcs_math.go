package sqlgen

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Math functions. Where DuckDB raises an error for a value outside a
// function's domain (log of a negative number, asin(2)...) Kusto gives
// null or NaN: the argument is steered away from the error.
func init() {
	real := func(g *gen, a arg) string { return "CAST(" + g.asType(a, schema.Real) + " AS DOUBLE)" }
	unary := func(f func(x string) string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 1)
			return f(real(g, a[0]))
		}
	}
	fn := func(name string) scalarFunc {
		return unary(func(x string) string { return name + "(" + x + ")" })
	}
	register(fn("exp"), "exp")
	register(unary(func(x string) string { return "pow(2.0, " + x + ")" }), "exp2")
	register(unary(func(x string) string { return "pow(10.0, " + x + ")" }), "exp10")
	// Logarithms of negative numbers are null in Kusto; of zero -inf.
	for _, n := range []string{"ln", "log2", "log10"} {
		name := n
		kql := n
		if n == "ln" {
			kql = "log"
		}
		register(unary(func(x string) string {
			return "(CASE WHEN " + x + " > 0 OR isnan(" + x + ") THEN " + name + "(" + x + ") WHEN " + x + " = 0 THEN '-Infinity'::DOUBLE END)"
		}), kql)
	}
	register(unary(func(x string) string {
		return "sqrt(CASE WHEN " + x + " >= 0 OR isnan(" + x + ") THEN " + x + " END)"
	}), "sqrt")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return "pow(" + real(g, a[0]) + ", " + real(g, a[1]) + ")"
	}, "pow")
	register(fn("sin"), "sin")
	register(fn("cos"), "cos")
	register(fn("tan"), "tan")
	register(fn("atan"), "atan")
	register(fn("cot"), "cot")
	register(fn("degrees"), "degrees")
	register(fn("radians"), "radians")
	register(fn("gamma"), "gamma")
	register(fn("lgamma"), "loggamma")
	for _, n := range []string{"asin", "acos"} {
		name := n
		register(unary(func(x string) string {
			// Outside [-1, 1] the result is null.
			return name + "(CASE WHEN " + x + " BETWEEN -1 AND 1 OR isnan(" + x + ") THEN " + x + " END)"
		}), n)
	}
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return "atan2(" + real(g, a[0]) + ", " + real(g, a[1]) + ")"
	}, "atan2")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 0)
		return "pi()"
	}, "pi")
	register(unary(func(x string) string { return "CAST(sign(" + x + ") AS DOUBLE)" }), "sign")
	register(unary(func(x string) string { return "isnan(" + x + ")" }), "isnan")
	register(unary(func(x string) string { return "isinf(" + x + ")" }), "isinf")
	register(unary(func(x string) string { return "isfinite(" + x + ")" }), "isfinite")
	register(unary(erfSQL), "erf")
	register(unary(erfcSQL), "erfc")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		t := g.typeOf(x)
		switch t {
		case schema.TimeSpan:
			return "to_microseconds(abs(" + toUS(g.asType(a[0], schema.TimeSpan)) + "))"
		case schema.Decimal:
			return "abs(" + g.asType(a[0], t) + ")"
		}
		return "CAST(abs(" + g.asType(a[0], t) + ") AS " + sqlType(t) + ")"
	}, "abs")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		t := g.typeOf(x)
		return "CAST(ceil(" + g.asType(a[0], t) + ") AS " + sqlType(t) + ")"
	}, "ceiling")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 2)
		t := g.typeOf(x)
		v := g.asType(a[0], t)
		p := "0"
		if len(a) == 2 {
			p = "CAST(" + g.asType(a[1], schema.Long) + " AS INTEGER)"
		}
		return "CAST(round(" + v + ", " + p + ") AS " + sqlType(t) + ")"
	}, "round")

	minMax := func(sqlFn string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			if len(a) < 2 {
				g.failf(x.Pos(), "needs at least two arguments")
			}
			t := g.typeOf(x)
			parts := make([]string, len(a))
			for i, v := range a {
				parts[i] = g.asType(v, t)
			}
			// greatest and least skip nulls, as max_of and min_of do.
			return sqlFn + "(" + strings.Join(parts, ", ") + ")"
		}
	}
	register(minMax("greatest"), "max_of")
	register(minMax("least"), "min_of")

	long := func(g *gen, a arg) string { return "CAST(" + g.asType(a, schema.Long) + " AS BIGINT)" }
	bin2 := func(op string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 2, 2)
			return "(" + long(g, a[0]) + " " + op + " " + long(g, a[1]) + ")"
		}
	}
	register(bin2("&"), "binary_and")
	register(bin2("|"), "binary_or")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return "xor(" + long(g, a[0]) + ", " + long(g, a[1]) + ")"
	}, "binary_xor")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(~" + long(g, a[0]) + ")"
	}, "binary_not")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		// .NET masks the count to 0..63 and shifts bits out without
		// overflow: multiply in HUGEINT (DuckDB will not shift a negative
		// number) and wrap to 64 bits.
		return wrap64("(" + long(g, a[0]) + "::HUGEINT * (1::HUGEINT << CAST(" + long(g, a[1]) + " & 63 AS INTEGER)))")
	}, "binary_shift_left")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return "(" + long(g, a[0]) + " >> CAST(" + long(g, a[1]) + " & 63 AS INTEGER))"
	}, "binary_shift_right")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CAST(bit_count(" + long(g, a[0]) + ") AS BIGINT)"
	}, "bitset_count_ones")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 1)
		if len(a) == 1 {
			return "CAST(floor(random() * " + long(g, a[0]) + ") AS DOUBLE)"
		}
		return "random()"
	}, "rand")

	for kind := range unitTables {
		k := kind
		register(func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 3, 3)
			return g.convertUnit(x, k, real(g, a[0]), a[1], a[2])
		}, "convert_"+k)
	}
}

// wrap64 reduces a HUGEINT to a BIGINT modulo 2^64, as two's complement
// arithmetic does.
func wrap64(h string) string {
	return "CAST(((" + h + " + 9223372036854775808) & 18446744073709551615) - 9223372036854775808 AS BIGINT)"
}

// erfSQL is the error function: its Maclaurin series for |x| < 2.5 and
// 1 - erfc (continued fraction) beyond, both accurate to ~1e-15.
func erfSQL(x string) string {
	return "(CASE WHEN abs(" + x + ") < 2.5 THEN " + erfSeries(x) + " ELSE sign(" + x + ") * (1 - " + erfcCF("abs("+x+")") + ") END)"
}

func erfcSQL(x string) string {
	return "(CASE WHEN " + x + " >= 2.5 THEN " + erfcCF(x) + " WHEN " + x + " <= -2.5 THEN 2 - " + erfcCF("(-"+x+")") + " ELSE 1 - " + erfSeries(x) + " END)"
}

// erfSeries: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
func erfSeries(x string) string {
	return "(2 / sqrt(pi()) * list_sum(list_transform(range(0, 80), __erf_n -> (CASE WHEN __erf_n % 2 = 0 THEN 1 ELSE -1 END) * exp((2 * __erf_n + 1) * ln(abs(" + x + ") + 1e-300) - lgamma(__erf_n + 1)) / (2 * __erf_n + 1))) * sign(" + x + "))"
}

// erfcCF: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
// evaluated from the tail, for x >= 2.5.
func erfcCF(x string) string {
	return "(exp(-(" + x + ") * (" + x + ")) / sqrt(pi()) / list_reduce(list_transform(range(120, 0, -1), __erf_k -> __erf_k / 2.0), (__erf_t, __erf_k) -> " + x + " + __erf_k / __erf_t, " + x + "))"
}

// unitTables give, per convert_* family, each unit's size in the
// family's base unit (as UnitsNet names them, which Kusto uses).
// Temperature is affine and handled apart.
var unitTables = map[string]map[string]float64{
	"length": {
		"angstrom": 1e-10, "astronomicalunit": 1.495978707e11, "centimeter": 0.01, "chain": 20.1168,
		"datamile": 1828.8, "decameter": 10, "decimeter": 0.1, "dtppica": 0.0254 / 6, "dtppoint": 0.0254 / 72,
		"fathom": 1.8288, "foot": 0.3048, "hand": 0.1016, "hectometer": 100, "inch": 0.0254,
		"kilolightyear": 9.46073047258e18, "kilometer": 1000, "kiloparsec": 3.08567758128e19,
		"lightyear": 9.46073047258e15, "megalightyear": 9.46073047258e21, "megaparsec": 3.08567758128e22,
		"meter": 1, "microinch": 2.54e-8, "micrometer": 1e-6, "mil": 2.54e-5, "mile": 1609.344,
		"millimeter": 0.001, "nanometer": 1e-9, "nauticalmile": 1852, "parsec": 3.08567758128e16,
		"printerpica": 0.0254 * 12 / 72.27, "printerpoint": 0.0254 / 72.27, "shackle": 27.432,
		"solarradius": 6.95510e8, "twip": 0.0254 / 1440, "ussurveyfoot": 1200.0 / 3937, "yard": 0.9144,
	},
	"mass": {
		"centigram": 1e-5, "decagram": 0.01, "decigram": 1e-4, "earthmass": 5.9722e24, "grain": 6.479891e-5,
		"gram": 0.001, "hectogram": 0.1, "kilogram": 1, "kilopound": 453.59237, "kilotonne": 1e6,
		"longhundredweight": 50.80234544, "longton": 1016.0469088, "megapound": 453592.37, "megatonne": 1e9,
		"microgram": 1e-9, "milligram": 1e-6, "nanogram": 1e-12, "ounce": 0.028349523125, "pound": 0.45359237,
		"shorthundredweight": 45.359237, "shortton": 907.18474, "slug": 14.593902937206, "solarmass": 1.98947e30,
		"stone": 6.35029318, "tonne": 1000,
	},
	"speed": {
		"centimeterperhour": 0.01 / 3600, "centimeterperminute": 0.01 / 60, "centimeterpersecond": 0.01,
		"decimeterperminute": 0.1 / 60, "decimeterpersecond": 0.1, "footperhour": 0.3048 / 3600,
		"footperminute": 0.3048 / 60, "footpersecond": 0.3048, "inchperhour": 0.0254 / 3600,
		"inchperminute": 0.0254 / 60, "inchpersecond": 0.0254, "kilometerperhour": 1 / 3.6,
		"kilometerperminute": 1000.0 / 60, "kilometerpersecond": 1000, "knot": 1852.0 / 3600,
		"meterperhour": 1.0 / 3600, "meterperminute": 1.0 / 60, "meterpersecond": 1,
		"micrometerperminute": 1e-6 / 60, "micrometerpersecond": 1e-6, "mileperhour": 0.44704,
		"millimeterperhour": 0.001 / 3600, "millimeterperminute": 0.001 / 60, "millimeterpersecond": 0.001,
		"nanometerperminute": 1e-9 / 60, "nanometerpersecond": 1e-9, "yardperhour": 0.9144 / 3600,
		"yardperminute": 0.9144 / 60, "yardpersecond": 0.9144, "mach": 340.29,
	},
	"volume": {
		"acrefoot": 1 / 0.000810714, "centiliter": 1e-5, "cubiccentimeter": 1e-6, "cubicdecimeter": 0.001,
		"cubicfoot": 0.028316846592, "cubicinch": 1.6387064e-5, "cubickilometer": 1e9, "cubicmeter": 1,
		"cubicmicrometer": 1e-18, "cubicmile": 4.168181825440579584e9, "cubicmillimeter": 1e-9,
		"cubicyard": 0.764554857984, "deciliter": 1e-4, "hectoliter": 0.1, "imperialgallon": 0.00454609,
		"imperialounce": 2.84130625e-5, "imperialpint": 5.6826125e-4, "kiloliter": 1, "liter": 0.001,
		"megaliter": 1000, "microliter": 1e-9, "milliliter": 1e-6, "oilbarrel": 0.158987294928,
		"usgallon": 0.003785411784, "usounce": 2.95735295625e-5, "uspint": 4.73176473e-4,
		"usquart": 9.46352946e-4, "ustablespoon": 1.478676478125e-5, "usteaspoon": 4.92892159375e-6,
	},
	"angle": {
		"arcminute": 1.0 / 60, "arcsecond": 1.0 / 3600, "centiradian": 0.01 * 180 / 3.141592653589793,
		"deciradian": 0.1 * 180 / 3.141592653589793, "degree": 1, "gradian": 0.9, "microdegree": 1e-6,
		"microradian": 1e-6 * 180 / 3.141592653589793, "millidegree": 1e-3,
		"milliradian": 1e-3 * 180 / 3.141592653589793, "nanodegree": 1e-9,
		"nanoradian": 1e-9 * 180 / 3.141592653589793, "natomil": 360.0 / 6400,
		"radian": 180 / 3.141592653589793, "revolution": 360,
	},
	"energy": {
		"britishthermalunit": 1055.05585262, "calorie": 4.184, "decathermec": 1.05505585262e9,
		"decathermimperial": 1.05505585257348e9, "decathermus": 1.054804e9, "electronvolt": 1.602176565e-19,
		"erg": 1e-7, "footpound": 1.355817948, "gigabritishthermalunit": 1055.05585262e9,
		"gigajoule": 1e9, "gigawatthour": 3.6e12, "joule": 1, "kilobritishthermalunit": 1055.05585262e3,
		"kilocalorie": 4184, "kilojoule": 1e3, "kilowatthour": 3.6e6, "megabritishthermalunit": 1055.05585262e6,
		"megajoule": 1e6, "megawatthour": 3.6e9, "millijoule": 1e-3, "thermec": 1.05505585262e8,
		"thermimperial": 1.05505585257348e8, "thermus": 1.054804e8, "watthour": 3600,
	},
	"force": {
		"decanewton": 10, "dyn": 1e-5, "kilogramforce": 9.80665, "kilonewton": 1e3, "kilopond": 9.80665,
		"kilopoundforce": 4448.2216152605, "meganewton": 1e6, "micronewton": 1e-6, "millinewton": 1e-3,
		"newton": 1, "ounceforce": 0.278013850953781, "poundal": 0.138254954376, "poundforce": 4.4482216152605,
		"shorttonforce": 8896.443230521, "tonneforce": 9806.65,
	},
	"temperature": nil,
}

// temperatures: kelvin = v*scale + offset.
var temperatures = map[string][2]float64{
	"kelvin": {1, 0}, "degreecelsius": {1, 273.15}, "millidegreecelsius": {0.001, 273.15},
	"degreefahrenheit": {5.0 / 9, 459.67 * 5 / 9}, "degreerankine": {5.0 / 9, 0},
	"degreedelisle": {-2.0 / 3, 373.15}, "degreenewton": {100.0 / 33, 273.15},
	"degreereaumur": {1.25, 273.15}, "degreeroemer": {40.0 / 21, 273.15 - 7.5*40/21},
	"solartemperature": {5778, 0},
}

// convertUnit compiles convert_<kind>(value, from, to) with constant
// unit names.
func (g *gen) convertUnit(x *ast.CallExpr, kind, v string, from, to arg) string {
	fs, ok1 := litString(from)
	ts, ok2 := litString(to)
	if !ok1 || !ok2 {
		g.failf(x.Pos(), "convert_%s needs constant unit names", kind)
	}
	fk, tk := strings.ToLower(strings.TrimSpace(fs)), strings.ToLower(strings.TrimSpace(ts))
	if kind == "temperature" {
		f, okf := temperatures[fk]
		t, okt := temperatures[tk]
		if !okf || !okt {
			g.failf(x.Pos(), "convert_temperature: unknown unit '%s'", map[bool]string{true: ts, false: fs}[okf])
		}
		return "(((" + v + " * " + g.typedParam(f[0], schema.Real) + " + " + g.typedParam(f[1], schema.Real) + ") - " +
			g.typedParam(t[1], schema.Real) + ") / " + g.typedParam(t[0], schema.Real) + ")"
	}
	tab := unitTables[kind]
	f, okf := tab[fk]
	t, okt := tab[tk]
	if !okf || !okt {
		g.failf(x.Pos(), "convert_%s: unknown unit '%s'", kind, map[bool]string{true: ts, false: fs}[okf])
	}
	return "(" + v + " * " + g.typedParam(f, schema.Real) + " / " + g.typedParam(t, schema.Real) + ")"
}

// simpleOperand matches SQL that is cheap to evaluate twice: a quoted
// column, a bound parameter, or either converted to an integer type.
var simpleOperand = regexp.MustCompile(`^(?:` + simpleBase + `|CAST\((?:` + simpleBase + `) AS (?:BIGINT|INTEGER)\)|CAST\(CAST\((?:` + simpleBase + `) AS INTEGER\) AS BIGINT\))$`)

const simpleBase = `"(?:[^"]|"")*"|\$\d+`

var paramOperand = regexp.MustCompile(`^(?:CAST\()?CAST\(\$(\d+) AS (?:BIGINT|INTEGER)\)(?: AS BIGINT\))?$`)

// paramInt returns the value of an operand that is a bound integer
// parameter.
func (g *gen) paramInt(sql string) (int64, bool) {
	m := paramOperand.FindStringSubmatch(sql)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 || n > len(g.args) {
		return 0, false
	}
	switch v := g.args[n-1].(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	}
	return 0, false
}

// longArith compiles a + b, a - b or a * b on longs with KQL's
// semantics: the result wraps around modulo 2^64 where DuckDB would
// fail with an overflow error. Operands that are columns or constants
// get a cheap range test that keeps DuckDB's own arithmetic for values
// that cannot overflow; other operands are computed in HUGEINT and
// wrapped, which is exact but slower.
func (g *gen) longArith(a, op, b string, ta, tb schema.Type) string {
	// int operands widen first: DuckDB would overflow in INTEGER.
	if ta == schema.Int {
		a = "CAST(" + a + " AS BIGINT)"
	}
	if tb == schema.Int {
		b = "CAST(" + b + " AS BIGINT)"
	}
	slow := wrap64("(CAST(" + a + " AS HUGEINT) " + op + " " + b + ")")
	if !simpleOperand.MatchString(a) || !simpleOperand.MatchString(b) {
		return slow
	}
	const max = int64(math.MaxInt64)
	const min = int64(math.MinInt64)
	if _, ok := g.paramInt(a); ok && op != "-" {
		a, b = b, a
	}
	var cond string
	between := func(x string, lo, hi int64) string {
		return x + " BETWEEN " + g.typedParam(lo, schema.Long) + " AND " + g.typedParam(hi, schema.Long)
	}
	if c, ok := g.paramInt(b); ok {
		switch op {
		case "+":
			if c >= 0 {
				cond = a + " <= " + g.typedParam(max-c, schema.Long)
			} else {
				cond = a + " >= " + g.typedParam(min-c, schema.Long)
			}
		case "-":
			if c > 0 {
				cond = a + " >= " + g.typedParam(min+c, schema.Long)
			} else if c == min {
				cond = a + " < 0"
			} else {
				cond = a + " <= " + g.typedParam(max+c, schema.Long)
			}
		case "*":
			if c == 0 || c == 1 {
				cond = "true"
			} else if c == -1 {
				cond = a + " > " + g.typedParam(min, schema.Long)
			} else {
				bound := max / c
				if bound < 0 {
					bound = -bound
				}
				cond = between(a, -bound, bound)
			}
		}
	} else {
		lim := int64(1) << 62
		if op == "*" {
			lim = int64(1) << 31
		}
		cond = between(a, -lim, lim-1) + " AND " + between(b, -lim, lim-1)
	}
	return "(CASE WHEN " + cond + " THEN (" + a + " " + op + " " + b + ") ELSE " + slow + " END)"
}

// betaIncRaw is the regularized incomplete beta function I_x(a, b) by
// its continued fraction, evaluated from the tail (300 terms), for
// 0 < x < 1; it converges fast for x < (a+1)/(a+b+2).
func betaIncRaw(x, a, b string) string {
	dk := "(CASE WHEN __b_k % 2 = 1 THEN -((" + a + ") + (__b_k - 1) // 2) * ((" + a + ") + (" + b + ") + (__b_k - 1) // 2) * (" + x + ") / (((" + a + ") + (__b_k - 1)) * ((" + a + ") + __b_k)) " +
		"ELSE (__b_k // 2) * ((" + b + ") - __b_k // 2) * (" + x + ") / (((" + a + ") + __b_k - 1) * ((" + a + ") + __b_k)) END)"
	cf := "list_reduce(list_transform(range(300, 0, -1), __b_k -> " + dk + "), (__b_t, __b_d) -> 1 + __b_d / __b_t, 1.0::DOUBLE)"
	front := "exp((" + a + ") * ln(" + x + ") + (" + b + ") * ln(1 - (" + x + ")) - (lgamma(" + a + ") + lgamma(" + b + ") - lgamma((" + a + ") + (" + b + "))))"
	return "(" + front + " / (" + a + ") / " + cf + ")"
}

// betaInc is I_x(a, b) for any x in [0, 1], using the symmetry
// I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction converges slowly.
func betaInc(x, a, b string) string {
	return "(CASE WHEN " + x + " <= 0 THEN 0.0 WHEN " + x + " >= 1 THEN 1.0 WHEN " + x + " < ((" + a + ") + 1) / ((" + a + ") + (" + b + ") + 2) THEN " +
		betaIncRaw(x, a, b) + " ELSE 1 - " + betaIncRaw("(1 - ("+x+"))", b, a) + " END)"
}

func init() {
	real := func(g *gen, a arg) string { return "CAST(" + g.asType(a, schema.Real) + " AS DOUBLE)" }
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		v, al, be := real(g, a[0]), real(g, a[1]), real(g, a[2])
		return "(CASE WHEN " + v + " < 0 OR " + v + " > 1 OR " + al + " <= 0 OR " + be + " <= 0 THEN 'NaN'::DOUBLE ELSE " + betaInc(v, al, be) + " END)"
	}, "beta_cdf")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		p, al, be := real(g, a[0]), real(g, a[1]), real(g, a[2])
		// Bisection on I_x(a, b) = p: 60 halvings of [0, 1].
		mid := "((__b_s.lo + __b_s.hi) / 2)"
		step := "(CASE WHEN " + betaInc(mid, al, be) + " < " + p + " THEN {'lo': " + mid + ", 'hi': __b_s.hi} ELSE {'lo': __b_s.lo, 'hi': " + mid + "} END)"
		start := "{'lo': 0.0::DOUBLE, 'hi': 1.0::DOUBLE}"
		search := "list_reduce(list_transform(range(0, 60), __b_i -> " + start + "), (__b_s, __b_i) -> " + step + ", " + start + ")"
		return "(CASE WHEN " + p + " < 0 OR " + p + " > 1 THEN NULL WHEN " + al + " <= 0 OR " + be + " <= 0 THEN 'NaN'::DOUBLE ELSE " +
			"list_transform([" + search + "], __b_r -> (__b_r.lo + __b_r.hi) / 2)[1] END)"
	}, "beta_inv")
}
