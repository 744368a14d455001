package check

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/parser"
)

// bind parses and checks src, failing the test on a parse error.
func bind(t *testing.T, src string) (*Result, error) {
	t.Helper()
	q, err := parser.Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Check(q, &Env{Source: src})
}

func TestSchema(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		res, err := bind(t, src)
		if err != nil {
			t.Errorf("%s\n  unexpected error: %v", src, err)
			return
		}
		if got := fmtCols(res.Columns); got != want {
			t.Errorf("%s\n  got  %s\n  want %s", src, got, want)
		}
	}
	f(`print 1, "a", x=2, 1.5, now()-ago(1d), now()+1d, 1+2.0, 1/2, toint(1)+1`,
		"print_0:long, print_1:string, x:long, print_3:real, print_4:timespan, print_5:datetime, print_6:real, print_7:long, print_8:long")
	f(`DeviceEvents | summarize count(), sum(FileSize+1), make_set(FileName), arg_max(Timestamp, FileName, DeviceId), countif(FileSize>1), dcount(DeviceId), avg(FileSize), min(Timestamp), max(Timestamp), make_list(FileName), take_any(FileName) by bin(Timestamp,1h), tolower(DeviceName), strlen(FileName)`,
		"Timestamp:datetime, Column1:string, strlen_FileName:long, count_:long, sum_:long, set_FileName:dynamic, Timestamp1:datetime, FileName:string, DeviceId:string, countif_:long, dcount_DeviceId:long, avg_FileSize:real, min_Timestamp:datetime, max_Timestamp:datetime, list_FileName:dynamic, FileName1:string")
	f(`DeviceEvents | extend d=todynamic(AdditionalFields) | project d.Foo, d["Bar"], tolower(FileName), FileSize+1, strcat(FileName, "x"), tostring(d.Foo), d.Foo.Bar`,
		"d_Foo:dynamic, d_Bar:dynamic, Column1:string, Column2:long, Column3:string, d_Foo1:string, d_Foo_Bar:dynamic")
	f(`DeviceEvents | summarize arg_max(Timestamp, *) by DeviceId | project-keep Timestamp, DeviceId, DeviceName`,
		"DeviceId:string, Timestamp:datetime, DeviceName:string")
	f(`DeviceEvents | getschema | take 3`, "ColumnName:string, ColumnOrdinal:long, DataType:string, ColumnType:string")
	f(`DeviceEvents | project FileSize | join (DeviceFileEvents | project FileSize, FileName) on FileSize`,
		"FileSize:long, FileSize1:long, FileName:string")
	f(`DeviceEvents | project FileSize, A=1 | join kind=leftouter (DeviceFileEvents | project FileSize, FileName, A=2) on $left.FileSize == $right.FileSize`,
		"FileSize:long, A:long, FileSize1:long, FileName:string, A1:long")
	f(`DeviceEvents | project FileSize | join kind=leftanti (DeviceFileEvents | project FileSize, FileName) on FileSize`, "FileSize:long")
	f(`DeviceEvents | project FileSize | join kind=rightsemi (DeviceFileEvents | project FileSize, FileName) on FileSize`, "FileSize:long, FileName:string")
	f(`DeviceEvents | project FileSize, A=1 | union (DeviceFileEvents | project FileSize, A="x")`,
		"FileSize:long, A_long:long, A_string:string")
	f(`union withsource=T (DeviceEvents | project FileSize, A=1), (DeviceFileEvents | project B=1)`,
		"T:string, FileSize:long, A:long, B:long")
	f(`DeviceEvents | project-rename X=FileName | project-reorder X | take 1 | project X, FileSize`, "X:string, FileSize:long")
	f(`DeviceEvents | count`, "Count:long")
	f(`DeviceEvents | project A=FileName, B=FileSize | extend A=strlen(A), C=B*2`, "A:long, B:long, C:long")
	f(`DeviceEvents | distinct DeviceName, FileName`, "DeviceName:string, FileName:string")
	f(`DeviceEvents | project Timestamp | extend d = now() - Timestamp, e = Timestamp + 1h, f = 1h / 1m`,
		"Timestamp:datetime, d:timespan, e:datetime, f:real")
	f(`let t = DeviceEvents | project A=FileName; t | extend n = 1`, "A:string, n:long")
	f(`let x = 5; let y = "s"; print x, y`, "print_0:long, print_1:string") // only columns lend names
	f(`let f = (a:long, b:string = "z") { a * 2 }; print f(3)`, "print_0:long")
	f(`let f = (T:(FileName:string)) { T | project FileName }; f(DeviceEvents)`, "FileName:string")
	f(`let m = materialize(DeviceEvents | project DeviceId); m | count`, "Count:long")
	f(`print d = dynamic([1,2]) | mv-expand d`, "d:dynamic")
	f(`print d = dynamic([1,2]) | mv-expand d to typeof(long)`, "d:long")
	f(`print s = "a=1" | parse s with "a=" v:long`, "s:string, v:long")
	f(`print s = "a=1" | parse s with "a=" v`, "s:string, v:string")
	f(`range x from 1 to 10 step 1`, "x:long")
	f(`datatable(a:string, b:int) ["x", 1] | where b > 0 | top 1 by a`, "a:string, b:int")
	f(`DeviceEvents | summarize c=count() by DeviceId | sort by c desc | render barchart`, "DeviceId:string, c:long")
	f(`print iff(true, 1, 2), case(false, "a", "b"), coalesce(1, 2.0)`, "print_0:long, print_1:string, print_2:real")
	f(`DeviceEvents | project FileSize | serialize rn = row_number()`, "FileSize:long, rn:long")
	f(`DeviceFileEvents | take 1 | project SHA1 | invoke FileProfile()`,
		"SHA1:string, SHA256:string, MD5:string, FileSize:int, GlobalPrevalence:int, GlobalFirstSeen:datetime, GlobalLastSeen:datetime, Signer:string, Issuer:string, SignerHash:string, IsCertificateValid:bool, IsRootSignerMicrosoft:bool, SignatureState:string, IsExecutable:bool, ThreatName:string, Publisher:string, SoftwareName:string, ProfileAvailability:string")

	// The cases below were checked with ../shared/tools/kusto-oracle.
	f(`print a = now() + now(), b = dynamic(1) + dynamic(2), c = dynamic(1) * 1.5, d = 1h + dynamic(1), e = now() - dynamic(1)`,
		"a:datetime, b:dynamic, c:real, d:timespan, e:timespan")
	f(`print f = iff(true, "big", 1), g = iff(true, dynamic(1), 1), i = iff(true, toint(1), 1.0), j = case(true, dynamic(1), "a")`,
		"f:dynamic, g:long, i:real, j:string")
	f(`print x = 1 | where x == "a" and now() == 1h and "a" startswith dynamic("a")`, "x:long")
	f(`print toint(1)+toint(2), toint(1)+1, 1+1.0, todecimal(1)+1.0, todecimal(1)+1, 1h*2, 2*1h, 1h/2, 1h/1m, now()-now(), now()-1h, 1h+now(), 5%2, toint(5)/toint(2), -toint(1), 1 < 2, "a" has "b", 1h % 1m`,
		"print_0:long, print_1:long, print_2:real, print_3:decimal, print_4:decimal, print_5:timespan, print_6:timespan, print_7:timespan, print_8:real, print_9:timespan, print_10:datetime, print_11:datetime, print_12:long, print_13:long, print_14:int, print_15:bool, print_16:bool, print_17:timespan")
	f(`print iff(true, toint(1), 2), case(true, 1, 2.0), coalesce(toint(1), 2), max_of(1, 2.0), min_of(toint(1), toint(2)), bin(1.5, 1), bin(toint(3), 2), floor(now(), 1d), round(2.5), abs(toint(-1)), tolong("1"), strcat("a", 1), split("a,b", ","), extract("(a)", 1, "a", typeof(long)), todatetime("2020-01-01"), datetime_diff("day", now(), now()), array_length(dynamic([])), parse_json("{}"), hash_sha256("a"), ipv4_is_private("1.1.1.1"), format_datetime(now(), "yyyy")`,
		"print_0:long, print_1:real, print_2:long, print_3:real, print_4:int, print_5:real, print_6:long, print_7:datetime, print_8:real, print_9:long, print_10:long, print_11:string, print_12:dynamic, print_13:long, print_14:datetime, print_15:long, print_16:long, print_17:dynamic, print_18:string, print_19:bool, print_20:string")
	f(`DeviceEvents | project FileName | extend tostring(FileName)`, "FileName:string")
	f(`DeviceEvents | summarize count(), count()`, "count_:long, count_1:long")
	f(`DeviceEvents | project strlen(FileName), strlen(FileName)`, "strlen_FileName:long, strlen_FileName1:long")
	f(`DeviceEvents | summarize take_any(FileName) by FileName`, "FileName:string, FileName1:string")
	f(`print a=1, b="x" | lookup (print c=1, b="y", d=2) on $left.a == $right.c`, "a:long, b:string, b1:string, d:long")
	f(`print a=1, b="x" | lookup (print a=1, b="y", d=2) on a`, "a:long, b:string, b1:string, d:long")
	f(`print a=1, b="x" | join (print a=1, b="y", d=2) on $left.a == $right.a, b`, "a:long, b:string, a1:long, b1:string, d:long")
	f(`let L=datatable(ExcludedNet:string, z:long)[]; print RemoteIP="1.1.1.1", z="q" | evaluate ipv4_lookup(L, RemoteIP, ExcludedNet, return_unmatched = true)`,
		"RemoteIP:string, z:string, ExcludedNet:string, z1:long")
	f(`print RemoteIP="1.1.1.1", z="q" | search "x"`, "$table:string, RemoteIP:string, z:string")
	f(`print d=dynamic({}), e=1 | evaluate bag_unpack(d, "p_")`, "e:long")
	f(`datatable(T:datetime, a:string, b:long)[] | summarize L=arg_max(T, *), F=arg_min(T, *) by a, bin(T, 1d)`, "a:string, T:datetime, L:datetime, b:long, F:datetime, b1:long")
	f(`datatable(T:datetime, a:string, b:long)[] | summarize arg_max(T, *), arg_min(T, *) by a`, "a:string, T:datetime, b:long, T1:datetime, b1:long")
	f(`datatable(T:datetime, a:string, b:long)[] | summarize arg_max(T, b, a) by a`, "a:string, T:datetime, b:long, a1:string")
	f(`datatable(T:datetime, a:string, b:long)[] | summarize (x, y) = arg_max(T, b) by a`, "a:string, x:datetime, y:long")
	f(`datatable(T:datetime, a:string, b:long)[] | summarize arg_max(b+1, a) by a`, "a:string, max_:long, a1:string")
	f(`datatable(T:datetime, a:string, b:long)[] | top-nested 3 of a by sum(b), top-nested of tolower(a) by max(T)`, "a:string, aggregated_a:long, :string, aggregated_:datetime")
	f(`datatable(T:datetime, a:string, b:long)[] | top-nested 3 of n=a by sum(b)`, "n:string, aggregated_n:long")
	f(`union (print x="a"), (print x="b"), (print x=1)`, "x:string")
	f(`union (print x=1), (print x="b"), (print x=2)`, "x_long:long, x_string:string")
	f(`union (print x=1), (print x="b"), (print x=2.0)`, "x_long:long, x_string:string, x_real:real")
	f(`union isfuzzy=true (print x=1), (NoSuchView | where x > 0) | count`, "Count:long")
	f(`datatable(x:long)[] | summarize percentile(x, 55), percentiles(x, 5, 95.5)`, "percentile_x_55:long, percentile_x_5:long, percentile_x_95_5:long")
	f(`DeviceEvents | summarize count() by bin(b5=Timestamp, 5m) | project b5`, "b5:datetime")
	f(`datatable(T:datetime, a:string)[] | make-series count(), avg(1) on T from ago(1d) to now() step 1h by a`, "a:string, count_:dynamic, avg_:dynamic, T:dynamic")
	f(`print d=dynamic({}) | evaluate bag_unpack(d) | where Signer startswith "x"`, "Signer:unknown")
	f(`EmailEvents | project RecipientEmailAddress, ThreatTypes | evaluate pivot(ThreatTypes)`, "RecipientEmailAddress:string")
	f(`range x from 1 to 5 step 1 | scan with_match_id=m declare (c:long=0) with (step s1: true => c = x;)`, "x:long, c:long, m:long")
	f(`print str="a:1" | parse-kv str as (a:long) with (pair_delimiter=',', kv_delimiter=':')`, "str:string, a:long")
	f(`range x from 1 to 10 step 1 | project str = tostring(x) | reduce by str`, "Pattern:string, Count:long, Representative:string")
	f(`datatable(row:int, Arr:dynamic)[] | mv-apply with_itemindex=index value=Arr to typeof(long) on (where index >= 2)`, "row:int, Arr:dynamic, value:long, index:long")
}

