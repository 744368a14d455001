package incident

import (
	"sort"
	"strings"
	"unicode"

	"github.com/vigilsec/vigil/internal/state"
)

// killChain orders alert categories (MITRE ATT&CK tactics first, in
// attack order); a category not listed sorts after them, by name.
var killChain = []string{"Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution", "Persistence",
	"PrivilegeEscalation", "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement", "Collection",
	"CommandAndControl", "Exfiltration", "Impact"}

func chainPos(c string) int {
	k := strings.ReplaceAll(strings.ReplaceAll(c, " ", ""), "&", "And")
	for i, x := range killChain {
		if strings.EqualFold(x, k) {
			return i
		}
	}
	return len(killChain)
}

// orderCategories sorts categories in kill-chain order.
func orderCategories(cs []string) []string {
	sort.SliceStable(cs, func(i, j int) bool {
		pi, pj := chainPos(cs[i]), chainPos(cs[j])
		if pi != pj {
			return pi < pj
		}
		return cs[i] < cs[j]
	})
	return cs
}

// displayCategory is how Defender's names write a category:
// "CommandAndControl" → "Command and control".
func displayCategory(c string) string {
	if strings.ContainsRune(c, ' ') {
		return c
	}
	var b strings.Builder
	for i, r := range c {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), " And ", " and ")
}

// generateName names an incident the way Defender does: a one-alert
// incident takes its alert's title; otherwise the first and last stages
// of the attack, the scope (one or multiple endpoints, or users when no
// endpoint is involved) and whether several sources reported it:
// "Multi-stage incident involving Execution & Lateral movement on
// multiple endpoints reported by multiple sources".
func generateName(g *aggregate, in *state.Incident) string {
	if g.alerts <= 1 {
		return g.title
	}
	cats := in.Categories
	var b strings.Builder
	switch len(cats) {
	case 0:
		b.WriteString("Multi-alert incident")
	case 1:
		b.WriteString(displayCategory(cats[0]) + " incident")
	default:
		b.WriteString("Multi-stage incident involving " + displayCategory(cats[0]) + " & " + displayCategory(cats[len(cats)-1]))
	}
	switch {
	case len(in.Devices) == 1:
		b.WriteString(" on one endpoint")
	case len(in.Devices) > 1:
		b.WriteString(" on multiple endpoints")
	case len(in.Users) == 1:
		b.WriteString(" involving one user")
	case len(in.Users) > 1:
		b.WriteString(" involving multiple users")
	}
	if len(in.DetectionSources) > 1 || len(in.ServiceSources) > 1 {
		b.WriteString(" reported by multiple sources")
	}
	return b.String()
}
