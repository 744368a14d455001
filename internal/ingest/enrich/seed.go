package enrich

import (
	"context"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

// maxTracked bounds each registry: a large estate has tens of thousands
// of devices and accounts, well within this.
const maxTracked = 200_000

// Default returns the standard enrichers, with the device registry seeded
// from the store's DeviceInfo so a restart does not re-announce hosts.
func Default(ctx context.Context, st store.Store) ([]ingest.Enricher, error) {
	devices := NewDevices(maxTracked)
	if st != nil {
		res, err := st.Query(ctx, store.Query{
			SQL: `SELECT "DeviceId", arg_max("DeviceName", "Timestamp"), arg_max(coalesce("OSPlatform", ''), "Timestamp")
			      FROM "DeviceInfo" WHERE "DeviceId" IS NOT NULL GROUP BY "DeviceId"`,
			MaxRows: maxTracked,
		})
		if err != nil {
			return nil, err
		}
		for _, row := range res.Rows {
			id, _ := row[0].(string)
			name, _ := row[1].(string)
			platform, _ := row[2].(string)
			devices.Seed(id, name, platform)
		}
	}
	return []ingest.Enricher{IPClasses{}, NewAccounts(maxTracked), devices}, nil
}
