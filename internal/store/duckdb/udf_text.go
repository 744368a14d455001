package duckdb

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// MaxDecompressed bounds what the decompression functions return: a few
// bytes of base64 can inflate to gigabytes (a decompression bomb), and a
// hunting query must not be able to exhaust the server's memory.
const MaxDecompressed = 16 << 20

// textUDFs are scalar functions KQL needs and SQL lacks. Each takes and
// returns VARCHAR; each returns "" where Kusto returns an empty result.
var textUDFs = map[string]func(string) string{
	// zlib_decompress_from_base64_string: zlib (RFC 1950) data, window 15.
	"vigil_zlib_decompress_b64": func(s string) string {
		return inflate(s, func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) })
	},
	// gzip_decompress_from_base64_string: Kusto checks ID1, ID2 and CM,
	// expects FLG 0 and supports no optional header fields.
	"vigil_gzip_decompress_b64": func(s string) string {
		return inflate(s, func(r io.Reader) (io.Reader, error) {
			var head [4]byte
			if _, err := io.ReadFull(r, head[:]); err != nil {
				return nil, err
			}
			if head != [4]byte{0x1f, 0x8b, 8, 0} {
				return nil, fmt.Errorf("unsupported gzip header")
			}
			return gzip.NewReader(io.MultiReader(bytes.NewReader(head[:]), r))
		})
	},
}

// inflate decodes base64 text and decompresses it; any failure, an
// output over MaxDecompressed, or text that is not UTF-8 gives "".
func inflate(s string, open func(io.Reader) (io.Reader, error)) string {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	r, err := open(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	out, err := io.ReadAll(io.LimitReader(r, MaxDecompressed+1))
	if err != nil || len(out) > MaxDecompressed || !utf8.Valid(out) {
		return ""
	}
	return string(out)
}

type textUDF struct {
	fn  func(string) string
	cfg duckdb.ScalarFuncConfig
}

func (u *textUDF) Config() duckdb.ScalarFuncConfig { return u.cfg }

func (u *textUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(values []driver.Value) (any, error) {
		s, ok := values[0].(string)
		if !ok {
			return nil, nil
		}
		return u.fn(s), nil
	}}
}

// registerTextUDFs registers textUDFs on conn (for the whole database, as
// registerGeoUDFs does).
func registerTextUDFs(ctx context.Context, conn *sql.Conn) error {
	for name, fn := range textUDFs {
		in, err := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
		if err != nil {
			return err
		}
		u := &textUDF{fn: fn, cfg: duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{in}, ResultTypeInfo: in}}
		if err := duckdb.RegisterScalarUDF(conn, name, u); err != nil {
			return fmt.Errorf("duckdb: register %s: %w", name, err)
		}
	}
	return nil
}
