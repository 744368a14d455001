package auth

import (
	"crypto/rand"
	"crypto/sha256"
)

// alphabet is URL-safe and has no separator characters, so a token or
// cookie made of it survives URLs, headers, shells and double-clicks.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters drawn uniformly from alphabet with
// crypto/rand (log2(62) ≈ 5.95 bits each).
func randomString(n int) (string, error) {
	// Bytes >= 248 are dropped: 248 = 4*62, so the rest map uniformly.
	const limit = 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// inAlphabet reports whether every byte of s is in alphabet.
func inAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// digest is the SHA-256 stored in place of a token or session secret.
// A plain hash suffices: the secrets are random and long, not passwords.
func digest(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
