package cloud

import (
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// TestDatasets runs the recorded cloud attacks through the package: every
// record must normalize, and each file yields these rows.
func TestDatasets(t *testing.T) {
	cases := []struct {
		file string
		want map[string]int
	}{
		{"ec2_proxy_s3_exfiltration.ndjson.gz", map[string]int{"CloudAppEvents": 103}},
		{"goldensaml_adfs_mail_access__AADAuditEvents.ndjson.gz", map[string]int{"CloudAppEvents": 4}},
		{"goldensaml_adfs_mail_access__OfficeActivityEvents.ndjson.gz", map[string]int{"CloudAppEvents": 1}},
		{"goldensaml_adfs_mail_access__Microsoft365DefenderEvents.ndjson.gz", map[string]int{
			"DeviceEvents": 5, "IdentityDirectoryEvents": 2, "CloudAppEvents": 2,
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := ingesttest.NeedShared(t, "datasets/attack/"+c.file)
			res := ingesttest.RunFile(t, normalizers(), path)
			ingesttest.NoErrors(t, res)
			ingesttest.WantCounts(t, c.want, res)
		})
	}
}
