package auth

import (
	"slices"
	"sort"
)

// Permission names one thing a principal may do. The string is stable: it
// appears in API documentation and error messages.
type Permission string

// Permissions.
const (
	PermReadSelf        Permission = "self:read"
	PermHunt            Permission = "hunting:run"
	PermReadEvents      Permission = "events:read"
	PermIngest          Permission = "events:ingest"
	PermReadIncidents   Permission = "incidents:read"
	PermManageIncidents Permission = "incidents:manage"
	PermReadAudit       Permission = "audit:read"
	PermManageTokens    Permission = "tokens:manage"
	PermManageUsers     Permission = "users:manage"
	PermManageSettings  Permission = "settings:manage"
	PermManageRules     Permission = "rules:manage"
)

// Roles.
const (
	RoleAdmin   = "admin"
	RoleAnalyst = "analyst"
	RoleReader  = "reader"
	RoleIngest  = "ingest" // log shippers and sensors: write events, nothing else
)

// AllPermissions lists every permission, in a fixed order.
func AllPermissions() []Permission {
	return []Permission{
		PermReadSelf, PermHunt, PermReadEvents, PermIngest,
		PermReadIncidents, PermManageIncidents, PermReadAudit,
		PermManageTokens, PermManageUsers, PermManageSettings,
		PermManageRules,
	}
}

// RolePermissions is the whole authorisation policy: what each role may
// do. A role absent from it may do nothing.
var RolePermissions = map[string][]Permission{
	RoleAdmin: AllPermissions(),
	RoleAnalyst: {
		PermReadSelf, PermHunt, PermReadEvents,
		PermReadIncidents, PermManageIncidents, PermManageRules,
	},
	RoleReader: {
		PermReadSelf, PermHunt, PermReadEvents, PermReadIncidents,
	},
	RoleIngest: {
		PermReadSelf, PermIngest,
	},
}

// ValidRole reports whether role is a known role.
func ValidRole(role string) bool {
	_, ok := RolePermissions[role]
	return ok
}

// Roles lists the known roles, sorted.
func Roles() []string {
	rs := make([]string, 0, len(RolePermissions))
	for r := range RolePermissions {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return rs
}

// Allowed reports whether role has permission p.
func Allowed(role string, p Permission) bool {
	return slices.Contains(RolePermissions[role], p)
}
