package duckdb

import (
	"context"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Compaction keeps the number of segment files a query opens small: a
// view's SQL names every file, and DuckDB binds it again at each append,
// which cost tens of milliseconds a batch once a table had a few hundred
// files. Live ingest writes a file per table every few hundred
// milliseconds, a bulk import one every few hundred thousand rows. Segments
// under compactTierRows are grouped in tiers of sizes within a factor of
// eight, and a tier with compactFanIn files is merged into one, so each
// row is rewritten about log8(tier rows/batch) times, not once per merge.
// Files the encoder wrote merge by copying their column chunks
// (concatMerge), so a bulk import pays a file copy for this, not an
// encode. Segments past compactTierRows are merged into files of up to
// compactTargetRows only when a table passes compactMaxSegments; when
// ingest pauses they settle into the base tables instead
// (segment_settle.go).
var (
	compactTierRows    int64 = 1 << 17
	compactTargetRows  int64 = 1 << 20
	compactFanIn             = 8
	compactMaxInputs         = 64
	compactMaxSegments       = 256
	compactIdle              = 10 * time.Second
	compactEvery             = time.Second
)

// tier groups segments of similar size: 1–7 rows, 8–63, 64–511, ...
func tier(rows int64) int { return bits.Len64(uint64(rows)) / 3 }

// compactionPlan picks, per table and column set, the groups of segments
// to merge now.
func compactionPlan(byTable map[string][]segment) [][]segment {
	var plan [][]segment
	tables := make([]string, 0, len(byTable))
	for t := range byTable {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		segs := byTable[t]
		type key struct {
			columns string
			tier    int
		}
		groups := map[key][]segment{}
		var keys []key
		for _, g := range segs {
			if g.rows >= compactTierRows {
				continue
			}
			k := key{g.columns, tier(g.rows)}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], g)
		}
		minor := false
		for _, k := range keys {
			if g := groups[k]; len(g) >= compactFanIn {
				g = g[:min(len(g), compactMaxInputs)]
				// No merged file past compactTargetRows (and at least a
				// fan-in's worth merged).
				total := int64(0)
				for _, m := range g {
					total += m.rows
				}
				for len(g) > compactFanIn && total > compactTargetRows {
					total -= g[len(g)-1].rows
					g = g[:len(g)-1]
				}
				plan = append(plan, g)
				minor = true
			}
		}
		if minor || len(segs) <= compactMaxSegments {
			continue
		}
		plan = append(plan, majorGroups(segs)...)
	}
	return plan
}

// majorGroups packs consecutive segments (in id order, so by time) of one
// column set into groups of up to compactTargetRows rows: enough groups to
// bring the table to half of compactMaxSegments.
func majorGroups(segs []segment) [][]segment {
	sorted := append([]segment(nil), segs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].id < sorted[j].id })
	var out [][]segment
	var cur []segment
	var rows int64
	excess := len(segs) - compactMaxSegments/2
	flush := func() {
		if len(cur) > 1 && excess > 0 {
			out = append(out, cur)
			excess -= len(cur) - 1
		}
		cur, rows = nil, 0
	}
	for _, g := range sorted {
		if g.rows >= compactTargetRows {
			flush()
			continue
		}
		if len(cur) > 0 && (cur[0].columns != g.columns || rows+g.rows > compactTargetRows || len(cur) == compactMaxInputs) {
			flush()
		}
		cur = append(cur, g)
		rows += g.rows
	}
	flush()
	return out
}

// Compact merges small segments until none of the plan's groups is left,
// settles segments into the base tables while ingest pauses, and removes
// retired files whose grace has passed. It returns the number of merges
// and settled groups. The background compactor calls it; tests and
// benchmarks may.
func (s *Store) Compact(ctx context.Context) (int, error) {
	merges := 0
	for {
		s.mu.Lock()
		if s.wconn == nil {
			s.mu.Unlock()
			return merges, errClosed
		}
		s.removeRetired(time.Now())
		plan := compactionPlan(s.segs.byTable)
		s.mu.Unlock()
		if len(plan) == 0 {
			settled, err := s.settle(ctx)
			return merges + settled, err
		}
		for _, group := range plan {
			if _, _, err := s.merge(ctx, group, time.Time{}); err != nil {
				return merges, err
			}
			merges++
		}
	}
}

// concatMerge writes group as one file at tmp by copying the files' row
// groups (concatSegments), when every file is one the encoder wrote with
// the table's current columns; DuckDB's Parquet writer took 40–120 µs a
// row for the same merge. It reports whether it did.
func (s *Store) concatMerge(group []segment, tmp string) (int64, bool, error) {
	t := s.layouts[group[0].table].table
	cols := columnList(t)
	paths := make([]string, len(group))
	footers := make([][]rowGroupMeta, len(group))
	var rows int64
	for i, g := range group {
		if g.columns != cols {
			return 0, false, nil
		}
		paths[i] = filepath.Join(s.segs.dir, g.file)
		ft, ok, err := readSegmentFooter(paths[i], len(t.Columns)+1)
		if err != nil || !ok {
			return 0, false, err
		}
		for _, rg := range ft {
			rows += rg.rows
		}
		footers[i] = ft
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return 0, false, fmt.Errorf("duckdb: compact: %w", err)
	}
	enc := s.encoders.get(t)
	defer s.encoders.put(enc)
	if err := enc.concatSegments(f, paths, footers); err != nil {
		f.Close()
		return 0, false, fmt.Errorf("duckdb: compact %s: %w", t.Name, err)
	}
	if err := f.Close(); err != nil {
		return 0, false, fmt.Errorf("duckdb: compact: %w", err)
	}
	return rows, true, nil
}

