package cloud

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// DefenderExport reads rows exported from Defender's advanced hunting (or
// from Sentinel's copies of its tables), whatever table they came from:
// the columns already carry the schema's names, so the work is choosing
// the table. A row naming its table (Type, TableName, Table, $table,
// SourceTable) goes there; otherwise the table whose columns hold the
// most of the row's non-empty fields wins, and a tie is settled by the
// ActionType (ProcessCreated is a DeviceProcessEvents row, "... query" an
// IdentityQueryEvents row) and then by a preference for the broad tables.
//
// Union exports suffix clashing columns with their type (ReportId_long,
// AdditionalFields_string); the suffix is dropped. Fields that are no
// column of the chosen table go to its AdditionalFields, or, when it has
// none, the whole row is kept in RawEvents as well.
type DefenderExport struct {
	tables []*exportTable
}

type exportTable struct {
	t     *schema.Table
	fold  map[string]int // lower-cased column name -> index
	extra int            // AdditionalFields, or -1
}

// NewDefenderExport returns the "defender-export" normalizer.
func NewDefenderExport() *DefenderExport {
	d := &DefenderExport{}
	for _, t := range schema.Tables() {
		if t.Origin != "defender" {
			continue
		}
		et := &exportTable{t: t, fold: map[string]int{}, extra: -1}
		for i, c := range t.Columns {
			et.fold[strings.ToLower(c.Name)] = i
		}
		if _, i, ok := t.Column("AdditionalFields"); ok {
			et.extra = i
		}
		d.tables = append(d.tables, et)
	}
	// Broad tables first: they win ties no ActionType settles.
	rank := map[string]int{"DeviceEvents": 0, "IdentityDirectoryEvents": 1, "CloudAppEvents": 2, "IdentityLogonEvents": 3}
	sort.SliceStable(d.tables, func(i, j int) bool {
		ri, ok := rank[d.tables[i].t.Name]
		if !ok {
			ri = 100
		}
		rj, ok := rank[d.tables[j].t.Name]
		if !ok {
			rj = 100
		}
		return ri < rj
	})
	return d
}

func (*DefenderExport) Format() string { return "defender-export" }

// tableKeys are the fields exports use to name a row's table.
var tableKeys = []string{"Type", "TableName", "Table", "$table", "SourceTable"}

func (*DefenderExport) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	// Vigil's own exports (vigil simulate) name the table.
	if t := v.GetStringBytes("$table"); t != nil {
		_, ok := schema.Lookup(string(t))
		return ok
	}
	if !hasString(v, "Timestamp") {
		return false
	}
	if v.Get("ReportId") == nil && v.Get("ReportId_long") == nil && v.Get("ReportId_string") == nil {
		return false
	}
	return v.Get("ActionType") != nil || v.Get("DeviceId") != nil || v.Get("NetworkMessageId") != nil
}

// typeSuffixes are what a union appends to same-named columns of
// different types.
var typeSuffixes = []string{"_string", "_long", "_int", "_real", "_double", "_bool", "_boolean", "_datetime", "_dynamic", "_guid", "_timespan", "_decimal"}

type exportField struct {
	key, base string
	v         *fastjson.Value
}

func (d *DefenderExport) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if err := needObject(in, "Defender export"); err != nil {
		return err
	}
	obj, _ := in.JSON.Object()
	var fs []exportField
	named := ""
	obj.Visit(func(k []byte, v *fastjson.Value) {
		key := string(k)
		if isEmptyValue(v) {
			return
		}
		for _, tk := range tableKeys {
			if key == tk && v.Type() == fastjson.TypeString {
				if t, ok := schema.LookupFold(string(v.GetStringBytes())); ok && t.Origin == "defender" {
					named = t.Name
					return
				}
			}
		}
		base := key
		for _, suf := range typeSuffixes {
			if b, ok := strings.CutSuffix(key, suf); ok && b != "" {
				base = b
				break
			}
		}
		fs = append(fs, exportField{key: key, base: base, v: v})
	})
	et := d.choose(named, fs, ingest.Str(in.JSON, "ActionType"))
	if et == nil {
		return fmt.Errorf("no Defender table has the row's columns")
	}
	row := out.New(et.t.Name)
	extras := map[string]json.RawMessage{}
	for _, f := range fs {
		i, ok := et.column(f.base)
		if !ok || row.Values[i] != nil {
			extras[f.key] = ingest.RecordJSON(f.v)
			continue
		}
		col := et.t.Columns[i]
		val, err := exportValue(col.Type, f.v)
		if err != nil {
			if col.Name == "Timestamp" {
				return fmt.Errorf("%s.%s: %w", et.t.Name, col.Name, err)
			}
			// A value of another table's type under the same name.
			extras[f.key] = ingest.RecordJSON(f.v)
			continue
		}
		row.Values[i] = val
	}
	if _, i, ok := et.t.Column("Timestamp"); ok && row.Values[i] == nil {
		return fmt.Errorf("no Timestamp")
	}
	if _, i, ok := et.t.Column("ReportId"); ok && row.Values[i] == nil {
		if et.t.Columns[i].Type == schema.Long {
			row.Values[i] = ingest.ReportID(in.Data, 0)
		} else {
			row.Values[i] = ingest.ReportIDString(in.Data, 0)
		}
	}
	if len(extras) > 0 {
		if et.extra < 0 {
			t, _ := ingest.Time(in.JSON, "Timestamp")
			ingest.RawCopy(in, out, t, ingest.Str(in.JSON, "DeviceName"))
			return nil
		}
		mergeExtra(row, et, extras)
	}
	return nil
}

