package incident

import (
	"sort"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// Graph is an incident's attack story, ready to draw: its alerts and
// entities as nodes; edges from each alert to its entities at the
// alert's time, and from an alert to the earlier alert it was linked
// through (the shared entity or the sequence), with both times.
type Graph struct {
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`
}

// GraphNode is an alert or an entity.
type GraphNode struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"` // alert, or the entity kind
	Label    string    `json:"label"`
	Severity string    `json:"severity,omitempty"`
	Category string    `json:"category,omitempty"`
	Time     time.Time `json:"time,omitzero"` // alert: its time; entity: first seen
	LastSeen time.Time `json:"lastSeen,omitzero"`
}

// GraphEdge joins two nodes at a time.
type GraphEdge struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Type     string    `json:"type"` // evidence, entity (linked through), sequence, merge, manual
	Label    string    `json:"label,omitempty"`
	Time     time.Time `json:"time"`
	FromTime time.Time `json:"fromTime,omitzero"`
}

// BuildGraph draws the story of an incident's alerts.
func BuildGraph(alerts []state.IncidentAlert) Graph {
	g := Graph{Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	as := append([]state.IncidentAlert(nil), alerts...)
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].Time.Equal(as[j].Time) {
			return as[i].Time.Before(as[j].Time)
		}
		return as[i].AlertID < as[j].AlertID
	})
	ents := map[string]int{}
	inIncident := map[string]bool{}
	for _, a := range as {
		inIncident[a.AlertID] = true
	}
	for _, a := range as {
		aid := "alert:" + a.AlertID
		g.Nodes = append(g.Nodes, GraphNode{ID: aid, Type: "alert", Label: a.Title, Severity: a.Severity, Category: a.Category, Time: a.Time})
		for _, e := range a.Entities {
			id := e.Kind + ":" + identity(&e)
			if i, ok := ents[id]; ok {
				n := &g.Nodes[i]
				if a.Time.Before(n.Time) {
					n.Time = a.Time
				}
				if a.Time.After(n.LastSeen) {
					n.LastSeen = a.Time
				}
			} else {
				ents[id] = len(g.Nodes)
				g.Nodes = append(g.Nodes, GraphNode{ID: id, Type: e.Kind, Label: e.Value, Time: a.Time, LastSeen: a.Time})
			}
			g.Edges = append(g.Edges, GraphEdge{From: aid, To: id, Type: "evidence", Label: e.Role, Time: a.Time})
		}
		for _, r := range a.Reasons {
			if r.OtherAlert == "" || !inIncident[r.OtherAlert] || r.OtherAlert == a.AlertID {
				continue
			}
			g.Edges = append(g.Edges, GraphEdge{From: aid, To: "alert:" + r.OtherAlert, Type: r.Kind,
				Label: r.EntityKind + " " + r.EntityValue, Time: a.Time, FromTime: r.OtherTime})
		}
	}
	return g
}