// merge rewrites group (one table's segments with the same columns) as
// one segment, keeping only rows ingested at or after floor (zero keeps
// all), and swaps it in. It returns the rows written and whether the swap
// happened: a group that changed meanwhile (retention dropped a member)
// is left alone.
func (s *Store) merge(ctx context.Context, group []segment, floor time.Time) (int64, bool, error) {
	first := group[0]
	id := s.segs.next.Add(1) - 1
	rel := segmentPath(first.table, id)
	abs := filepath.Join(s.segs.dir, rel)
	tmp := abs + ".tmp"
	files := make([]string, len(group))
	out := segment{id: id, table: first.table, file: rel, columns: first.columns}
	for i, g := range group {
		files[i] = sqlString(filepath.Join(s.segs.dir, g.file))
		if i == 0 || g.minIngest.Before(out.minIngest) {
			out.minIngest = g.minIngest
		}
		if g.maxIngest.After(out.maxIngest) {
			out.maxIngest = g.maxIngest
		}
		if !g.minTime.IsZero() && (out.minTime.IsZero() || g.minTime.Before(out.minTime)) {
			out.minTime = g.minTime
		}
		if g.maxTime.After(out.maxTime) {
			out.maxTime = g.maxTime
		}
	}
	q := "SELECT * FROM read_parquet([" + strings.Join(files, ", ") + "])"
	if !floor.IsZero() {
		// A time the store formats, not user text.
		q += fmt.Sprintf(" WHERE %s >= TIMESTAMP '%s'", quoteIdent(schema.IngestionTimeColumn),
			floor.UTC().Format("2006-01-02 15:04:05.999999"))
		out.minIngest = maxTime(out.minIngest, floor)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return 0, false, fmt.Errorf("duckdb: compact: %w", err)
	}
	rows, concat, err := int64(0), false, error(nil)
	if floor.IsZero() {
		rows, concat, err = s.concatMerge(group, tmp)
		if err != nil {
			os.Remove(tmp)
			return 0, false, err
		}
	}
	if !concat {
		err = s.db.QueryRowContext(ctx, "COPY ("+q+") TO "+sqlString(tmp)+
			fmt.Sprintf(" (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE %d)", segmentRowGroup)).Scan(&rows)
		if err != nil {
			os.Remove(tmp)
			return 0, false, queryError(ctx, "compact "+first.table, err)
		}
	}
	out.rows = rows
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return 0, false, err
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return 0, false, fmt.Errorf("duckdb: compact: %w", err)
	}
	if err := syncDir(filepath.Dir(abs)); err != nil {
		os.Remove(abs)
		return 0, false, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return 0, false, fmt.Errorf("duckdb: compact: %w", err)
	}
	out.bytes = fi.Size()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wconn == nil {
		os.Remove(abs)
		return 0, false, errClosed
	}
	drop := make(map[int64]bool, len(group))
	for _, g := range group {
		drop[g.id] = true
	}
	present := 0
	for _, g := range s.segs.byTable[first.table] {
		if drop[g.id] {
			present++
		}
	}
	if present != len(group) {
		os.Remove(abs)
		return 0, false, nil
	}
	var add []segment
	if rows > 0 {
		add = []segment{out}
	} else {
		os.Remove(abs)
	}
	if err := s.swapSegments(ctx, add, drop); err != nil {
		os.Remove(abs)
		return 0, false, err
	}
	return rows, true, nil
}

// expireSegments applies retention to segments: a segment wholly before
// its table's cutoff is dropped, one that straddles it is rewritten
// without the expired rows. It adds the rows removed to deleted.
func (s *Store) expireSegments(ctx context.Context, now time.Time, deleted map[string]int64) error {
	s.mu.Lock()
	if s.wconn == nil {
		s.mu.Unlock()
		return errClosed
	}
	drop := map[int64]bool{}
	var straddle []segment
	var cutoffs []time.Time
	for table, segs := range s.segs.byTable {
		cutoff := now.Add(-s.opts.RetentionFor(table)).UTC()
		for _, g := range segs {
			switch {
			case g.maxIngest.Before(cutoff):
				drop[g.id] = true
				deleted[table] += g.rows
			case g.minIngest.Before(cutoff):
				straddle = append(straddle, g)
				cutoffs = append(cutoffs, cutoff)
			}
		}
	}
	var err error
	if len(drop) > 0 {
		err = s.swapSegments(ctx, nil, drop)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for i, g := range straddle {
		kept, swapped, err := s.merge(ctx, []segment{g}, cutoffs[i])
		if err != nil {
			return err
		}
		if swapped && kept < g.rows {
			deleted[g.table] += g.rows - kept
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// startCompactor runs Compact every compactEvery until Close.
func (s *Store) startCompactor() {
	s.compactor = s.every(compactEvery, func(ctx context.Context, _ time.Time) error {
		_, err := s.Compact(ctx)
		return err
	})
}
