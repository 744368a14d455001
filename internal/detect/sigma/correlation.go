package sigma

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/detect"
)

// A correlation rule counts the events of other rules over a timespan:
//
//	correlation:
//	  type: event_count | value_count | temporal | temporal_ordered
//	  rules: [rule name or id, ...]
//	  group-by: [field, ...]
//	  timespan: 10m
//	  condition: {gte: 10, field: X}   # field for value_count
//	  aliases: {alias: {rule: field}}  # group-by names that differ by rule
//
// It compiles to a scheduled query that summarizes the rules' events in
// windows of the timespan (fixed windows: a burst that straddles two
// windows is counted in both halves).

type correlation struct {
	typ      string
	rules    []string
	groupBy  []string
	timespan time.Duration
	span     string // as KQL writes it
	conds    []struct{ op, value string }
	field    string
	aliases  map[string]map[string]string
	generate bool
	node     *yaml.Node
}

var timespanRe = regexp.MustCompile(`^([0-9]+)([smhd])$`)

// correlationRefs returns the rules a correlation refers to and whether
// they are also rules of their own (generate: true).
func correlationRefs(d *Document) ([]string, bool, error) {
	c, err := readCorrelation(d.Correlation)
	if err != nil {
		return nil, false, err
	}
	return c.rules, c.generate, nil
}

func readCorrelation(n *yaml.Node) (*correlation, error) {
	c := &correlation{node: n, aliases: map[string]map[string]string{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "type":
			c.typ, err = scalar(v, "correlation type")
		case "rules":
			c.rules, err = strList(v, "correlation rules")
		case "group-by":
			c.groupBy, err = strList(v, "group-by")
		case "timespan", "timeframe":
			var s string
			if s, err = scalar(v, "timespan"); err == nil {
				m := timespanRe.FindStringSubmatch(strings.TrimSpace(s))
				if m == nil {
					return nil, errAt(v, ReasonCorrelation, "timespan %q is not a number with s, m, h or d", s)
				}
				nv, _ := strconv.Atoi(m[1])
				unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
				if nv <= 0 || time.Duration(nv) > 366*24*time.Hour/unit {
					return nil, errAt(v, ReasonCorrelation, "timespan %q is out of range", s)
				}
				c.timespan, c.span = time.Duration(nv)*unit, m[1]+m[2]
			}
		case "condition":
			if v.Kind != yaml.MappingNode {
				return nil, errAt(v, ReasonCorrelation, "the correlation condition is a map such as {gte: 10}")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				ck, cv := v.Content[j], v.Content[j+1]
				val, err := scalar(cv, "condition "+ck.Value)
				if err != nil {
					return nil, err
				}
				switch ck.Value {
				case "field":
					c.field = val
				case "gt", "gte", "lt", "lte", "eq", "neq":
					if _, err := strconv.ParseInt(val, 10, 64); err != nil {
						return nil, errAt(cv, ReasonCorrelation, "condition %s takes a whole number, not %q", ck.Value, val)
					}
					c.conds = append(c.conds, struct{ op, value string }{ck.Value, val})
				default:
					return nil, errAt(ck, ReasonCorrelation, "unknown correlation condition %q", ck.Value)
				}
			}
		case "aliases":
			if v.Kind != yaml.MappingNode {
				return nil, errAt(v, ReasonCorrelation, "aliases is a map of alias to {rule: field}")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				ak, av := v.Content[j], v.Content[j+1]
				if av.Kind != yaml.MappingNode {
					return nil, errAt(av, ReasonCorrelation, "alias %s is a map of rule to field", ak.Value)
				}
				m := map[string]string{}
				for x := 0; x+1 < len(av.Content); x += 2 {
					f, err := scalar(av.Content[x+1], "alias field")
					if err != nil {
						return nil, err
					}
					m[av.Content[x].Value] = f
				}
				c.aliases[ak.Value] = m
			}
		case "generate":
			c.generate = v.Value == "true"
		}
		if err != nil {
			return nil, err
		}
	}
	switch c.typ {
	case "event_count", "value_count", "temporal", "temporal_ordered":
	case "":
		return nil, errAt(n, ReasonCorrelation, "the correlation has no type")
	default:
		return nil, errAt(n, ReasonCorrelation, "correlation type %q is not supported (event_count, value_count, temporal, temporal_ordered)", c.typ)
	}
	if len(c.rules) == 0 {
		return nil, errAt(n, ReasonCorrelation, "the correlation names no rules")
	}
	if c.timespan == 0 {
		return nil, errAt(n, ReasonCorrelation, "the correlation has no timespan")
	}
	if c.typ == "value_count" && c.field == "" {
		return nil, errAt(n, ReasonCorrelation, "value_count needs condition.field")
	}
	if (c.typ == "event_count" || c.typ == "value_count") && len(c.conds) == 0 {
		return nil, errAt(n, ReasonCorrelation, "%s needs a condition such as gte: 10", c.typ)
	}
	if (c.typ == "temporal" || c.typ == "temporal_ordered") && len(c.rules) < 2 {
		return nil, errAt(n, ReasonCorrelation, "%s correlates at least two rules", c.typ)
	}
	return c, nil
}

var condOps = map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "==", "neq": "!="}

