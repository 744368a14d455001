package cloud

import (
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

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
		lines = append(lines, ingesttest.ReadLines(t, ingesttest.NeedShared(t, "datasets/attack/"+f))...)
	}
	sum, rows := ingesttest.RunLines(t, normalizers(), "datasets", lines)
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
