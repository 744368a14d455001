package cloud

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

type memStore struct{ rows map[string]int }

func (m *memStore) Append(_ context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		m.rows[t.Table] += len(t.Rows)
	}
	return nil
}

// pipelineRun feeds lines through the real pipeline, with the package's
// normalizers detected ahead of the raw catch-all.
func pipelineRun(t *testing.T, source string, lines [][]byte) (ingest.Summary, map[string]int) {
	t.Helper()
	reg := ingest.NewRegistry(append(normalizers(), ingest.Raw{})...)
	m := &memStore{rows: map[string]int{}}
	p, err := ingest.NewPipeline(reg, m, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, l := range lines {
		if l == nil {
			continue
		}
		if _, err := p.Add(ctx, ingest.Record{Source: source, Line: int64(i + 1), Data: l}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return p.Summary(), m.rows
}

// TestPipeline runs the cloud datasets through the pipeline: nothing is
// rejected and nothing falls through to RawEvents.
func TestPipeline(t *testing.T) {
	var lines [][]byte
	for _, f := range []string{
		"ec2_proxy_s3_exfiltration.ndjson.gz",
		"goldensaml_adfs_mail_access__AADAuditEvents.ndjson.gz",
		"goldensaml_adfs_mail_access__OfficeActivityEvents.ndjson.gz",
		"goldensaml_adfs_mail_access__Microsoft365DefenderEvents.ndjson.gz",
	} {
		lines = append(lines, readLines(t, needShared(t, "datasets/attack/"+f))...)
	}
	sum, rows := pipelineRun(t, "datasets", lines)
	if sum.Rejected != 0 {
		t.Errorf("rejected %d: %+v", sum.Rejected, sum.Errors)
	}
	want := map[string]int{"CloudAppEvents": 110, "DeviceEvents": 5, "IdentityDirectoryEvents": 2}
	for table, n := range want {
		if rows[table] != n {
			t.Errorf("%s: %d rows, want %d (all: %v)", table, rows[table], n, rows)
		}
	}
	if rows["RawEvents"] != 0 {
		t.Errorf("%d records fell through to RawEvents", rows["RawEvents"])
	}
}
