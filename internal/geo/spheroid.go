package geo

import "math"

// WGS-84 ellipsoid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
	wgs84B = wgs84A * (1 - wgs84F)
)

// DistanceSpheroid returns the geodesic distance in meters between two
// points on the WGS-84 ellipsoid (Vincenty's inverse formula, accurate to
// well under a millimeter); ok=false for invalid points and for nearly
// antipodal points where the iteration does not converge.
func DistanceSpheroid(lng1, lat1, lng2, lat2 float64) (float64, bool) {
	if !validLngLat(lng1, lat1) || !validLngLat(lng2, lat2) {
		return 0, false
	}
	if lng1 == lng2 && lat1 == lat2 {
		return 0, true
	}
	rad := math.Pi / 180
	L := (lng2 - lng1) * rad
	U1 := math.Atan((1 - wgs84F) * math.Tan(lat1*rad))
	U2 := math.Atan((1 - wgs84F) * math.Tan(lat2*rad))
	sinU1, cosU1 := math.Sincos(U1)
	sinU2, cosU2 := math.Sincos(U2)
	λ := L
	var sinσ, cosσ, σ, cos2α, cos2σm float64
	converged := false
	for i := 0; i < 200; i++ {
		sinλ, cosλ := math.Sincos(λ)
		sinσ = math.Hypot(cosU2*sinλ, cosU1*sinU2-sinU1*cosU2*cosλ)
		if sinσ == 0 {
			return 0, true // coincident points
		}
		cosσ = sinU1*sinU2 + cosU1*cosU2*cosλ
		σ = math.Atan2(sinσ, cosσ)
		sinα := cosU1 * cosU2 * sinλ / sinσ
		cos2α = 1 - sinα*sinα
		cos2σm = 0
		if cos2α != 0 {
			cos2σm = cosσ - 2*sinU1*sinU2/cos2α
		}
		C := wgs84F / 16 * cos2α * (4 + wgs84F*(4-3*cos2α))
		prev := λ
		λ = L + (1-C)*wgs84F*sinα*(σ+C*sinσ*(cos2σm+C*cosσ*(-1+2*cos2σm*cos2σm)))
		if math.Abs(λ-prev) < 1e-13 {
			converged = true
			break
		}
	}
	if !converged {
		return 0, false
	}
	u2 := cos2α * (wgs84A*wgs84A - wgs84B*wgs84B) / (wgs84B * wgs84B)
	A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
	Δσ := B * sinσ * (cos2σm + B/4*(cosσ*(-1+2*cos2σm*cos2σm)-B/6*cos2σm*(-3+4*sinσ*sinσ)*(-3+4*cos2σm*cos2σm)))
	return wgs84B * A * (σ - Δσ), true
}
