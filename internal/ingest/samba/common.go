package samba

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// reportID derives a row's ReportId from the record's bytes and the row's
// position: replaying a file yields the same ids, and rows of one record
// never share one. 63 bits keep it positive in a long column.
func reportID(data []byte, row int) int64 {
	h := fnv.New64a()
	h.Write(data)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(row))
	h.Write(b[:])
	return int64(h.Sum64() & (1<<63 - 1))
}

func reportIDString(data []byte, row int) string {
	return strconv.FormatInt(reportID(data, row), 10)
}

// deviceID is a stable DeviceId for a host: the hex SHA-1 of its
// lower-cased name, 40 characters like Defender's.
func deviceID(host string) string {
	sum := sha1.Sum([]byte(strings.ToLower(host)))
	return hex.EncodeToString(sum[:])
}

// str returns a field's text ("" when absent or null).
func str(v *fastjson.Value, keys ...string) string {
	if v == nil {
		return ""
	}
	return ingest.Str(v, keys...)
}

// address is a Samba tsocket address: "ipv4:1.2.3.4:389",
// "ipv6:[fe80::1]:88" or "ipv6:fe80::1:88", "unix:/path".
type address struct {
	ip   string
	port int32
	raw  string
}

func parseAddress(s string) address {
	a := address{raw: s}
	rest, ok := "", false
	for _, p := range []string{"ipv4:", "ipv6:", "ip:"} {
		if r, found := strings.CutPrefix(s, p); found {
			rest, ok = r, true
			break
		}
	}
	if !ok {
		return a
	}
	if ap, err := netip.ParseAddrPort(rest); err == nil {
		a.ip, a.port = ap.Addr().Unmap().String(), int32(ap.Port())
		return a
	}
	// Samba writes IPv6 without brackets, the port after the last colon.
	if i := strings.LastIndexByte(rest, ':'); i > 0 {
		if addr, err := netip.ParseAddr(rest[:i]); err == nil {
			if p, err := strconv.ParseUint(rest[i+1:], 10, 16); err == nil {
				a.ip, a.port = addr.Unmap().String(), int32(p)
				return a
			}
		}
	}
	if addr, err := netip.ParseAddr(strings.Trim(rest, "[]")); err == nil {
		a.ip = addr.Unmap().String()
	}
	return a
}

// ipType classifies an address the way DeviceLogonEvents.RemoteIPType
// does.
func ipType(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	switch {
	case a.IsLoopback():
		return "Loopback"
	case a.IsPrivate():
		return "Private"
	case a.Is4In6():
		return "FourToSixMapping"
	case a.IsLinkLocalUnicast():
		return "LinkLocal"
	case a.IsMulticast():
		return "Multicast"
	case a.IsUnspecified():
		return "Reserved"
	case a.Is4() && a.As4() == [4]byte{255, 255, 255, 255}:
		return "Broadcast"
	default:
		return "Public"
	}
}

// splitAccount splits user@domain or DOMAIN\user into name and domain.
func splitAccount(s string) (name, domain string) {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return s[i+1:], s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// firstRDN returns the value of a DN's first component:
// "CN=bob Test,CN=Users,DC=xdr,DC=test" -> "bob Test". Escaped commas
// and other escapes are undone.
func firstRDN(dn string) string {
	var b strings.Builder
	i := strings.IndexByte(dn, '=')
	if i < 0 {
		return ""
	}
	for j := i + 1; j < len(dn); j++ {
		c := dn[j]
		if c == '\\' && j+1 < len(dn) {
			// \XX hex pair or \, \+ \" ...
			if j+2 < len(dn) && isHex(dn[j+1]) && isHex(dn[j+2]) {
				v, _ := strconv.ParseUint(dn[j+1:j+3], 16, 8)
				b.WriteByte(byte(v))
				j += 2
				continue
			}
			b.WriteByte(dn[j+1])
			j++
			continue
		}
		if c == ',' || c == '+' {
			break
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// fields collects AdditionalFields entries; empty values are left out.
type fields map[string]any

func (f fields) str(k, v string) {
	if v != "" {
		f[k] = v
	}
}

func (f fields) json() json.RawMessage {
	if len(f) == 0 {
		return nil
	}
	b, err := json.Marshal(map[string]any(f))
	if err != nil {
		return nil
	}
	return b
}

func setJSON(r *ingest.Row, column string, v json.RawMessage) {
	if len(v) > 0 {
		r.Set(column, v)
	}
}

// jsonOf returns a value's JSON. fastjson accepts raw control characters
// in strings and writes them back as Go escapes (\x03), which is not JSON;
// such values are re-encoded piece by piece.
func jsonOf(v *fastjson.Value) json.RawMessage {
	b := v.MarshalTo(nil)
	if json.Valid(b) {
		return b
	}
	return appendJSON(nil, v)
}

func appendJSON(dst []byte, v *fastjson.Value) []byte {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		dst = append(dst, '{')
		n := 0
		o.Visit(func(k []byte, f *fastjson.Value) {
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			key, _ := json.Marshal(string(k))
			dst = append(dst, key...)
			dst = append(dst, ':')
			dst = appendJSON(dst, f)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		a, _ := v.Array()
		dst = append(dst, '[')
		for i, f := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, f)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		b, _ := json.Marshal(string(v.GetStringBytes()))
		return append(dst, b...)
	case fastjson.TypeNumber:
		b := v.MarshalTo(nil)
		if json.Valid(b) {
			return append(dst, b...)
		}
		q, _ := json.Marshal(string(b))
		return append(dst, q...)
	default:
		return v.MarshalTo(dst)
	}
}

// rawCopy keeps the whole record in RawEvents.
func rawCopy(in *ingest.Input, out *ingest.RowSet, t time.Time, computer string) {
	row := out.New("RawEvents")
	row.Set("TimeGenerated", t)
	row.SetString("SourceName", in.Source)
	row.Set("SourceFormat", "json")
	row.SetString("Computer", computer)
	row.Set("RawData", jsonOf(in.JSON))
}
