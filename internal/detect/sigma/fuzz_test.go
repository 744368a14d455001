package sigma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/parser"
)

// FuzzCompile feeds arbitrary files to the compiler: it must return
// results or errors, never panic or hang, and every query it emits must
// parse as KQL.
func FuzzCompile(f *testing.F) {
	for _, p := range []string{
		"windows/process_creation/proc_creation_win_rundll32_process_dump_via_comsvcs.yml",
		"windows/process_creation/proc_creation_win_powershell_base64_encoded_cmd.yml",
		"windows/process_access/proc_access_win_lsass_dump_comsvcs_dll.yml",
		"windows/registry/registry_set/registry_set_disable_defender_firewall.yml",
		"windows/network_connection/net_connection_win_office_outbound_non_local_ip.yml",
		"windows/builtin/win_alert_mimikatz_keywords.yml",
		"windows/builtin/security/win_security_susp_rc4_kerberos.yml",
	} {
		if data, err := os.ReadFile(filepath.Join(sigmaDir, p)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(rule("  sel: {CommandLine|wide|base64offset|contains: ab, Image|re|i: 'x+'}\n  condition: 1 of them")))
	f.Add([]byte(rule("  a: {User|contains: 'A\\B'}\n  b: [kw1, 'k*w?2']\n  condition: not (a and b) or all of a*")))
	f.Add([]byte("title: a\nname: r\nlogsource: {product: windows, service: security}\ndetection: {s: {EventID: 1}, condition: s}\n---\n" +
		"title: c\ncorrelation: {type: value_count, rules: [r], group-by: [IpAddress], timespan: 5m, condition: {gte: 2, field: TargetUserName}}\n"))
	f.Add([]byte("title: x\nlogsource: {product: windows, category: network_connection}\ndetection: {s: {DestinationIp|cidr: ['fe80::/10', 10.0.0.0/8]}, condition: s}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range CompileFile(data, &Options{Placeholders: map[string][]string{"x": {"a", "b"}}}) {
			if r.Err != nil {
				if r.Rule != nil {
					t.Fatalf("a failed result carries a rule")
				}
				if r.Err.Error() == "" {
					t.Fatalf("empty error")
				}
				continue
			}
			if _, err := parser.Parse(r.Rule.Query); err != nil {
				t.Fatalf("emitted KQL does not parse: %v\n%s", err, r.Rule.Query)
			}
			if !strings.HasPrefix(r.Rule.ID, "sigma-") {
				t.Fatalf("rule id %q", r.Rule.ID)
			}
		}
	})
}
