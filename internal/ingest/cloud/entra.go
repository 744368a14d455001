package cloud

import (
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Microsoft 365 in Defender for Cloud Apps' app catalogue. Defender files
// Entra ID directory audit events under it (Application "Office 365",
// ApplicationId 11161), as its own exports and the community's hunting
// queries show.
const (
	o365Application   = "Office 365"
	o365ApplicationID = 11161
)

// entraView reads Entra ID log records in the three shapes they come in:
// Sentinel rows (PascalCase columns, dynamic values as JSON text),
// diagnostic-settings exports (camelCase under "properties"), and
// Microsoft Graph resources (camelCase at the top).
type entraView struct {
	root, props *fastjson.Value
}

func newEntraView(v *fastjson.Value) entraView {
	ev := entraView{root: v}
	if isObject(v, "properties") {
		ev.props = v.Get("properties")
	}
	return ev
}

// get returns the field named pascal (Sentinel) or camel (the others).
// A diagnostic-settings record's own top-level camelCase fields describe
// the export (resourceId is the tenant's path there), so they are read
// only for Graph resources, which have no "properties".
func (e entraView) get(pascal, camel string) *fastjson.Value {
	top := e.root
	if e.props != nil {
		top = nil
	}
	for _, c := range []struct {
		v   *fastjson.Value
		key string
	}{{e.root, pascal}, {e.props, camel}, {top, camel}} {
		if c.v == nil || c.key == "" {
			continue
		}
		if f := c.v.Get(c.key); f != nil && f.Type() != fastjson.TypeNull {
			return f
		}
	}
	return nil
}

// str returns a field's text.
func (e entraView) str(pascal, camel string) string {
	f := e.get(pascal, camel)
	if f == nil {
		return ""
	}
	if f.Type() == fastjson.TypeString {
		return string(f.GetStringBytes())
	}
	return f.String()
}

// obj returns a dynamic field, decoding JSON text.
func (e entraView) obj(pascal, camel string) *fastjson.Value {
	return decodeValue(e.get(pascal, camel))
}

// time returns the first parseable time among (pascal, camel) pairs.
// The export's own top-level time counts here.
func (e entraView) time(pairs ...[2]string) (time.Time, bool) {
	for _, p := range pairs {
		if t, ok := ingest.ParseTime(e.str(p[0], p[1])); ok {
			return t, true
		}
		if t, ok := ingest.Time(e.root, p[1]); ok {
			return t, true
		}
	}
	return time.Time{}, false
}
