package detect

import (
	"bytes"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"
)

// ruleFile is a rule as YAML: the built-in pack and `vigil rules` read
// rules in this shape.
//
//	id: shadow-copy-deletion
//	name: Shadow copies deleted
//	frequency: continuous        # or 1h, 3h, 12h, 24h
//	severity: High
//	category: Impact
//	techniques: [T1490]
//	title: Shadow copies deleted on {{DeviceName}}
//	description: ...
//	recommended_actions: ...
//	actions: [isolate_device]
//	query: |
//	  DeviceProcessEvents | where ...
type ruleFile struct {
	ID                 string   `yaml:"id"`
	Name               string   `yaml:"name"`
	Frequency          string   `yaml:"frequency"`
	Enabled            *bool    `yaml:"enabled,omitempty"`
	Severity           string   `yaml:"severity"`
	Category           string   `yaml:"category,omitempty"`
	Techniques         []string `yaml:"techniques,omitempty"`
	Title              string   `yaml:"title"`
	Description        string   `yaml:"description,omitempty"`
	RecommendedActions string   `yaml:"recommended_actions,omitempty"`
	DeviceColumn       string   `yaml:"device_column,omitempty"`
	UserColumn         string   `yaml:"user_column,omitempty"`
	MailboxColumn      string   `yaml:"mailbox_column,omitempty"`
	Actions            []string `yaml:"actions,omitempty"`
	DeviceGroups       []string `yaml:"device_groups,omitempty"`
	Source             string   `yaml:"source,omitempty"`
	SourceID           string   `yaml:"source_id,omitempty"`
	Author             string   `yaml:"author,omitempty"`
	References         []string `yaml:"references,omitempty"`
	Query              string   `yaml:"query"`
}

// ParseRule reads one rule from YAML; unknown keys are errors, so a typo
// does not silently drop a setting.
func ParseRule(data []byte) (*Rule, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f ruleFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("rule: %w", err)
	}
	r := &Rule{ID: f.ID, Name: f.Name, Query: f.Query, Frequency: Frequency(f.Frequency), Enabled: f.Enabled == nil || *f.Enabled,
		Title: f.Title, Description: f.Description, Severity: Severity(f.Severity), Category: f.Category,
		Techniques: f.Techniques, RecommendedActions: f.RecommendedActions, DeviceColumn: f.DeviceColumn,
		UserColumn: f.UserColumn, MailboxColumn: f.MailboxColumn, DeviceGroups: f.DeviceGroups,
		Source: f.Source, SourceID: f.SourceID, Author: f.Author, References: f.References}
	for _, a := range f.Actions {
		r.Actions = append(r.Actions, Action(a))
	}
	if r.ID == "" {
		return nil, fmt.Errorf("rule: id is required")
	}
	return r, nil
}

// FormatRule writes a rule as the YAML ParseRule reads.
func FormatRule(r *Rule) ([]byte, error) {
	f := ruleFile{ID: r.ID, Name: r.Name, Frequency: string(r.Frequency), Severity: string(r.Severity),
		Category: r.Category, Techniques: r.Techniques, Title: r.Title, Description: r.Description,
		RecommendedActions: r.RecommendedActions, DeviceColumn: r.DeviceColumn, UserColumn: r.UserColumn,
		MailboxColumn: r.MailboxColumn, DeviceGroups: r.DeviceGroups, Source: r.Source, SourceID: r.SourceID,
		Author: r.Author, References: r.References, Query: r.Query}
	if !r.Enabled {
		f.Enabled = new(bool)
	}
	for _, a := range r.Actions {
		f.Actions = append(f.Actions, string(a))
	}
	return yaml.Marshal(&f)
}

// LoadRule reads and compiles a rule file.
func LoadRule(path string) (*Compiled, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := ParseRule(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := Compile(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
