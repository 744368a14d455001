package cloud

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// EntraAudit normalizes Microsoft Entra ID audit log records (Sentinel
// AuditLogs rows, diagnostic-settings exports, Graph directoryAudit
// resources) into CloudAppEvents, as Defender records them.
type EntraAudit struct{}

// NewEntraAudit returns the "entra-audit" normalizer.
func NewEntraAudit() *EntraAudit { return &EntraAudit{} }

func (*EntraAudit) Format() string { return "entra-audit" }

func (*EntraAudit) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	if ingest.Str(v, "Type") == "AuditLogs" {
		return true
	}
	if ingest.Str(v, "category") == "AuditLogs" && isObject(v, "properties") {
		return true
	}
	// Sentinel rows re-projected by a query lose Type but keep these.
	if v.Get("OperationName") != nil && v.Get("LoggedByService") != nil &&
		(v.Get("InitiatedBy") != nil || v.Get("TargetResources") != nil) {
		return true
	}
	return v.Get("activityDisplayName") != nil && v.Get("loggedByService") != nil && v.Get("initiatedBy") != nil
}

func (*EntraAudit) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if err := needObject(in, "Entra ID audit"); err != nil {
		return err
	}
	e := newEntraView(in.JSON)
	t, ok := e.time([2]string{"TimeGenerated", "activityDateTime"}, [2]string{"ActivityDateTime", "time"})
	if !ok {
		return fmt.Errorf("no valid time (looked for TimeGenerated, ActivityDateTime, activityDateTime, time)")
	}
	op := e.str("OperationName", "activityDisplayName")
	if op == "" {
		op = e.str("ActivityDisplayName", "operationName")
	}
	if op == "" {
		return fmt.Errorf("no operation name (OperationName, activityDisplayName)")
	}

	actor := entraActorOf(e.obj("InitiatedBy", "initiatedBy"))
	targets := e.obj("TargetResources", "targetResources")
	details := e.obj("AdditionalDetails", "additionalDetails")
	id := e.str("Id", "id")
	if id == "" {
		id = ingest.ReportIDString(in.Data, 0)
	}

	row := out.New("CloudAppEvents")
	row.Set("Timestamp", t)
	row.Set("ActionType", unifiedAuditName(op))
	row.Set("Application", o365Application)
	row.Set("ApplicationId", int32(o365ApplicationID))
	row.SetString("AccountObjectId", actor.id)
	row.SetString("AccountId", first2(actor.id, actor.upn))
	row.SetString("AccountDisplayName", first2(actor.display, actor.upn))
	row.SetString("AccountType", actor.accountType)
	row.SetString("IPAddress", ipOf(actor.ip))
	ua := e.str("UserAgent", "userAgent")
	if ua == "" {
		ua = keyValue(details, "User-Agent")
	}
	row.SetString("UserAgent", ua)
	if tg := firstTarget(targets); tg != nil {
		row.SetString("ObjectName", first(tg, "displayName", "userPrincipalName", "id"))
		row.SetString("ObjectType", ingest.Str(tg, "type"))
		row.SetString("ObjectId", ingest.Str(tg, "id"))
	}
	row.SetRaw("ActivityObjects", entraActivityObjects(actor, targets))
	row.Set("ReportId", id)
	row.Set("RawEventData", entraAuditRaw(in.JSON, unifiedAuditName(op), e, actor, targets))

	extra := ingest.Fields{}
	extra.Str("Category", e.str("Category", "category"))
	extra.Str("Result", e.str("Result", "result"))
	extra.Str("ResultReason", e.str("ResultReason", "resultReason"))
	extra.Str("LoggedByService", e.str("LoggedByService", "loggedByService"))
	extra.Str("OperationType", e.str("AADOperationType", "operationType"))
	extra.Str("CorrelationId", e.str("CorrelationId", "correlationId"))
	extra.Str("TenantId", e.str("TenantId", "tenantId"))
	extra.Str("OperationName", op)
	extra.Str("InitiatedByUpn", actor.upn)
	extra.Str("InitiatedByApp", actor.app)
	row.SetRaw("AdditionalFields", extra.JSON())
	return nil
}

// unifiedAuditName writes an Entra operation the way the unified audit
// log (and so Defender) does: with a closing period, except that names
// already ending in a period or in white space are kept as they are
// ("Update application – Certificates and secrets management ").
func unifiedAuditName(op string) string {
	if op == "" || strings.HasSuffix(op, ".") || strings.TrimRight(op, " \t") != op {
		return op
	}
	return op + "."
}

// entraActor is who initiated an audited operation: a user or an app.
type entraActor struct {
	id, upn, display, ip, app, accountType string
	kind                                   string // User or ServicePrincipal
}

