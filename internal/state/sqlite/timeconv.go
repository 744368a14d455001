package sqlite

import (
	"database/sql"
	"time"
)

// Times are stored as INTEGER microseconds since the Unix epoch, UTC; the
// zero time is NULL. Every time a method hands back has been through the
// same rounding, so what a caller wrote compares equal to what it reads.

// dbTime is t as stored: nil for the zero time.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// goTime is a stored time as a UTC time.Time; NULL is the zero time.
func goTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// round is t as it will read back from the store.
func round(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// orNow is t rounded, or now when t is zero.
func orNow(t time.Time, now func() time.Time) time.Time {
	if t.IsZero() {
		t = now()
	}
	return round(t)
}
