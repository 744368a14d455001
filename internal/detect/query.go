package detect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// AlertFilter selects alerts for a listing, newest first.
type AlertFilter struct {
	Since, Until time.Time // by alert time (the triggering event's)
	Severities   []string
	Category     string
	// TitleContains matches titles case-insensitively.
	TitleContains string
	// Cursor continues a listing where the previous page ended.
	Cursor string
	Limit  int // 1..1000, default 100
}

// AlertSummary is an alert as AlertInfo holds it.
type AlertSummary struct {
	AlertID          string    `json:"alertId"`
	Timestamp        time.Time `json:"timestamp"`
	Title            string    `json:"title"`
	Category         string    `json:"category"`
	Severity         string    `json:"severity"`
	ServiceSource    string    `json:"serviceSource"`
	DetectionSource  string    `json:"detectionSource"`
	AttackTechniques []string  `json:"attackTechniques"`
}

// AlertPage is one page of a listing; Next is the cursor of the next
// page, empty on the last.
type AlertPage struct {
	Alerts []AlertSummary `json:"alerts"`
	Next   string         `json:"next,omitempty"`
}

// ErrBadCursor is a cursor this listing did not hand out.
var ErrBadCursor = errors.New("cursor is not one a listing returned")

func encodeCursor(ts time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ts.UnixMicro(), 10) + ":" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	us, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", ErrBadCursor
	}
	return time.UnixMicro(n).UTC(), id, nil
}

// ListAlerts reads a page of alerts from AlertInfo. Every filter value
// reaches the SQL as a bind parameter.
func ListAlerts(ctx context.Context, st store.Store, f AlertFilter) (*AlertPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		return nil, fmt.Errorf("limit %d is above 1000", limit)
	}
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.Since.IsZero() {
		conds = append(conds, `"Timestamp" >= `+arg(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		conds = append(conds, `"Timestamp" < `+arg(f.Until.UTC()))
	}
	if len(f.Severities) > 0 {
		conds = append(conds, `lower("Severity") IN (SELECT lower(unnest(`+arg(f.Severities)+`::VARCHAR[])))`)
	}
	if f.Category != "" {
		conds = append(conds, `lower("Category") = lower(`+arg(f.Category)+`)`)
	}
	if f.TitleContains != "" {
		conds = append(conds, `contains(lower("Title"), lower(`+arg(f.TitleContains)+`))`)
	}
	if f.Cursor != "" {
		ts, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		t, i := arg(ts), arg(id)
		conds = append(conds, `("Timestamp" < `+t+` OR ("Timestamp" = `+t+` AND "AlertId" < `+i+`))`)
	}
	sql := `SELECT "AlertId", any_value("Timestamp"), any_value("Title"), any_value("Category"), any_value("Severity"),
  any_value("ServiceSource"), any_value("DetectionSource"), any_value("AttackTechniques") FROM "AlertInfo"`
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	sql += ` GROUP BY "AlertId" ORDER BY 2 DESC, 1 DESC LIMIT ` + arg(limit+1)
	res, err := st.Query(ctx, store.Query{SQL: sql, Args: args, MaxRows: limit + 1})
	if err != nil {
		return nil, err
	}
	page := &AlertPage{Alerts: []AlertSummary{}}
	for i, r := range res.Rows {
		if i == limit {
			last := page.Alerts[limit-1]
			page.Next = encodeCursor(last.Timestamp, last.AlertID)
			break
		}
		a := AlertSummary{AlertID: str(r[0]), Title: str(r[2]), Category: str(r[3]), Severity: str(r[4]),
			ServiceSource: str(r[5]), DetectionSource: str(r[6]), AttackTechniques: []string{}}
		a.Timestamp, _ = r[1].(time.Time)
		_ = json.Unmarshal([]byte(str(r[7])), &a.AttackTechniques)
		page.Alerts = append(page.Alerts, a)
	}
	return page, nil
}

// AlertDetail is an alert and its evidence.
type AlertDetail struct {
	AlertSummary
	Evidence []map[string]any `json:"evidence"`
}

// ErrNoAlert is an alert id AlertInfo does not hold.
var ErrNoAlert = errors.New("no such alert")

// GetAlert reads one alert and its evidence rows (their non-empty
// columns).
func GetAlert(ctx context.Context, st store.Store, id string) (*AlertDetail, error) {
	res, err := st.Query(ctx, store.Query{SQL: `SELECT "AlertId", "Timestamp", "Title", "Category", "Severity", "ServiceSource", "DetectionSource", "AttackTechniques"
FROM "AlertInfo" WHERE "AlertId" = $1 LIMIT 1`, Args: []any{id}, MaxRows: 1})
	if err != nil {
		return nil, err
	}
	if len(res.Rows) == 0 {
		return nil, ErrNoAlert
	}
	r := res.Rows[0]
	d := &AlertDetail{AlertSummary: AlertSummary{AlertID: str(r[0]), Title: str(r[2]), Category: str(r[3]), Severity: str(r[4]),
		ServiceSource: str(r[5]), DetectionSource: str(r[6]), AttackTechniques: []string{}}, Evidence: []map[string]any{}}
	d.Timestamp, _ = r[1].(time.Time)
	_ = json.Unmarshal([]byte(str(r[7])), &d.AttackTechniques)
	ev, err := st.Query(ctx, store.Query{SQL: `SELECT DISTINCT * EXCLUDE ("Timestamp", "AlertId", "Title", "Categories", "AttackTechniques", "ServiceSource", "DetectionSource", "Severity", "__IngestionTime")
FROM "AlertEvidence" WHERE "AlertId" = $1`, Args: []any{id}, MaxRows: 1000})
	if err != nil {
		return nil, err
	}
	for _, row := range ev.Rows {
		m := map[string]any{}
		for i, c := range ev.Columns {
			if !empty(row[i]) {
				m[c.Name] = row[i]
			}
		}
		d.Evidence = append(d.Evidence, m)
	}
	return d, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
