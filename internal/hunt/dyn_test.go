package hunt

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// TestDynScratch runs the queries in $DYN_KQL (separated by ";;") and
// prints their SQL and result: a debugging aid, skipped otherwise.
func TestDynScratch(t *testing.T) {
	q := os.Getenv("DYN_KQL")
	if sq := os.Getenv("DYN_SQL"); sq != "" {
		st := openTestStore(t)
		res, err := st.Query(context.Background(), store.Query{SQL: sq, MaxRows: 100})
		if err != nil {
			t.Fatalf("sql: %v", err)
		}
		for _, r := range res.Rows {
			for i, v := range r {
				if b, ok := v.(json.RawMessage); ok {
					r[i] = string(b)
				}
			}
			t.Logf("row: %v", r)
		}
		return
	}
	if q == "" {
		t.Skip("DYN_KQL not set")
	}
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	for _, one := range strings.Split(q, ";;") {
		prog, err := Compile(one, time.Now(), -1)
		if err != nil {
			t.Logf("compile: %v", err)
			continue
		}
		t.Logf("SQL: %s\nARGS: %v", prog.SQL, prog.Args)
		res, err := eng.Run(context.Background(), Request{Query: one, Timespan: -1})
		if err != nil {
			t.Logf("run: %v", err)
			continue
		}
		t.Logf("cols: %v", res.Columns)
		for _, r := range res.Rows {
			for i, v := range r {
				if b, ok := v.(json.RawMessage); ok {
					r[i] = string(b)
				}
			}
			t.Logf("row: %v", r)
		}
	}
}
