package simulate

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestOrg(t *testing.T) {
	o := NewOrg(Config{Seed: 3})
	if len(o.Devices) != 50 || len(o.Users) != 60 || len(o.ServiceAccounts) == 0 {
		t.Fatalf("%d devices, %d users, %d service accounts", len(o.Devices), len(o.Users), len(o.ServiceAccounts))
	}
	if o.DC.Host != "DC01" || o.DC.Role != RoleDC || o.Mail.Role != RoleMail || o.Domain != "corp.contoso.test" ||
		o.MailDomain != "contoso.test" || o.NetBIOS != "CONTOSO" {
		t.Errorf("org basics: %s %s %s %s %s", o.DC.Host, o.Mail.Host, o.Domain, o.MailDomain, o.NetBIOS)
	}
	sidRE := regexp.MustCompile(`^S-1-5-21-\d+-\d+-\d+-\d+$`)
	guidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	admins, withDevice := 0, 0
	for _, u := range append(o.Users, o.ServiceAccounts...) {
		for _, id := range []string{u.SID, u.ObjectID, u.Upn, u.Name} {
			if seen[id] {
				t.Errorf("%s used twice", id)
			}
			seen[id] = true
		}
		if !sidRE.MatchString(u.SID) || !strings.HasPrefix(u.SID, o.DomainSID+"-") || !guidRE.MatchString(u.ObjectID) ||
			!strings.HasSuffix(u.Upn, "@"+o.MailDomain) {
			t.Errorf("user %s: %s %s %s", u.Name, u.SID, u.ObjectID, u.Upn)
		}
		if u.IsAdmin() {
			admins++
		}
		if u.Device != nil {
			withDevice++
			if u.Device.Owner != u {
				t.Errorf("%s's workstation %s belongs to %v", u.Name, u.Device.Host, u.Device.Owner.Name)
			}
		}
	}
	if admins < 2 || admins > 5 || withDevice < 30 {
		t.Errorf("%d domain admins, %d users with a workstation", admins, withDevice)
	}
	hex40 := regexp.MustCompile(`^[0-9a-f]{40}$`)
	roles := map[string]int{}
	for _, d := range o.Devices {
		if !hex40.MatchString(d.ID) || seen[d.ID] || seen[d.Name] || seen[d.IP] {
			t.Errorf("device %s: id %s, ip %s (duplicate or malformed)", d.Name, d.ID, d.IP)
		}
		seen[d.ID], seen[d.Name], seen[d.IP] = true, true, true
		if d.Name != strings.ToLower(d.Host)+"."+o.Domain {
			t.Errorf("FQDN %s for %s", d.Name, d.Host)
		}
		if a := netip.MustParseAddr(d.IP); !netip.MustParsePrefix("10.0.0.0/8").Contains(a) {
			t.Errorf("%s has %s, outside 10/8", d.Host, d.IP)
		}
		roles[d.Role+"/"+d.OS]++
	}
	if roles["dc/Windows"] != 1 || roles["mail/Linux"] != 1 || roles["server/Windows"] < 2 || roles["server/Linux"] < 2 || roles["workstation/Windows"] < 30 {
		t.Errorf("device mix %v", roles)
	}
	// Deterministic, and different for another seed.
	if !reflect.DeepEqual(orgDigest(o), orgDigest(NewOrg(Config{Seed: 3}))) {
		t.Error("same seed, different organisation")
	}
	if reflect.DeepEqual(orgDigest(o), orgDigest(NewOrg(Config{Seed: 4}))) {
		t.Error("seeds 3 and 4 give the same organisation")
	}
	// Minimums and options.
	small := NewOrg(Config{Devices: 1, Users: 1, Domain: "AD.Fabrikam.Example", DecoyHost: "trap01"})
	if len(small.Devices) != minDevices || len(small.Users) != minUsers || small.NetBIOS != "FABRIKAM" ||
		small.DecoyHostFQDN != "trap01.ad.fabrikam.example" || small.Config.Start != DefaultStart {
		t.Errorf("small org: %d devices, %d users, %s, %s", len(small.Devices), len(small.Users), small.NetBIOS, small.DecoyHostFQDN)
	}
	if small.Device("dc01") != small.DC || small.Device("DC01."+small.Domain) != small.DC || small.User(small.Users[0].Upn) != small.Users[0] {
		t.Error("lookups by name")
	}
}

func orgDigest(o *Org) []string {
	var out []string
	for _, d := range o.Devices {
		out = append(out, d.ID, d.Name, d.IP, d.MAC)
	}
	for _, u := range o.Users {
		out = append(out, u.Name, u.SID, u.ObjectID, u.Role)
	}
	return out
}

// checkReserved fails when generated rows point at a real organisation:
// every address must be private or from a documentation range, every
// host name under .test or .example. TestScenariosPlayOut runs it over a
// morning of activity with every attack in it.
func checkReserved(t *testing.T, rows []tableRow) {
	t.Helper()
	allowed := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
	}
	quad := regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	// Host names are lower case; Windows paths (Microsoft.NET) are not.
	realHost := regexp.MustCompile(`[a-z0-9-]+\.(com|net|org|io|gov|edu|co|uk|de|fr|ru|cn|info|biz)\b`)
	addrCol := regexp.MustCompile(`(IP|IPAddress|IPv4)$`)
	jsonCol := map[string]bool{"AdditionalFields": true, "RawEventData": true, "ActivityObjects": true, "DnsAddresses": true,
		"IPAddresses": true, "DefaultGateways": true, "ConnectedNetworks": true, "UrlChain": true}
	seen := map[string]bool{}
	addrs := 0
	for _, r := range rows {
		st, _ := schema.Lookup(r.table)
		for i, v := range r.vals {
			var text string
			switch x := v.(type) {
			case string:
				text = x
			case json.RawMessage:
				text = string(x)
			default:
				continue
			}
			name := st.Columns[i].Name
			key := name + "\x00" + text
			if seen[key] {
				continue
			}
			seen[key] = true
			var ips []string
			switch {
			case addrCol.MatchString(name):
				ips = []string{text}
			case jsonCol[name]:
				ips = quad.FindAllString(text, -1)
			}
			for _, ip := range ips {
				a, err := netip.ParseAddr(ip)
				if err != nil {
					t.Fatalf("%s.%s = %q is not an address", r.table, name, ip)
				}
				addrs++
				ok := false
				for _, p := range allowed {
					ok = ok || p.Contains(a)
				}
				if !ok {
					t.Fatalf("%s.%s: address %s outside the reserved ranges", r.table, name, a)
				}
			}
			if m := realHost.FindString(text); m != "" {
				t.Fatalf("%s.%s: real-looking domain %q in %q", r.table, name, m, text)
			}
		}
	}
	if addrs < 1000 {
		t.Errorf("only %d addresses checked", addrs)
	}
}
