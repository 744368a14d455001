package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws one status line on a terminal: bytes read, rate and ETA.
// On anything but a terminal it draws nothing.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	on       bool
	total    int64 // bytes of all files (0: unknown, e.g. stdin)
	read     int64
	start    time.Time
	last     time.Time
	files    int
	doneFile int
	// records, when set, counts records handled so far; it is called
	// from the goroutine that reads, which is the one calling Add.
	records func() int64
}

func newProgress(w io.Writer, files []string) *progress {
	p := &progress{w: w, start: time.Now(), files: len(files)}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	for _, name := range files {
		if fi, err := os.Stat(name); err == nil && name != "-" {
			p.total += fi.Size()
		}
	}
	return p
}

// Add counts bytes read (compressed bytes for compressed files, so the
// ETA follows the files' sizes on disk).
func (p *progress) Add(n int64) {
	if p == nil || n <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.read += n
	if p.on && time.Since(p.last) > 200*time.Millisecond {
		p.last = time.Now()
		p.draw()
	}
}

func (p *progress) fileDone() {
	p.mu.Lock()
	p.doneFile++
	p.mu.Unlock()
}

func (p *progress) draw() {
	elapsed := time.Since(p.start).Seconds()
	rate := float64(p.read) / max(elapsed, 0.001)
	line := fmt.Sprintf("\r%d/%d files  %s  %s/s", p.doneFile, p.files, humanBytes(p.read), humanBytes(int64(rate)))
	if p.records != nil {
		n := p.records()
		line += fmt.Sprintf("  %d events  %.0f events/s", n, float64(n)/max(elapsed, 0.001))
	}
	if p.total > 0 && rate > 0 {
		pct := 100 * float64(p.read) / float64(p.total)
		eta := time.Duration(float64(p.total-p.read)/rate) * time.Second
		line += fmt.Sprintf("  %5.1f%%  ETA %s", pct, eta.Round(time.Second))
	}
	fmt.Fprintf(p.w, "%-80s", line)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		p.draw()
		fmt.Fprintln(p.w)
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
