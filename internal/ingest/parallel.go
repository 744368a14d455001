package ingest

import (
	"context"
	"sync"
	"sync/atomic"
)

// chunkRecords is how many consecutive records a worker normalizes at a
// time: enough to make the hand-off cheap, few enough to keep both cores
// busy to the end of a call.
const chunkRecords = 64

// tailRecords is the chunk size at the end of a call: the last chunks are
// small, so that a worker still busy with one leaves the others idle for
// little time before the call returns.
const tailRecords = 8

// chunkBounds cuts n records into chunks for w workers: chunkRecords
// each, then, for the last chunkRecords per worker, tailRecords each. It
// returns the chunks' first records and n.
func chunkBounds(n, w int) []int {
	tail := min(n, w*chunkRecords)
	bounds := make([]int, 0, (n-tail)/chunkRecords+tail/tailRecords+3)
	i := 0
	for i < n-tail {
		bounds = append(bounds, i)
		i = min(i+chunkRecords, n-tail)
	}
	for ; i < n; i += tailRecords {
		bounds = append(bounds, i)
	}
	return append(bounds, n)
}

// chunksAhead bounds, per worker, the chunks normalized but not yet merged,
// and so the rows held in memory beyond the pending batch.
const chunksAhead = 4

// parallel is AddMany's scratch, kept between calls.
type parallel struct {
	workers []*worker
	res     []result
}

// result is what a worker made of one record.
type result struct {
	reason     string
	needsOrder bool
	rows       []*Row
}

// AddMany adds records as Add would, one after the other, but normalizes
// them on up to Options.Workers goroutines: the rows, their order, the
// errors and the summary are exactly those of calling Add for each record
// in turn. The records' Data must stay unchanged until AddMany returns.
//
// It returns one entry per record, the record's RecordError or nil. The
// error return is a store failure, as for Add; records after the one
// whose batch failed are then not added (their entries are nil) and
// nothing must be acknowledged.
func (p *Pipeline) AddMany(ctx context.Context, recs []Record) ([]*RecordError, error) {
	errs := make([]*RecordError, len(recs))
	bounds := chunkBounds(len(recs), p.opts.Workers)
	nchunks := len(bounds) - 1
	nworkers := min(p.opts.Workers, (len(recs)+chunkRecords-1)/chunkRecords)
	if nworkers <= 1 {
		for i, rec := range recs {
			re, err := p.Add(ctx, rec)
			errs[i] = re
			if err != nil {
				return errs, err
			}
		}
		return errs, nil
	}
	for len(p.par.workers) < nworkers {
		p.par.workers = append(p.par.workers, &worker{})
	}
	if cap(p.par.res) < len(recs) {
		p.par.res = make([]result, len(recs))
	}
	res := p.par.res[:len(recs)]
	defer clear(res) // the rows belong to the batch now

	done := make([]chan struct{}, nchunks)
	for k := range done {
		done[k] = make(chan struct{})
	}
	// A worker takes a slot before it claims the next chunk; the merge
	// gives it back, so workers run at most chunksAhead chunks each ahead
	// of the merge.
	slots := make(chan struct{}, nworkers*chunksAhead)
	for range cap(slots) {
		slots <- struct{}{}
	}
	stop := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, w := range p.par.workers[:nworkers] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				select {
				case <-slots:
				case <-stop:
					return
				}
				k := int(next.Add(1)) - 1
				if k >= nchunks {
					return
				}
				lo, hi := bounds[k], bounds[k+1]
				rows := make([]*Row, 0, 2*(hi-lo))
				for i := lo; i < hi; i++ {
					reason, needsOrder := w.normalize(p, recs[i], true)
					start := len(rows)
					rows = append(rows, w.rs.Rows()...)
					res[i] = result{reason: reason, needsOrder: needsOrder, rows: rows[start:len(rows):len(rows)]}
				}
				w.rs.Reset()
				close(done[k])
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()

	// The merge runs here, in record order, as each chunk is ready.
	for k := range nchunks {
		<-done[k]
		for i := bounds[k]; i < bounds[k+1]; i++ {
			r := res[i]
			if r.needsOrder {
				// Every record before this one is merged: its turn now.
				r.reason, _ = p.seq.normalize(p, recs[i], false)
				r.rows = p.seq.rs.Rows()
			}
			re, err := p.merge(ctx, recs[i], r.reason, r.rows)
			errs[i] = re
			if err != nil {
				return errs, err
			}
		}
		slots <- struct{}{}
	}
	return errs, nil
}
