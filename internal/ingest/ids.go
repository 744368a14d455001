package ingest

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"net/netip"
	"strconv"
	"strings"
)

// ReportID derives a row's ReportId from the record's bytes and the row's
// position (FNV-64a over data, then each part as 8 little-endian bytes),
// so that replaying a file yields the same ids and two rows of one record
// never share one. 63 bits keep it positive in a long column.
func ReportID(data []byte, parts ...int) int64 {
	h := fnv.New64a()
	h.Write(data)
	var b [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(b[:], uint64(p))
		h.Write(b[:])
	}
	return int64(h.Sum64() & (1<<63 - 1))
}

// ReportIDString is ReportID as decimal text, for the tables whose
// ReportId is a string (the Identity tables, CloudAppEvents, EmailEvents).
func ReportIDString(data []byte, parts ...int) string {
	return strconv.FormatInt(ReportID(data, parts...), 10)
}

// DeviceID is the stable DeviceId of a host: the hex SHA-1 (40
// characters, like Defender's) of the lower-cased first label of its
// name, so that one host logged as "WORKSTATION6" and as
// "workstation6.theshire.local" keeps one DeviceId. An IP address is
// taken whole.
func DeviceID(host string) string {
	return FullNameDeviceID(ShortHostName(host))
}

// FullNameDeviceID is the hex SHA-1 of the lower-cased host name as
// given, without shortening it to its first label. The Samba and syslog
// normalizers derive DeviceId this way (so "dc1.xdr.test" and "DC1" get
// two ids); new code uses DeviceID.
func FullNameDeviceID(host string) string {
	sum := sha1.Sum([]byte(strings.ToLower(host)))
	return hex.EncodeToString(sum[:])
}

// ShortHostName returns the first label of a host name, trimmed of
// spaces; an IP address, or a name without a dot, is returned whole.
func ShortHostName(host string) string {
	host = strings.TrimSpace(host)
	if i := strings.IndexByte(host, '.'); i > 0 {
		if _, err := netip.ParseAddr(host); err != nil {
			return host[:i]
		}
	}
	return host
}
