package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/state"
)

// A merge is O(1) in the store: the source incident's row gets
// redirect_to = target and nothing else moves. An alert row keeps the
// incident it was placed in (its "home"); its current incident is the end
// of the redirect chain from there, and each hop of that chain is one
// "merge" reason, derived when the alert is read rather than stored in
// every row. Chains cannot cycle (a redirected incident never reopens and
// only open incidents merge); the walks below still stop on a cycle or an
// absurd depth rather than loop on a damaged database.

// maxChain bounds a redirect chain's length.
const maxChain = 100_000

// membersCTE selects, as m(id, parent), the incidents whose chain ends in
// the incidents chosen by base (a SELECT of id), with each one's direct
// redirect target (0 for the chosen ones). UNION, not UNION ALL: a cycle
// repeats rows, which UNION drops, so the recursion ends.
func membersCTE(base string) string {
	return `WITH RECURSIVE m(id, parent) AS (
		SELECT id, 0 FROM (` + base + `)
		UNION
		SELECT i.id, i.redirect_to FROM incidents i JOIN m ON i.redirect_to = m.id WHERE i.redirect_to <> 0)`
}

// chains maps incident ids to their direct redirect targets and resolves
// an alert's home incident to its current one.
type chains struct {
	parent map[int64]int64 // redirected incidents only
}

// root is the incident at the end of home's chain, and the incidents the
// chain went through (home first, the root excluded).
func (c *chains) root(home int64) (int64, []int64, error) {
	var hops []int64
	id := home
	for {
		p, ok := c.parent[id]
		if !ok || p == 0 {
			return id, hops, nil
		}
		if len(hops) >= maxChain {
			return 0, nil, fmt.Errorf("sqlite: incident %d: redirect chain longer than %d (a cycle?)", home, maxChain)
		}
		hops = append(hops, id)
		id = p
	}
}

// resolve sets an alert's incident to the end of its chain and appends a
// merge reason for each hop.
func (c *chains) resolve(a *state.IncidentAlert) error {
	root, hops, err := c.root(a.IncidentID)
	if err != nil {
		return err
	}
	a.IncidentID = root
	for _, h := range hops {
		a.Reasons = append(a.Reasons, state.LinkReason{Kind: "merge", FromID: h})
	}
	return nil
}

// loadMembers reads the m(id, parent) rows of a members CTE.
func (c *chains) loadMembers(ctx context.Context, q rowsQuerier, cte string, args ...any) error {
	rows, err := q.QueryContext(ctx, cte+` SELECT id, parent FROM m`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, p int64
		if err := rows.Scan(&id, &p); err != nil {
			return mapErr(err)
		}
		if p != 0 {
			c.parent[id] = p
		}
	}
	return mapErr(rows.Err())
}

// chainsOf follows the redirects of the given incidents up to the
// incidents that are not redirected: one indexed query per level of the
// deepest chain, and usually none beyond the first.
func chainsOf(ctx context.Context, q rowsQuerier, homes []int64) (*chains, error) {
	c := &chains{parent: map[int64]int64{}}
	seen := map[int64]bool{}
	next := make([]int64, 0, len(homes))
	for _, h := range homes {
		if !seen[h] {
			seen[h] = true
			next = append(next, h)
		}
	}
	for depth := 0; len(next) > 0; depth++ {
		if depth > maxChain {
			return nil, fmt.Errorf("sqlite: redirect chains longer than %d (a cycle?)", maxChain)
		}
		level := next
		next = nil
		for len(level) > 0 {
			n := min(len(level), 500)
			args := make([]any, n)
			for i, id := range level[:n] {
				args[i] = id
			}
			level = level[n:]
			rows, err := q.QueryContext(ctx, `SELECT id, redirect_to FROM incidents WHERE redirect_to <> 0 AND id IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
			if err != nil {
				return nil, mapErr(err)
			}
			for rows.Next() {
				var id, p int64
				if err := rows.Scan(&id, &p); err != nil {
					rows.Close()
					return nil, mapErr(err)
				}
				c.parent[id] = p
				if !seen[p] {
					seen[p] = true
					next = append(next, p)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, mapErr(err)
			}
		}
	}
	return c, nil
}

// rowsQuerier is a *sql.DB or a *sql.Tx.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
