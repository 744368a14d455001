// Package migrations holds the state store's schema migrations, one folder
// per SQL dialect. Files are named NNNN_name.sql; NNNN is the version, and
// versions start at 1 with no gaps. A migration, once released, is never
// edited: a change is a new file.
package migrations

import "embed"

// SQLite holds sqlite/NNNN_name.sql.
//
//go:embed sqlite/*.sql
var SQLite embed.FS
