package duckdb

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Settling. Segments are cheap to write but slower to scan than DuckDB's
// own storage (zstd pages to inflate, statistics per row group only): over
// the hunting benchmark's 20 million rows the median query took 1.7 times
// as long from segments as from base tables. So once segment appends have
// paused for compactIdle, the store moves segments into their base tables,
// oldest first, at most settleRows rows per transaction, so that an append
// arriving meanwhile waits about a second at most. A group's rows leave the
// view's segment side and enter its base side in the same commit.
var settleRows int64 = 200_000

// settle moves segments into base tables while ingest stays paused, and
// returns the groups it moved.
func (s *Store) settle(ctx context.Context) (int, error) {
	moved := 0
	for ctx.Err() == nil {
		s.mu.Lock()
		if s.wconn == nil {
			s.mu.Unlock()
			return moved, errClosed
		}
		if time.Since(s.segs.lastAppend) < compactIdle {
			s.mu.Unlock()
			return moved, nil
		}
		s.encoders.drop()
		group := settleGroup(s.segs.byTable)
		if len(group) == 0 {
			s.mu.Unlock()
			return moved, nil
		}
		err := s.settleGroup(ctx, group)
		s.removeRetired(time.Now())
		s.mu.Unlock()
		if err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// settleGroup picks the oldest segment and the table's next ones, up to
// settleRows rows in all (at least one segment).
func settleGroup(byTable map[string][]segment) []segment {
	var oldest *segment
	for _, segs := range byTable {
		for i := range segs {
			if oldest == nil || segs[i].id < oldest.id {
				oldest = &segs[i]
			}
		}
	}
	if oldest == nil {
		return nil
	}
	segs := append([]segment(nil), byTable[oldest.table]...)
	sort.Slice(segs, func(i, j int) bool { return segs[i].id < segs[j].id })
	var group []segment
	var rows int64
	for _, g := range segs {
		if len(group) > 0 && rows+g.rows > settleRows {
			break
		}
		group = append(group, g)
		rows += g.rows
	}
	return group
}

// settleGroup inserts a group's rows into its base table and drops the
// segments, in one transaction. The caller holds s.mu.
func (s *Store) settleGroup(ctx context.Context, group []segment) error {
	t := s.layouts[group[0].table].table
	sel, err := s.segmentSelect(t, group)
	if err != nil {
		return err
	}
	cols := make([]string, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		cols = append(cols, quoteIdent(c.Name))
	}
	cols = append(cols, quoteIdent(schema.IngestionTimeColumn))
	insert := "INSERT INTO main." + quoteIdent(t.Name) + " (" + strings.Join(cols, ", ") + ") " +
		strings.Join(sel, " UNION ALL ")
	drop := make(map[int64]bool, len(group))
	for _, g := range group {
		drop[g.id] = true
	}
	return s.swapSegments(ctx, nil, drop, insert)
}