func entraActorOf(by *fastjson.Value) entraActor {
	if by == nil {
		return entraActor{}
	}
	if u := by.Get("user"); u != nil && u.Type() == fastjson.TypeObject {
		return entraActor{id: ingest.Str(u, "id"), upn: ingest.Str(u, "userPrincipalName"), display: ingest.Str(u, "displayName"),
			ip: ingest.Str(u, "ipAddress"), accountType: "Regular", kind: "User"}
	}
	if a := by.Get("app"); a != nil && a.Type() == fastjson.TypeObject {
		return entraActor{id: first(a, "servicePrincipalId", "appId"), display: first(a, "displayName", "servicePrincipalName"),
			app: ingest.Str(a, "appId"), accountType: "Application", kind: "ServicePrincipal"}
	}
	return entraActor{}
}

func firstTarget(targets *fastjson.Value) *fastjson.Value {
	if targets == nil || targets.Type() != fastjson.TypeArray {
		return nil
	}
	a, _ := targets.Array()
	if len(a) == 0 || a[0].Type() != fastjson.TypeObject {
		return nil
	}
	return a[0]
}

// keyValue finds a value in a [{"key":..,"value":..}] list.
func keyValue(list *fastjson.Value, key string) string {
	if list == nil || list.Type() != fastjson.TypeArray {
		return ""
	}
	a, _ := list.Array()
	for _, kv := range a {
		if strings.EqualFold(ingest.Str(kv, "key"), key) {
			return ingest.Str(kv, "value")
		}
	}
	return ""
}

// entraActivityObjects lists the actor and the targets the way Defender's
// ActivityObjects does.
func entraActivityObjects(actor entraActor, targets *fastjson.Value) json.RawMessage {
	var objs []map[string]any
	if actor.id != "" || actor.upn != "" {
		objs = append(objs, map[string]any{"Type": actor.kind, "Role": "Actor", "Name": first2(actor.display, actor.upn), "Id": actor.id})
	}
	if targets != nil && targets.Type() == fastjson.TypeArray {
		a, _ := targets.Array()
		for _, tg := range a {
			name := first(tg, "displayName", "userPrincipalName")
			id := ingest.Str(tg, "id")
			if name == "" && id == "" {
				continue
			}
			objs = append(objs, map[string]any{"Type": ingest.Str(tg, "type"), "Role": "Target object", "Name": name, "Id": id})
		}
	}
	if len(objs) == 0 {
		return nil
	}
	b, _ := json.Marshal(objs)
	return b
}

// entraAuditRaw is the record with its JSON-text columns decoded, plus
// the unified audit log's names for the same facts (Operation, UserId,
// ModifiedProperties with Name/NewValue/OldValue, Target, Actor), so that
// hunting queries reading RawEventData.ModifiedProperties work on it.
func entraAuditRaw(v *fastjson.Value, op string, e entraView, actor entraActor, targets *fastjson.Value) json.RawMessage {
	var base map[string]json.RawMessage
	_ = json.Unmarshal(decodeEmbedded(v, nil), &base)
	if base == nil {
		base = map[string]json.RawMessage{}
	}
	add := func(k string, val any) {
		if _, taken := base[k]; taken {
			return
		}
		b, err := json.Marshal(val)
		if err == nil {
			base[k] = b
		}
	}
	add("Operation", op)
	add("Workload", "AzureActiveDirectory")
	if r := e.str("Result", "result"); r != "" {
		add("ResultStatus", r)
	}
	if actor.upn != "" {
		add("UserId", actor.upn)
	}
	var mods, tgts []map[string]any
	if targets != nil && targets.Type() == fastjson.TypeArray {
		a, _ := targets.Array()
		for _, tg := range a {
			tgts = append(tgts, map[string]any{"ID": ingest.Str(tg, "id"), "Type": ingest.Str(tg, "type"), "Name": first(tg, "displayName", "userPrincipalName")})
			mp := tg.Get("modifiedProperties")
			if mp == nil || mp.Type() != fastjson.TypeArray {
				continue
			}
			ms, _ := mp.Array()
			for _, m := range ms {
				mods = append(mods, map[string]any{"Name": ingest.Str(m, "displayName"), "NewValue": ingest.Str(m, "newValue"), "OldValue": ingest.Str(m, "oldValue")})
			}
		}
	}
	if len(mods) > 0 {
		add("ModifiedProperties", mods)
	}
	if len(tgts) > 0 {
		add("Target", tgts)
		add("ObjectId", tgts[0]["Name"])
	}
	if actor.id != "" {
		add("Actor", []map[string]any{{"ID": actor.id, "Type": actor.kind}})
	}
	b, _ := json.Marshal(base)
	return b
}

func first2(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