// column finds a column by exact name, then ignoring case (exports
// spell Isp/ISP both ways).
func (et *exportTable) column(name string) (int, bool) {
	if _, i, ok := et.t.Column(name); ok {
		return i, true
	}
	i, ok := et.fold[strings.ToLower(name)]
	return i, ok
}

// choose picks the row's table.
func (d *DefenderExport) choose(named string, fs []exportField, actionType string) *exportTable {
	if named != "" {
		for _, et := range d.tables {
			if et.t.Name == named {
				return et
			}
		}
	}
	type score struct{ exact, fold int }
	var best score
	var tied []*exportTable
	for _, et := range d.tables {
		var s score
		for _, f := range fs {
			if _, _, ok := et.t.Column(f.base); ok {
				s.exact++
			} else if _, ok := et.fold[strings.ToLower(f.base)]; ok {
				s.fold++
			}
		}
		switch {
		case s.exact > best.exact || s.exact == best.exact && s.fold > best.fold:
			best, tied = s, []*exportTable{et}
		case s == best:
			tied = append(tied, et)
		}
	}
	if best.exact == 0 {
		return nil
	}
	if hint := actionTypeTable(actionType); hint != "" {
		for _, et := range tied {
			if et.t.Name == hint {
				return et
			}
		}
	}
	return tied[0]
}

// actionTypeTables say which table an ActionType belongs to, for rows
// whose columns fit several tables equally.
var actionTypeTables = []struct {
	match func(string) bool
	table string
}{
	{eq("ProcessCreated"), "DeviceProcessEvents"},
	{oneOf("FileCreated", "FileModified", "FileDeleted", "FileRenamed"), "DeviceFileEvents"},
	{prefix("Registry"), "DeviceRegistryEvents"},
	{eq("ImageLoaded"), "DeviceImageLoadEvents"},
	{func(s string) bool {
		return strings.HasPrefix(s, "Connection") || strings.HasPrefix(s, "Inbound") ||
			strings.HasPrefix(s, "Listening") || strings.HasSuffix(s, "ConnectionInspected") || s == "NetworkSignatureInspected"
	}, "DeviceNetworkEvents"},
	{oneOf("LogonSuccess", "LogonFailed", "LogonAttempted"), "DeviceLogonEvents"},
	{func(s string) bool { return strings.HasSuffix(s, " query") || s == "DnsQueryResponse" }, "IdentityQueryEvents"},
	{func(s string) bool {
		return strings.HasSuffix(strings.ToLower(s), " changed") || s == "Directory Services replication"
	}, "IdentityDirectoryEvents"},
}

func actionTypeTable(s string) string {
	for _, a := range actionTypeTables {
		if a.match(s) {
			return a.table
		}
	}
	return ""
}

func eq(want string) func(string) bool { return func(s string) bool { return s == want } }
func prefix(p string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, p) }
}
func oneOf(set ...string) func(string) bool {
	return func(s string) bool {
		for _, x := range set {
			if s == x {
				return true
			}
		}
		return false
	}
}

// isEmptyValue is true for what exports write for a column the row's
// table does not have: null and "".
func isEmptyValue(v *fastjson.Value) bool {
	switch v.Type() {
	case fastjson.TypeNull:
		return true
	case fastjson.TypeString:
		return len(v.GetStringBytes()) == 0
	}
	return false
}

// exportValue converts a field for its column; JSON text given for a
// dynamic column is decoded, as Kusto does on ingestion.
func exportValue(t schema.Type, v *fastjson.Value) (any, error) {
	if t == schema.Dynamic {
		if d := decodeValue(v); d != nil {
			return ingest.RecordJSON(d), nil
		}
	}
	return ingest.FromJSON(t, v)
}

// mergeExtra adds fields to the row's AdditionalFields, which may already
// hold an object (dynamic) or JSON text (string).
func mergeExtra(row *ingest.Row, et *exportTable, extras map[string]json.RawMessage) {
	merged := map[string]json.RawMessage{}
	var cur []byte
	switch c := row.Values[et.extra].(type) {
	case json.RawMessage:
		cur = c
	case string:
		cur, _ = json.Marshal(c)
		if json.Valid([]byte(c)) {
			cur = []byte(c)
		}
	}
	if len(cur) > 0 {
		if err := json.Unmarshal(cur, &merged); err != nil || merged == nil {
			// A value that is no JSON object is kept under its own key.
			merged = map[string]json.RawMessage{"AdditionalFields": cur}
		}
	}
	for k, v := range extras {
		if _, taken := merged[k]; !taken {
			merged[k] = v
		}
	}
	b, _ := json.Marshal(merged)
	if et.t.Columns[et.extra].Type == schema.Dynamic {
		row.Values[et.extra] = json.RawMessage(b)
	} else {
		row.Values[et.extra] = string(b)
	}
}
