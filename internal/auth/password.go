package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters for new hashes: OWASP's first recommended set
// (19 MiB, 2 passes, 1 lane), about 30-60 ms on a server core.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds on a stored hash's parameters. The hash is data: one planted in
// the store must not make a login allocate gigabytes or spin for minutes.
const (
	maxArgonMemory  = 64 * 1024 // KiB
	maxArgonTime    = 10
	maxArgonThreads = 16
	minSaltLen      = 8
	maxSaltLen      = 64
	minKeyLen       = 16
	maxKeyLen       = 64
	maxPHCLen       = 256
)

// Password policy.
const (
	MinPasswordChars = 12
	MaxPasswordBytes = 1024
)

// errBadHash: a stored hash that is not one we can verify.
var errBadHash = errors.New("auth: malformed argon2id password hash")

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// CheckPasswordPolicy returns an ErrInvalid saying what is wrong with pw as
// a new password, or nil. Length is what matters (NIST SP 800-63B); there
// are no composition rules.
func CheckPasswordPolicy(pw string) error {
	switch {
	case len(pw) > MaxPasswordBytes:
		return invalidf("password must be at most %d bytes", MaxPasswordBytes)
	case !utf8.ValidString(pw):
		return invalidf("password must be valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return invalidf("password must be at least %d characters", MinPasswordChars)
	}
	return nil
}

// HashPassword hashes pw with argon2id and a random salt, in PHC string
// form: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC hash, comparing in
// constant time. A malformed or out-of-bounds hash is an error; a password
// longer than any policy allows simply does not match.
func VerifyPassword(phc, pw string) (bool, error) {
	p, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordBytes {
		return false, nil
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// phc is a parsed argon2id hash.
type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parsePHC parses $argon2id$v=19$m=M,t=T,p=P$salt$key strictly: parameters
// in a fixed order, each within bounds, no extra fields.
func parsePHC(s string) (*phc, error) {
	if len(s) > maxPHCLen {
		return nil, errBadHash
	}
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, errBadHash
	}
	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return nil, errBadHash
	}
	m, err1 := phcParam(params[0], "m=", 8, maxArgonMemory)
	t, err2 := phcParam(params[1], "t=", 1, maxArgonTime)
	p, err3 := phcParam(params[2], "p=", 1, maxArgonThreads)
	if err := errors.Join(err1, err2, err3); err != nil || m < 8*p {
		return nil, errBadHash
	}
	salt, err := b64.Strict().DecodeString(f[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return nil, errBadHash
	}
	key, err := b64.Strict().DecodeString(f[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return nil, errBadHash
	}
	return &phc{memory: m, time: t, threads: uint8(p), salt: salt, key: key}, nil
}

// phcParam parses "<name><decimal>" with the value in [lo, hi].
func phcParam(s, name string, lo, hi uint32) (uint32, error) {
	v, ok := strings.CutPrefix(s, name)
	if !ok || v == "" || len(v) > 10 || (len(v) > 1 && v[0] == '0') {
		return 0, errBadHash
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || uint32(n) < lo || uint32(n) > hi {
		return 0, errBadHash
	}
	return uint32(n), nil
}
