package auth

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestGenerateToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		text, id, hash, err := GenerateToken()
		if err != nil {
			t.Fatal(err)
		}
		pid, secret, err := ParseToken(text)
		if err != nil {
			t.Fatalf("ParseToken(GenerateToken()) = %v", err)
		}
		if pid != id || len(id) != TokenIDLen || len(secret) < 32 {
			t.Errorf("token %q: id %q secret %q", text, pid, secret)
		}
		if h := sha256.Sum256([]byte(secret)); !bytes.Equal(h[:], hash) {
			t.Errorf("secretHash is not SHA-256 of the secret")
		}
		if seen[id] || seen[secret] {
			t.Errorf("repeated id or secret")
		}
		seen[id], seen[secret] = true, true
	}
}

func TestRandomStringUniform(t *testing.T) {
	// Every alphabet character appears, and nothing else.
	s, err := randomString(62 * 200)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	if len(counts) != len(alphabet) || !inAlphabet(s) {
		t.Fatalf("%d distinct characters, want %d", len(counts), len(alphabet))
	}
	for r, n := range counts {
		if n < 100 || n > 320 { // mean 200; bounds are > 8 standard deviations
			t.Errorf("character %q appears %d times in %d", r, n, len(s))
		}
	}
}

var parseTokenCases = []struct {
	text, id, secret string // id == "" → must be rejected
}{
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 40), "AbCdEfGh1234", strings.Repeat("s", 40)},
	{"vgl_000000000000_" + strings.Repeat("Z", 32), "000000000000", strings.Repeat("Z", 32)},
	{"vgl_zzzzzzzzzzzz_" + strings.Repeat("9", 128), "zzzzzzzzzzzz", strings.Repeat("9", 128)},
	{"", "", ""},
	{"vgl_", "", ""},
	{"vgl_AbCdEfGh1234_", "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 31), "", ""},  // secret too short
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 129), "", ""}, // too long
	{"VGL_AbCdEfGh1234_" + strings.Repeat("s", 40), "", ""},
	{"vgk_AbCdEfGh1234_" + strings.Repeat("s", 40), "", ""},
	{"vgl-AbCdEfGh1234_" + strings.Repeat("s", 40), "", ""},
	{"vgl_AbCdEfGh123_4" + strings.Repeat("s", 40), "", ""},  // id 11
	{"vgl_AbCdEfGh12345_" + strings.Repeat("s", 40), "", ""}, // id 13
	{"vgl_AbCdEfGh1234-" + strings.Repeat("s", 40), "", ""},
	{"vgl_AbCdEfGh12_4_" + strings.Repeat("s", 40), "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 39) + "_", "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 39) + "-", "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 39) + "=", "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 39) + " ", "", ""},
	{" vgl_AbCdEfGh1234_" + strings.Repeat("s", 40), "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 39) + "\n", "", ""},
	{"vgl_AbCdEfGh1234_" + strings.Repeat("s", 38) + "é", "", ""},
	{"vgl_AbCdEfGhİ234_" + strings.Repeat("s", 40), "", ""},
	{"Bearer vgl_AbCdEfGh1234_" + strings.Repeat("s", 40), "", ""},
}

func TestParseToken(t *testing.T) {
	for _, c := range parseTokenCases {
		id, secret, err := ParseToken(c.text)
		if c.id == "" {
			if !errors.Is(err, ErrInvalid) || id != "" || secret != "" {
				t.Errorf("ParseToken(%q) = %q, %q, %v; want ErrInvalid", c.text, id, secret, err)
			}
			continue
		}
		if err != nil || id != c.id || secret != c.secret {
			t.Errorf("ParseToken(%q) = %q, %q, %v; want %q, %q", c.text, id, secret, err, c.id, c.secret)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	for _, c := range parseTokenCases {
		f.Add(c.text)
	}
	text, _, _, _ := GenerateToken()
	f.Add(text)
	f.Fuzz(func(t *testing.T, text string) {
		id, secret, err := ParseToken(text)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseToken(%q): error %v is not ErrInvalid", text, err)
			}
			return
		}
		if TokenPrefix+id+"_"+secret != text {
			t.Fatalf("ParseToken(%q) = %q, %q: does not re-serialize", text, id, secret)
		}
		if !validTokenID(id) || len(secret) < minTokenSecret || len(secret) > maxTokenSecret || !inAlphabet(secret) {
			t.Fatalf("ParseToken(%q) accepted id %q secret %q", text, id, secret)
		}
	})
}
