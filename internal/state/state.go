// Package state defines the state store: Vigil's workflow objects (users,
// API tokens, portal sessions and the audit log now; incidents, rules and
// actions later). Implementations: state/sqlite (embedded default);
// PostgreSQL later, through the same interface and the same migrations
// written per dialect.
//
// Every mutating method takes the audit entry that describes the change and
// writes both in one transaction: a change is never made without its audit
// record, and no audit record exists for a change that failed.
package state

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Store is a state store. Its methods are safe for concurrent use, also
// across processes sharing the same data dir (`vigil token create` while a
// server runs).
type Store interface {
	// Users.
	CreateUser(ctx context.Context, u *User, audit Audit) error // sets u.ID, CreatedAt, UpdatedAt
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByName(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, u *User, audit Audit) error // by ID; sets UpdatedAt
	CountUsers(ctx context.Context) (int, error)

	// API tokens.
	CreateToken(ctx context.Context, t *Token, audit Audit) error
	TokenByID(ctx context.Context, id string) (*Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	// RevokeToken sets RevokedAt; revoking a revoked token is ErrNotFound.
	RevokeToken(ctx context.Context, id string, at time.Time, audit Audit) error
	// TouchToken records a use (LastUsedAt); it is not audited.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// Portal sessions, keyed by the hash of the session secret.
	CreateSession(ctx context.Context, s *Session, audit Audit) error
	SessionByHash(ctx context.Context, hash []byte) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte, audit Audit) error
	// DeleteUserSessions ends every session of a user except the one whose
	// hash is keep (nil: all), and reports how many it ended (password
	// change, disable); it is audited by the caller's change.
	DeleteUserSessions(ctx context.Context, userID int64, keep []byte) (int64, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	// Audit log. Record writes an entry that accompanies no other change
	// (a failed login, a denied request).
	Record(ctx context.Context, audit Audit) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// Custom detection rules. UpdateRule and DeleteRule take the version
	// the caller read: another version is ErrConflict.
	CreateRule(ctx context.Context, r *Rule, audit Audit) error // sets Version 1, CreatedAt, UpdatedAt
	RuleByID(ctx context.Context, id string) (*Rule, error)
	ListRules(ctx context.Context) ([]Rule, error)
	UpdateRule(ctx context.Context, r *Rule, audit Audit) error // r.Version: the version read; bumps it
	DeleteRule(ctx context.Context, id string, version int64, audit Audit) error

	// Alert workflow. AlertState of an alert never touched is ErrNotFound
	// (the caller reads it as New, version 0). SetAlertState takes the
	// version read (0 for none) and bumps it; another is ErrConflict.
	AlertState(ctx context.Context, alertID string) (*AlertState, error)
	AlertStates(ctx context.Context, alertIDs []string) (map[string]AlertState, error)
	SetAlertState(ctx context.Context, st *AlertState, audit Audit) error
	AddAlertComment(ctx context.Context, c *AlertComment, audit Audit) error // sets ID, CreatedAt
	AlertComments(ctx context.Context, alertID string) ([]AlertComment, error)

	// Detection state beside the event store (detections.go).
	Detections
	IncidentStore // incidents (incidents.go)

	// SchemaVersion is the highest migration applied.
	SchemaVersion(ctx context.Context) (int, error)

	Close() error
}

// User is a local user of the portal and API.
type User struct {
	ID                 int64
	Username           string
	PasswordHash       string // PHC string, e.g. $argon2id$v=19$m=...,t=...,p=...$salt$hash
	Role               string
	MustChangePassword bool
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Token is an API token. The secret is never stored: only its SHA-256.
type Token struct {
	ID         string // public identifier, part of the token text
	Name       string
	Role       string
	SecretHash []byte
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: not revoked
	LastUsedAt time.Time // zero: never used
}

// Session is a portal login session.
type Session struct {
	Hash      []byte // SHA-256 of the cookie's secret
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	Remote    string
}

// Audit describes a change for the audit log.
type Audit struct {
	Time      time.Time // zero: now
	Actor     string    // "user:alice", "token:tok_x (name)", "cli:root", "system"
	Action    string    // dotted verb: "token.create", "user.login", ...
	Target    string    // what was acted on: "token:tok_x", "user:bob"
	Remote    string    // client address, or "local"
	RequestID string
	Outcome   string // "success" (default) or "failure", "denied"
	Details   json.RawMessage
}

// AuditEntry is a stored audit record.
type AuditEntry struct {
	ID int64
	Audit
}

// AuditFilter selects audit entries, newest (highest ID) first.
type AuditFilter struct {
	Since, Until time.Time // Since inclusive, Until exclusive; zero: unbounded
	Actor        string
	Action       string // exact, or a prefix ending in "." ("token.")
	BeforeID     int64  // paging: entries with ID < BeforeID; 0 = from newest
	Limit        int    // 0 = 100; capped at 1000
}

// Errors with stable identities, for errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrLocked: the store is busy beyond the busy timeout.
	ErrLocked  = errors.New("state store is locked")
	ErrCorrupt = errors.New("state store files are corrupt or not a Vigil state store")
	// ErrTooNew: the store was migrated by a newer Vigil.
	ErrTooNew = errors.New("state store was written by a newer version of Vigil")
)

// Rule is a stored custom detection rule.
type Rule struct {
	ID         string
	Definition string // YAML or JSON, as package detect reads it
	Version    int64
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedBy  string
	UpdatedAt  time.Time
}

// AlertState is where an analyst is with an alert.
type AlertState struct {
	AlertID        string
	Status         string // New, InProgress, Resolved
	Assignee       string
	Classification string // TruePositive, InformationalExpectedActivity, FalsePositive
	Determination  string
	Version        int64
	UpdatedBy      string
	UpdatedAt      time.Time
}

// AlertComment is a comment on an alert.
type AlertComment struct {
	ID        int64
	AlertID   string
	Author    string
	Text      string
	CreatedAt time.Time
}