func TestErrors(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		_, err := bind(t, src)
		if err == nil {
			t.Errorf("%s\n  no error, want %q", src, want)
			return
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s\n  got  %v\n  want %q", src, err, want)
		}
	}
	f(`DeviceEvents | where Foo == 1`, "1:22: unknown column 'Foo'")
	f(`DeviceEvents | extend x = bar(1)`, "1:27: no function 'bar'")
	f(`DeviceEvents | where FileName`, "1:22: where expects a bool, got string")
	f(`NoSuchTable | take 1`, "1:1: unknown table 'NoSuchTable'")
	f("DeviceEvents\n| project FileName\n| where FileSize > 1", "3:9: unknown column 'FileSize'")
	f(`print "a" + 1`, "cannot apply to string and long")
	f(`DeviceEvents | project-away Nope`, "unknown column 'Nope'")
	f(`DeviceEvents | join (DeviceFileEvents) on Nope`, "unknown column 'Nope'")
	f(`let f = () { f() }; print f()`, "nests too deeply")
	f(`print strlen()`, "does not take 0 arguments")
	f(`DeviceEvents | summarize count(RemoteUrl)`, "count expects a bool for 'predicate', got string")
	f(`let a = 1; let a = 2; print a`, "1:16: 'a' is already declared")
	f(`DeviceEvents | project-reorder TimeGenerated`, "unknown column 'TimeGenerated'")
	// Operand rules checked with the oracle.
	f(`DeviceEvents | where Timestamp > "2020-01-01"`, "1:32: operator > cannot compare datetime and string")
	f(`DeviceEvents | where FileName has 1`, "operator has expects strings, got string and long")
	f(`DeviceEvents | where strlen(FileSize) > 1`, "strlen expects a string for 'string', got long")
	f(`print x = 1 | where x between ("a" .. "b")`, "between cannot compare long with string and string")
	f(`DeviceEvents | take "a"`, "1:21: expected an integer row count, got string")
	f(`print x = "a" < "b"`, "operator < cannot compare string and string")
	f(`DeviceEvents | summarize Timestamp by DeviceId`, "1:26: 'Timestamp' is not an aggregate")
	f(`DeviceEvents | extend c = count()`, "1:27: aggregate 'count' used outside summarize")
	f(`DeviceEvents | summarize sum(count())`, "aggregate 'count' used outside summarize")
	f(`DeviceEvents | project FileName, tostring(FileName)`, "a column named 'FileName' is already declared")
	f(`DeviceEvents | extend x=1, x=2`, "a column named 'x' is already declared")
	f(`DeviceEvents | summarize x=count(), x=count()`, "a column named 'x' is already declared")
	f(`DeviceEvents | summarize FileName=count() by FileName`, "a column named 'FileName' is already declared")
}

