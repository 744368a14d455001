package hunt

import (
	"strings"
	"testing"
	"time"
)

// findTables are the two tables of the find operator's documentation.
const findTables = `let EventsTable1 = datatable(Session_Id:string, Level:string, EventText:string, Version:string) [
 "acbd207d-51aa-4df7-bfa7-be70eb68f04e", "Information", "Some Text1", "v1.0.0",
 "acbd207d-51aa-4df7-bfa7-be70eb68f04e", "Error", "Some Text2", "v1.0.0",
 "28b8e46e-3c31-43cf-83cb-48921c3986fc", "Error", "Some Text3", "v1.0.1",
 "8f057b11-3281-45c3-a856-05ebb18a3c59", "Information", "Some Text4", "v1.1.0"];
let EventsTable2 = datatable(Session_Id:string, Level:string, EventText:string, EventName:string) [
 "f7d5f95f-f580-4ea6-830b-5776c8d64fdd", "Information", "Some Other Text1", "Event1",
 "acbd207d-51aa-4df7-bfa7-be70eb68f04e", "Information", "Some Other Text2", "Event2",
 "acbd207d-51aa-4df7-bfa7-be70eb68f04e", "Error", "Some Other Text3", "Event3",
 "15eaeab5-8576-4b58-8fc6-478f75d8fee4", "Error", "Some Other Text4", "Event4"];
`

func TestFind(t *testing.T) {
	eng := &Engine{Store: openTestStore(t)}
	tests := []struct{ query, want string }{
		// The documentation's examples, over its two tables.
		{`find in (EventsTable1, EventsTable2) where Version == 'v1.0.0' or EventName == 'Event1' project Session_Id, EventText, Version, EventName | order by EventText asc`,
			`EventsTable2 | f7d5f95f-f580-4ea6-830b-5776c8d64fdd | Some Other Text1 |  | Event1
EventsTable1 | acbd207d-51aa-4df7-bfa7-be70eb68f04e | Some Text1 | v1.0.0 | 
EventsTable1 | acbd207d-51aa-4df7-bfa7-be70eb68f04e | Some Text2 | v1.0.0 | `},
		{`find in (EventsTable1, EventsTable2) where Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e' | order by EventText asc`,
			`EventsTable2 | acbd207d-51aa-4df7-bfa7-be70eb68f04e | Information | Some Other Text2 | {"EventName":"Event2"}
EventsTable2 | acbd207d-51aa-4df7-bfa7-be70eb68f04e | Error | Some Other Text3 | {"EventName":"Event3"}
EventsTable1 | acbd207d-51aa-4df7-bfa7-be70eb68f04e | Information | Some Text1 | {"Version":"v1.0.0"}
EventsTable1 | acbd207d-51aa-4df7-bfa7-be70eb68f04e | Error | Some Text2 | {"Version":"v1.0.0"}`},
		{`find in (EventsTable1, EventsTable2) where Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e' and Level == 'Error' project pack_all() | order by source_ asc`,
			`EventsTable1 | {"EventText":"Some Text2","Level":"Error","Session_Id":"acbd207d-51aa-4df7-bfa7-be70eb68f04e","Version":"v1.0.0"}
EventsTable2 | {"EventName":"Event3","EventText":"Some Other Text3","Level":"Error","Session_Id":"acbd207d-51aa-4df7-bfa7-be70eb68f04e"}`},
		// A table without any column of the predicate is not read.
		{`find withsource=Src in (EventsTable1, EventsTable2) where Version startswith 'v1.1' | project Src, EventText`,
			`EventsTable1 | Some Text4`},
		// A bare term searches every string column of every table.
		{`find in (EventsTable1, EventsTable2) where "Text4" | project source_, EventText | order by source_ asc`,
			`EventsTable1 | Some Text4
EventsTable2 | Some Other Text4`},
		{`find in (EventsTable1, EventsTable2) where * has "Event3" | project source_, EventText`,
			`EventsTable2 | Some Other Text3`},
		{`search in (EventsTable1, EventsTable2) * has "Text3" | project $table, EventText | order by EventText asc`,
			`EventsTable2 | Some Other Text3
EventsTable1 | Some Text3`},
	}
	for _, tc := range tests {
		got, err := runOps(t, eng, findTables+tc.query)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.query, got, tc.want)
		}
	}
}

// TestFindStoreTables: find over the store's tables reads only those
// holding the predicate's columns with the type the predicate binds
// (RemotePort is int in the Device tables, string in CommonSecurityLog).
func TestFindStoreTables(t *testing.T) {
	eng := &Engine{Store: openTestStore(t)}
	res, err := Compile(`find where RemotePort == 443`, time.Now(), -1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.SQL, `"DeviceNetworkEvents"`) || strings.Contains(res.SQL, `"CommonSecurityLog"`) || strings.Contains(res.SQL, `"DeviceProcessEvents"`) {
		t.Errorf("tables read:\n%s", res.SQL)
	}
	if _, err := runOps(t, eng, `find where RemotePort == 443 | project source_, RemotePort, pack_`); err != nil {
		t.Error(err)
	}
	if _, err := Compile(`find in (DeviceProcessEvents) where FileName == "x" project NoSuchColumn`, time.Now(), -1); err == nil || !strings.Contains(err.Error(), "NoSuchColumn") {
		t.Errorf("unknown projected column: %v", err)
	}
}
