// Package auth is Vigil's authentication and authorisation logic: roles and
// their permissions, password hashing, API tokens, portal sessions, and the
// Service that creates and checks them over a state.Store, writing an audit
// record for every change. It knows nothing of HTTP: the API layer turns
// requests into calls here and maps the errors below to status codes.
//
// Secrets (passwords, token secrets, session cookies) exist in clear only
// in the return values that hand them to their owner; the store keeps
// argon2id hashes of passwords and SHA-256 digests of token and session
// secrets, and no audit record ever contains a secret.
package auth
