package simulate

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

func TestCompressionNames(t *testing.T) {
	for _, tc := range []struct {
		path string
		want Compression
	}{
		{"rows.ndjson", NoCompression},
		{"rows.ndjson.gz", Gzip},
		{"ROWS.NDJSON.GZ", Gzip},
		{"rows.ndjson.zst", Zstd},
		{"rows.zstd", Zstd},
		{"rows.gzip.ndjson", NoCompression},
		{"-", NoCompression},
	} {
		if got := CompressionFor(tc.path); got != tc.want {
			t.Errorf("CompressionFor(%q) = %s, want %s", tc.path, got, tc.want)
		}
	}
	for in, want := range map[string]Compression{"none": NoCompression, "gzip": Gzip, "GZ": Gzip, "zstd": Zstd, "zst": Zstd} {
		if got, err := ParseCompression(in); err != nil || got != want {
			t.Errorf("ParseCompression(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseCompression("lz4"); err == nil {
		t.Error("ParseCompression(lz4) gave no error")
	}
}

// TestCompressedOutput checks that the compressed output decompresses to
// the plain output byte for byte, and that its own bytes do not depend
// on the number of workers (each chunk is compressed on its own).
func TestCompressedOutput(t *testing.T) {
	const n = 20_000
	plain := ndjson(t, smallOrg(4), n)
	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			packed := func(workers int) []byte {
				cfg := smallOrg(4)
				cfg.Workers = workers
				var buf bytes.Buffer
				if err := newGen(t, cfg).WriteNDJSONCompressed(context.Background(), n, &buf, c); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			a := packed(0)
			if b := packed(1); !bytes.Equal(a, b) {
				t.Errorf("one worker gives other bytes (%d vs %d)", len(b), len(a))
			}
			var r io.Reader
			switch c {
			case Gzip:
				zr, err := gzip.NewReader(bytes.NewReader(a))
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			case Zstd:
				zr, err := zstd.NewReader(bytes.NewReader(a))
				if err != nil {
					t.Fatal(err)
				}
				defer zr.Close()
				r = zr
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Errorf("decompressed %d bytes differ from the plain output's %d", len(got), len(plain))
			}
		})
	}
}