// validColumnName is a name the summarize can give a group-by output.
var validColumnName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// compileCorrelation compiles a correlation over the rules of its file.
func compileCorrelation(d *Document, docs []*Document, opts *Options) (*detect.Rule, error) {
	c, err := readCorrelation(d.Correlation)
	if err != nil {
		return nil, err
	}
	for _, g := range c.groupBy {
		if !validColumnName.MatchString(g) || reservedOutput[g] {
			return nil, errAt(c.node, ReasonCorrelation, "group-by field %q cannot name an output column", g)
		}
	}
	// One branch per rule: its events with the group-by fields under
	// their correlation names.
	var branches []string
	for i, ref := range c.rules {
		var base *Document
		for _, o := range append(append([]*Document(nil), docs...), opts.Library...) {
			if o != d && o.Detection != nil && (o.Name == ref || o.ID == ref) {
				base = o
				break
			}
		}
		if base == nil {
			return nil, errAt(c.node, ReasonCorrelation, "rule %q is neither in this file nor among the imported rules", ref)
		}
		body, t, err := detectionQuery(base, opts)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", ref, err)
		}
		q := t.table + "\n| where " + body
		if t.tail != "" {
			q += "\n" + t.tail
		}
		cols := []string{"Timestamp", "ReportId = tostring(ReportId)", fmt.Sprintf("SigmaRule = %d", i)}
		if !contains(c.groupBy, "DeviceName") {
			cols = append(cols, "DeviceName")
		}
		names := append([]string(nil), c.groupBy...)
		if c.typ == "value_count" {
			names = append(names, c.field)
		}
		for j, g := range names {
			fieldName := g
			if a, ok := c.aliases[g]; ok {
				if f, ok := a[ref]; ok {
					fieldName = f
				} else if base.Name != "" && a[base.Name] != "" {
					fieldName = a[base.Name]
				}
			}
			f, ok := t.resolve(fieldName)
			if !ok || (f.kind != kString && f.kind != kNumber && f.kind != kUser) {
				return nil, errAt(c.node, ReasonCorrelation, "field %s of rule %q has no column to group by", fieldName, ref)
			}
			e := "tostring(" + f.col + ")"
			if f.kind == kUser {
				e = `iff(isempty(` + f.col + `), ` + f.col2 + `, strcat(` + f.col + `, "\\", ` + f.col2 + `))`
			}
			out := g
			if j == len(c.groupBy) { // the value_count field
				out = "CountedValue"
			}
			cols = append(cols, out+" = "+e)
		}
		branches = append(branches, q+"\n| project "+strings.Join(cols, ", "))
	}
	var q strings.Builder
	if len(branches) == 1 {
		q.WriteString(branches[0])
	} else {
		q.WriteString("union\n")
		for i, b := range branches {
			if i > 0 {
				q.WriteString(",\n")
			}
			q.WriteString("(" + b + ")")
		}
	}
	by := append([]string(nil), c.groupBy...)
	by = append(by, "Window = bin(Timestamp, "+c.span+")")
	aggs := []string{"FirstSeen = min(Timestamp)", "Timestamp = max(Timestamp)", "ReportId = take_any(ReportId)", "DeviceName = take_any(DeviceName)", "EventCount = count()"}
	if contains(c.groupBy, "DeviceName") {
		aggs = aggs[:3]
		aggs = append(aggs, "EventCount = count()")
	}
	var having []string
	switch c.typ {
	case "event_count":
		for _, cd := range c.conds {
			having = append(having, "EventCount "+condOps[cd.op]+" "+cd.value)
		}
	case "value_count":
		aggs = append(aggs, "ValueCount = dcount(CountedValue)")
		for _, cd := range c.conds {
			having = append(having, "ValueCount "+condOps[cd.op]+" "+cd.value)
		}
	case "temporal":
		aggs = append(aggs, "Rules = dcount(SigmaRule)")
		having = append(having, "Rules == "+strconv.Itoa(len(c.rules)))
	case "temporal_ordered":
		// Each rule's first event no later than the next rule's last: exact
		// for two rules, a necessary condition for more.
		for i := range c.rules {
			aggs = append(aggs, fmt.Sprintf("First%d = minif(Timestamp, SigmaRule == %d)", i, i), fmt.Sprintf("Last%d = maxif(Timestamp, SigmaRule == %d)", i, i))
		}
		for i := 0; i+1 < len(c.rules); i++ {
			having = append(having, fmt.Sprintf("isnotnull(First%d) and isnotnull(Last%d) and First%d <= Last%d", i, i+1, i, i+1))
		}
	}
	fmt.Fprintf(&q, "\n| summarize %s by %s", strings.Join(aggs, ", "), strings.Join(by, ", "))
	if len(having) > 0 {
		q.WriteString("\n| where " + strings.Join(having, " and "))
	}
	r := metadata(d)
	r.Query = q.String()
	r.Frequency = correlationFrequency(c.timespan)
	sort.Strings(r.Techniques)
	return r, nil
}

// reservedOutput are the columns the summarize itself produces.
var reservedOutput = map[string]bool{"Timestamp": true, "ReportId": true, "FirstSeen": true, "EventCount": true,
	"ValueCount": true, "Rules": true, "Window": true, "SigmaRule": true, "CountedValue": true}

// correlationFrequency is the least frequent schedule whose lookback
// still spans the timespan (Defender's lookback is four times the
// frequency).
func correlationFrequency(span time.Duration) detect.Frequency {
	for _, f := range []detect.Frequency{detect.Every1h, detect.Every3h, detect.Every12h} {
		if span <= f.Lookback() {
			return f
		}
	}
	return detect.Every24h
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
