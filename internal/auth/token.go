package auth

import "strings"

// API token text: vgl_<id>_<secret>. The prefix lets secret scanners and
// people recognise a Vigil token; the id is public (it names the token in
// lists and the audit log); only the secret's SHA-256 is stored.
const (
	TokenPrefix     = "vgl_"
	TokenIDLen      = 12
	tokenSecretLen  = 40  // ≈ 238 bits
	minTokenSecret  = 32  // accepted, for tokens made by other versions
	maxTokenSecret  = 128 // accepted
	minTokenTextLen = len(TokenPrefix) + TokenIDLen + 1 + minTokenSecret
	maxTokenTextLen = len(TokenPrefix) + TokenIDLen + 1 + maxTokenSecret
)

// errMalformedToken: text that is not an API token.
var errMalformedToken = invalidf("malformed API token")

// GenerateToken makes a new API token: its text (shown once to its owner),
// its id, and the digest of its secret to store.
func GenerateToken() (text, id string, secretHash []byte, err error) {
	if id, err = randomString(TokenIDLen); err != nil {
		return "", "", nil, err
	}
	secret, err := randomString(tokenSecretLen)
	if err != nil {
		return "", "", nil, err
	}
	return TokenPrefix + id + "_" + secret, id, digest(secret), nil
}

// ParseToken splits a token's text into id and secret. Anything but the
// exact form (prefix, 12-character id, '_', 32-128 character secret, all
// [A-Za-z0-9]) is an ErrInvalid; so TokenPrefix+id+"_"+secret == text.
func ParseToken(text string) (id, secret string, err error) {
	if len(text) < minTokenTextLen || len(text) > maxTokenTextLen {
		return "", "", errMalformedToken
	}
	rest, ok := strings.CutPrefix(text, TokenPrefix)
	if !ok || rest[TokenIDLen] != '_' {
		return "", "", errMalformedToken
	}
	id, secret = rest[:TokenIDLen], rest[TokenIDLen+1:]
	if !inAlphabet(id) || !inAlphabet(secret) {
		return "", "", errMalformedToken
	}
	return id, secret, nil
}

// validTokenID reports whether id could be a token's id.
func validTokenID(id string) bool {
	return len(id) == TokenIDLen && inAlphabet(id)
}
