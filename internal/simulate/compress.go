package simulate

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is how WriteNDJSONCompressed packs its output.
type Compression uint8

const (
	NoCompression Compression = iota
	Gzip                      // gzip members, one per chunk (RFC 1952 allows several)
	Zstd                      // zstd frames, one per chunk
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return "none"
}

// ParseCompression reads "none", "gzip" or "zstd".
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "none", "":
		return NoCompression, nil
	case "gzip", "gz":
		return Gzip, nil
	case "zstd", "zst":
		return Zstd, nil
	}
	return 0, fmt.Errorf("unknown compression %q (want none, gzip or zstd)", s)
}

// CompressionFor picks the compression a file name's extension asks for:
// .gz gzip, .zst or .zstd zstd, anything else none.
func CompressionFor(path string) Compression {
	switch p := strings.ToLower(path); {
	case strings.HasSuffix(p, ".gz"):
		return Gzip
	case strings.HasSuffix(p, ".zst"), strings.HasSuffix(p, ".zstd"):
		return Zstd
	}
	return NoCompression
}

// WriteNDJSONCompressed is WriteNDJSON with the output compressed. Each
// chunk of rows is compressed on its own by the goroutine that generated
// it, so compression runs on every worker; the result is a sequence of
// gzip members or zstd frames, which gzip and zstd readers (and `vigil
// ingest`) read as one stream. The bytes depend only on the configuration.
func (g *Generator) WriteNDJSONCompressed(ctx context.Context, events int64, w io.Writer, c Compression) error {
	if c == NoCompression {
		return g.WriteNDJSON(ctx, events, w)
	}
	pack, err := newPacker(c, len(g.shards)+1)
	if err != nil {
		return err
	}
	g.pack = pack
	defer func() { g.pack = nil }()
	return g.generateN(ctx, events, true, func(_ context.Context, ch *chunk) error {
		_, err := w.Write(ch.packed)
		return err
	})
}

// newPacker returns a function compressing src onto dst with the k-th of
// n independent compressors (one per shard, one for the merge), so that
// concurrent shards never share one.
func newPacker(c Compression, n int) (func(k int, dst, src []byte) []byte, error) {
	switch c {
	case Zstd:
		encs := make([]*zstd.Encoder, n)
		for k := range encs {
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
				zstd.WithWindowSize(1<<22))
			if err != nil {
				return nil, err
			}
			encs[k] = enc
		}
		return func(k int, dst, src []byte) []byte { return encs[k].EncodeAll(src, dst) }, nil
	case Gzip:
		zws := make([]*gzip.Writer, n)
		sinks := make([]appendWriter, n)
		for k := range zws {
			zw, err := gzip.NewWriterLevel(&sinks[k], gzip.BestSpeed)
			if err != nil {
				return nil, err
			}
			zws[k] = zw
		}
		return func(k int, dst, src []byte) []byte {
			sinks[k].b = dst
			zws[k].Reset(&sinks[k])
			zws[k].Write(src) // appendWriter never fails
			zws[k].Close()
			return sinks[k].b
		}, nil
	}
	return nil, fmt.Errorf("simulate: no packer for compression %d", c)
}

// appendWriter appends what is written to a slice.
type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}
