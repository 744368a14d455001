package pack

import "testing"

func TestRulesCompile(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatal("no built-in rules")
	}
}
