package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
)

// geo_info_from_ip_address(ip) looks an IPv4 address up in the
// GeoIPRanges reference table an administrator imported (Defender reads
// Microsoft's own database; Vigil sends nothing out). It gives
// {"country","state","city","latitude","longitude"}, or null for an
// address no range holds, for IPv6, and when nothing was imported.
func init() {
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		if g.opts.Table != nil {
			if _, ok := g.opts.Table("GeoIPRanges"); !ok {
				return "CAST(NULL AS JSON)"
			}
		}
		ranges := g.scan("GeoIPRanges", x)
		n := "(" + ipv4Of(g.asString(a[0])) + ").ip"
		return "(SELECT json_object('country', \"Country\", 'state', \"State\", 'city', \"City\", 'latitude', \"Latitude\", 'longitude', \"Longitude\") FROM " +
			ranges.name + " WHERE \"StartNumber\" <= " + n + " AND \"EndNumber\" >= " + n + " ORDER BY \"StartNumber\" DESC LIMIT 1)"
	}, "geo_info_from_ip_address")
}
