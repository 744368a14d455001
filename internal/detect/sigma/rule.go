// Package sigma compiles Sigma rules (https://sigmahq.io) into Vigil's
// detection rules: a Defender-style KQL query over the tables Vigil's
// ingestion writes, with the rule's title, level, tags and authors carried
// onto the alerts it raises.
//
// Logsources map to the tables the Windows normalizer fills (see
// ingest/windows/doc.go): process_creation to DeviceProcessEvents, network
// and file events to DeviceNetworkEvents and DeviceFileEvents, registry
// events to DeviceRegistryEvents (TargetObject is the key joined with the
// value name the normalizer splits off, hive names in Defender's long
// form, DWORD details in decimal), image loads to DeviceImageLoadEvents,
// and the other Sysmon events to DeviceEvents by ActionType. Sysmon fields
// without a column of their own are read from AdditionalFields, where the
// normalizer keeps them; a rule using a field that has no place at all is
// compiled over the raw copy of its events (WindowsEvent, EventData).
// Service logsources read the raw copies: SecurityEvent for security,
// WindowsEvent by channel for the others.
//
// Matching is case-insensitive (=~, contains, in~ ...) unless the rule
// says cased; the emitted predicates keep a column on the left and a
// literal on the right wherever the mapping allows, so that the streaming
// engine can index them. Rules compile to continuous rules when the
// native evaluator takes them; correlation rules run on the schedule.
//
// This file reads Sigma documents.
package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Document is one Sigma YAML document: a detection rule, or a
// correlation rule over other rules.
type Document struct {
	Title          string
	ID             string
	Name           string // how correlation rules refer to a rule
	Description    string
	Author         string
	Status         string
	Level          string
	References     []string
	Tags           []string
	FalsePositives []string
	Logsource      Logsource
	Detection      *yaml.Node // a mapping; nil for a correlation rule
	Correlation    *yaml.Node // a mapping; nil for a detection rule
	Line           int        // where the document starts
}

// Logsource says which events a rule reads.
type Logsource struct {
	Product, Category, Service string
}

// maxRuleBytes bounds one rule file; SigmaHQ's largest is under 100 kB.
const maxRuleBytes = 4 << 20

// Parse reads the documents of one Sigma file.
func Parse(data []byte) ([]*Document, error) {
	if len(data) > maxRuleBytes {
		return nil, &Error{Reason: ReasonInvalid, Msg: fmt.Sprintf("the file is larger than %d bytes", maxRuleBytes)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{Reason: ReasonInvalid, Msg: "YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			n = *n.Content[0]
		}
		if n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
			continue // an empty document between separators
		}
		d, err := readDocument(&n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, &Error{Reason: ReasonInvalid, Msg: "the file holds no Sigma rule"}
	}
	return docs, nil
}

func readDocument(n *yaml.Node) (*Document, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, ReasonInvalid, "a Sigma rule is a mapping of keys to values")
	}
	d := &Document{Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "title":
			d.Title, err = scalar(v, "title")
		case "id":
			d.ID, err = scalar(v, "id")
		case "name":
			d.Name, err = scalar(v, "name")
		case "description":
			d.Description, err = scalar(v, "description")
		case "author":
			d.Author, err = scalar(v, "author")
		case "status":
			d.Status, err = scalar(v, "status")
		case "level":
			d.Level, err = scalar(v, "level")
		case "references":
			d.References, err = strList(v, "references")
		case "tags":
			d.Tags, err = strList(v, "tags")
		case "falsepositives":
			d.FalsePositives, err = strList(v, "falsepositives")
		case "logsource":
			err = readLogsource(v, &d.Logsource)
		case "detection":
			if v.Kind != yaml.MappingNode {
				return nil, errAt(v, ReasonInvalid, "detection must be a mapping")
			}
			d.Detection = v
		case "correlation":
			if v.Kind != yaml.MappingNode {
				return nil, errAt(v, ReasonInvalid, "correlation must be a mapping")
			}
			d.Correlation = v
		}
		if err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(d.Title) == "" {
		return nil, errAt(n, ReasonInvalid, "the rule has no title")
	}
	if d.Detection == nil && d.Correlation == nil {
		return nil, errAt(n, ReasonInvalid, "the rule has neither detection nor correlation")
	}
	return d, nil
}

func readLogsource(v *yaml.Node, ls *Logsource) error {
	if v.Kind != yaml.MappingNode {
		return errAt(v, ReasonInvalid, "logsource must be a mapping")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		var err error
		switch k.Value {
		case "product":
			ls.Product, err = scalar(val, "logsource.product")
		case "category":
			ls.Category, err = scalar(val, "logsource.category")
		case "service":
			ls.Service, err = scalar(val, "logsource.service")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func scalar(v *yaml.Node, what string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", errAt(v, ReasonInvalid, "%s must be a single value", what)
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return v.Value, nil
}

// strList reads a list of strings; a single string is a list of one
// (Sigma's author and falsepositives are written both ways).
func strList(v *yaml.Node, what string) ([]string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" || v.Value == "" {
			return nil, nil
		}
		return []string{v.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, x := range v.Content {
			s, err := scalar(x, what+" item")
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errAt(v, ReasonInvalid, "%s must be a list of values", what)
}
