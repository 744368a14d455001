package windows

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

type tableRows map[string][][]any

func (t tableRows) Append(_ context.Context, b store.Batch) error {
	for _, tr := range b.Tables {
		t[tr.Table] = append(t[tr.Table], tr.Rows...)
	}
	return nil
}

// Whether a host is a domain controller may rest on an earlier record
// (rule 4 in identity.go): a Kerberos event makes SRVn one, and the NTLM
// validation right after it is then an identity logon. Each pair sits
// across a chunk boundary of the parallel pipeline, so a worker meets the
// second record while another is still at the first; the rows must be
// those of one worker all the same.
func TestParallelRemembersDomainControllersInOrder(t *testing.T) {
	var recs []ingest.Record
	for i := range 2048 {
		host := fmt.Sprintf("SRV%d.corp.local", i/16)
		line := fmt.Sprintf(`{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS%d","TimeCreated":"2024-01-01T00:00:00Z","Image":"C:\\x%d.exe","ProcessId":"%d"}`, i, i, i)
		switch i % 16 {
		case 15:
			line = fmt.Sprintf(`{"EventID":4768,"Channel":"Security","Hostname":%q,"TimeCreated":"2024-01-01T00:00:00Z","TargetUserName":"alice","TargetDomainName":"CORP","Status":"0x0","IpAddress":"::ffff:10.0.0.5"}`, host)
		case 0:
			host = fmt.Sprintf("SRV%d.corp.local", i/16-1)
			line = fmt.Sprintf(`{"EventID":4776,"Channel":"Security","Hostname":%q,"TimeCreated":"2024-01-01T00:00:01Z","TargetUserName":"bob","Workstation":"WS1","Status":"0x0"}`, host)
		}
		recs = append(recs, ingest.Record{Source: "dc", Line: int64(i + 1), Data: []byte(line)})
	}
	run := func(workers int) (tableRows, ingest.Summary) {
		out := tableRows{}
		p, err := ingest.NewPipeline(ingest.NewRegistry(NewOTRF()), out, ingest.Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := p.AddMany(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		return out, p.Summary()
	}
	want, wantSum := run(1)
	if wantSum.Rejected != 0 {
		t.Fatalf("rejected: %+v", wantSum.Errors)
	}
	// 127 validations follow their host's Kerberos event (the first record
	// has none before it).
	if n := len(want["IdentityLogonEvents"]); n != 2*127+1 {
		t.Fatalf("%d IdentityLogonEvents rows, want %d", n, 2*127+1)
	}
	for range 3 {
		got, gotSum := run(3)
		if !reflect.DeepEqual(gotSum, wantSum) || !reflect.DeepEqual(got, want) {
			t.Fatalf("three workers stored other rows: %d identity logons, one worker %d",
				len(got["IdentityLogonEvents"]), len(want["IdentityLogonEvents"]))
		}
	}
}
