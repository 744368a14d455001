package syslog

import (
	"encoding/binary"
	"hash/fnv"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// reportID derives a row's ReportId from where the record came from, its
// bytes and the row's index: replaying a file yields the same ids, while
// two identical messages received one after the other (different Line)
// do not collide. 63 bits keep it positive in a long.
func reportID(in *ingest.Input, row int) int64 {
	h := fnv.New64a()
	h.Write([]byte(in.Source))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(in.Line))
	binary.LittleEndian.PutUint64(b[8:], uint64(row))
	h.Write(b[:])
	h.Write(in.Data)
	return int64(h.Sum64() & (1<<63 - 1))
}

// splitAccount splits DOMAIN\user.
func splitAccount(s string) (domain, name string) {
	if d, n, ok := strings.Cut(s, `\`); ok && d != "" && n != "" {
		return d, n
	}
	return "", s
}