func TestTypesRecorded(t *testing.T) {
	src := `DeviceEvents | where FileSize > 1 | extend x = tolower(FileName)`
	res, err := bind(t, src)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for e, ty := range res.Types {
		if e == nil || ty == 0 {
			t.Errorf("untyped node %T", e)
		}
		n++
	}
	if n < 5 {
		t.Errorf("only %d typed nodes", n)
	}
}

func TestNilSafe(t *testing.T) {
	if _, err := Check(nil, nil); err != nil {
		t.Fatal(err)
	}
}

// Calls nested in calls re-bind function bodies; the work budget must stop
// an exponential blow-up quickly, with an error.
func TestBoundedWork(t *testing.T) {
	src := "let f0 = (x:long) { x };\n"
	for i := 1; i < 40; i++ {
		src += fmt.Sprintf("let f%d = (x:long) { f%d(x) + f%d(x) };\n", i, i-1, i-1)
	}
	src += "print f39(1)"
	done := make(chan error, 1)
	go func() {
		_, err := bind(t, src)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "too complex") {
			t.Errorf("got %v, want a 'too complex' error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("binding did not finish")
	}
}

// Trees built by hand or left partial by syntax errors may hold nil
// expressions; binding them reports errors but never panics.
func TestPartialTrees(t *testing.T) {
	q := &ast.Query{Stmts: []ast.Stmt{
		&ast.ExprStmt{X: &ast.PipeExpr{
			Source: &ast.Ident{Name: "DeviceEvents"},
			Ops: []ast.Operator{
				&ast.ProjectAwayOp{Cols: []ast.Expr{nil}},
				&ast.ProjectReorderOp{Items: []*ast.OrderedExpr{{}, nil}},
				&ast.WhereOp{},
				&ast.TakeOp{},
				&ast.ExtendOp{Exprs: []ast.Expr{nil, &ast.NamedExpr{}}},
				&ast.SummarizeOp{Aggs: []ast.Expr{nil, &ast.CallExpr{Fun: &ast.Ident{Name: "count"}, Args: []ast.Expr{nil}}}},
				&ast.JoinOp{},
				&ast.UnionOp{Tables: []ast.Expr{nil}},
				&ast.MvExpandOp{Items: []*ast.MvItem{nil, {}}},
				&ast.ParseOp{Pattern: []ast.Expr{nil, &ast.ColumnDecl{}}},
				nil,
			},
		}},
		nil,
		&ast.LetStmt{},
		&ast.LetStmt{Name: &ast.Ident{Name: "f"}, Value: &ast.FuncLit{Params: []*ast.Param{nil, {}}}},
		&ast.ExprStmt{X: &ast.CallExpr{Fun: &ast.Ident{Name: "f"}, Args: []ast.Expr{nil}}},
	}}
	repanic = true
	defer func() { repanic = false }()
	_, err := Check(q, nil)
	if err != nil && strings.Contains(err.Error(), "internal error") {
		t.Fatal(err)
	}
}
