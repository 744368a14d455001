package duckdb

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// toDriver converts a canonical value (from store.Normalize) to what the
// DuckDB appender takes for the column's DuckDB type.
func toDriver(col schema.Column, v any) (driver.Value, error) {
	switch col.Type {
	case schema.Decimal:
		d, reason := decimalToBig(v.(string))
		if reason != "" {
			return nil, &store.ValueError{Column: col.Name, Want: col.Type, Got: "string", Reason: reason}
		}
		return d, nil
	case schema.GUID:
		return parseUUID(v.(string)), nil
	case schema.TimeSpan:
		// INTERVAL keeps microseconds; Kusto's 100ns ticks below that are
		// truncated toward zero.
		return duckdb.Interval{Micros: v.(time.Duration).Microseconds()}, nil
	}
	return v, nil
}

var decimalLimit = new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)

// decimalToBig scales canonical decimal text to DECIMAL(38,18)'s unscaled
// integer, rounding extra fraction digits half away from zero (as DuckDB's
// own casts do) and refusing values with more than 20 integer digits.
func decimalToBig(s string) (*big.Int, string) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) > decimalIntDigits && intPart != "0" {
		return nil, fmt.Sprintf("%s%s does not fit %s: at most %d integer digits", sign(neg), s, decimalType, decimalIntDigits)
	}
	roundUp := false
	if len(frac) > decimalScale {
		roundUp = frac[decimalScale] >= '5'
		frac = frac[:decimalScale]
	}
	frac += strings.Repeat("0", decimalScale-len(frac))
	n, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return nil, fmt.Sprintf("%q is not canonical decimal text", s)
	}
	if roundUp {
		n.Add(n, big.NewInt(1))
	}
	if n.Cmp(decimalLimit) >= 0 {
		return nil, fmt.Sprintf("%s%s does not fit %s", sign(neg), s, decimalType)
	}
	if neg {
		n.Neg(n)
	}
	return n, ""
}

func sign(neg bool) string {
	if neg {
		return "-"
	}
	return ""
}

// parseUUID reads a canonical GUID (Normalize guarantees the form).
func parseUUID(s string) duckdb.UUID {
	var u duckdb.UUID
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	_, _ = hex.Decode(u[:], []byte(h))
	return u
}
