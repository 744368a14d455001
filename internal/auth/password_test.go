package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: not argon2id with the OWASP parameters", h)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Errorf("two hashes of one password are equal: salt not random")
	}
	f := func(pw string, want bool) {
		t.Helper()
		ok, err := VerifyPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	f("correct horse battery staple", true)
	f("correct horse battery stapl", false)
	f("Correct horse battery staple", false)
	f("", false)
	f(strings.Repeat("x", MaxPasswordBytes+1), false)
}

// The dummy hash used for unknown users must cost what a real one costs.
func TestDummyHashMatchesParameters(t *testing.T) {
	d, err := parsePHC(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if d.memory != argonMemory || d.time != argonTime || d.threads != argonThreads ||
		len(d.salt) != argonSaltLen || len(d.key) != argonKeyLen {
		t.Errorf("dummyHash parameters %+v differ from HashPassword's; regenerate it", d)
	}
}

func TestParsePHCRejects(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	good := "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key
	if _, err := parsePHC(good); err != nil {
		t.Fatalf("good hash rejected: %v", err)
	}
	f := func(phc string) {
		t.Helper()
		if _, err := parsePHC(phc); !errors.Is(err, errBadHash) {
			t.Errorf("parsePHC(%q) = %v, want errBadHash", phc, err)
		}
		if ok, err := VerifyPassword(phc, "whatever-password"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", phc, ok, err)
		}
	}
	f("")
	f("plaintext")
	f("$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key)
	f("$argon2d$v=19$m=19456,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$m=19456,t=2,p=1$" + salt + "$" + key)
	f("argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key)
	f(good + "$extra")
	f("$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key) // order
	f("$argon2id$v=19$m=19456,t=2$" + salt + "$" + key)
	f("$argon2id$v=19$m=19456,t=2,p=1,k=3$" + salt + "$" + key)
	// Hostile costs: gigabytes of memory, minutes of time, many lanes.
	f("$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=65537,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=19456,t=1000000,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=19456,t=11,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=19456,t=2,p=255$" + salt + "$" + key)
	f("$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key)
	f("$argon2id$v=19$m=7,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=8,t=2,p=2$" + salt + "$" + key) // m < 8p
	f("$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=+19456,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key)
	f("$argon2id$v=19$m=,t=2,p=1$" + salt + "$" + key)
	// Salt and key: base64 without padding, bounded lengths.
	f("$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key)
	f("$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + key)
	f("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key)     // 4-byte salt
	f("$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$a2V5") // 3-byte key
	f("$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + strings.Repeat("A", 100))
	f("$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + strings.Repeat("A", 300))
}

func TestCheckPasswordPolicy(t *testing.T) {
	f := func(pw string, ok bool) {
		t.Helper()
		err := CheckPasswordPolicy(pw)
		if ok && err != nil {
			t.Errorf("CheckPasswordPolicy(%q) = %v, want nil", pw, err)
		}
		if !ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckPasswordPolicy(%q) = %v, want ErrInvalid", pw, err)
		}
	}
	f("", false)
	f("short", false)
	f("elevenchars", false)
	f("twelve chars", true)
	f("ünïcödé-ñame", true) // 12 characters, more bytes
	f("ünïcödé-ñam", false) // 11 characters, 17 bytes
	f("日本語のパスワードです", false) // 11 characters
	f("日本語のパスワードですよ", true) // 12 characters
	f(strings.Repeat("a", MaxPasswordBytes), true)
	f(strings.Repeat("a", MaxPasswordBytes+1), false)
	f("valid-prefix\xff\xfe-invalid-utf8", false)
}
