package detect

import (
	"fmt"
	"sort"
	"strings"
)

// Alert (and incident) statuses.
var Statuses = []string{"New", "InProgress", "Resolved"}

// Determinations lists, per classification, the determinations Defender
// allows.
var Determinations = map[string][]string{
	"TruePositive": {"MultiStagedAttack", "MaliciousUserActivity", "CompromisedAccount", "Malware", "Phishing",
		"UnwantedSoftware", "Other"},
	"InformationalExpectedActivity": {"SecurityTesting", "LineOfBusinessApplication", "ConfirmedActivity", "Other"},
	"FalsePositive":                 {"Clean", "InsufficientData", "Other"},
}

// CheckTriage validates a status, classification and determination (each
// may be empty: not set).
func CheckTriage(status, classification, determination string) error {
	if status != "" && !contains(Statuses, status) {
		return fmt.Errorf("status %q is not one of %s", status, strings.Join(Statuses, ", "))
	}
	if classification == "" {
		if determination != "" {
			return fmt.Errorf("a determination needs a classification")
		}
		return nil
	}
	dets, ok := Determinations[classification]
	if !ok {
		keys := make([]string, 0, len(Determinations))
		for k := range Determinations {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("classification %q is not one of %s", classification, strings.Join(keys, ", "))
	}
	if determination != "" && !contains(dets, determination) {
		return fmt.Errorf("determination %q is not one of %s for %s", determination, strings.Join(dets, ", "), classification)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
