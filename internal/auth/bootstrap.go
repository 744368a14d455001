package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigilsec/vigil/internal/state"
)

// Bootstrap names.
const (
	BootstrapUser         = "admin"
	AdminPasswordFileName = "admin-password"
	bootstrapPasswordLen  = 24 // ≈ 143 bits
)

// Bootstrap creates the first administrator when the store has no user:
// user "admin", role admin, a random password it must change at first
// login. The password is written to dataDir/admin-password (mode 0600)
// before the user exists, so it is never lost; it is also returned for the
// caller to print. With users present Bootstrap does nothing.
//
// Two processes bootstrapping one data dir at once, or a restart after a
// crash between writing the file and creating the user, converge: the file
// is published atomically and a later Bootstrap reuses the password in it.
func (s *Service) Bootstrap(ctx context.Context, dataDir string) (password string, created bool, err error) {
	n, err := s.st.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	path := filepath.Join(dataDir, AdminPasswordFileName)
	password, err = adminPassword(path)
	if err != nil {
		return "", false, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", false, err
	}
	u := &state.User{Username: BootstrapUser, PasswordHash: hash, Role: RoleAdmin, MustChangePassword: true}
	rec := s.audit("system", "user.create", "user:"+BootstrapUser, "local", "", outcomeSuccess,
		map[string]any{"username": BootstrapUser, "role": RoleAdmin, "bootstrap": true, "passwordFile": path})
	if err := s.st.CreateUser(ctx, u, rec); err != nil {
		if errors.Is(err, state.ErrConflict) {
			return "", false, nil // another process bootstrapped first
		}
		return "", false, err
	}
	return password, true, nil
}

// adminPassword returns the password in path, or writes a new one there.
func adminPassword(path string) (string, error) {
	for range 2 {
		pw, err := readAdminPassword(path)
		if !errors.Is(err, fs.ErrNotExist) {
			return pw, err
		}
		pw, err = randomString(bootstrapPasswordLen)
		if err != nil {
			return "", err
		}
		err = writeExclusive(path, []byte(pw+"\n"))
		if errors.Is(err, fs.ErrExist) {
			continue // another process wrote it first: read theirs
		}
		return pw, err
	}
	return "", fmt.Errorf("auth: %s: appeared and vanished while bootstrapping", path)
}

// readAdminPassword reads a password file left by an earlier Bootstrap,
// refusing one that others can read or that is not a plain file.
func readAdminPassword(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("auth: %s exists but is not a private (0600) file; remove it to bootstrap", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	pw := strings.TrimSuffix(string(b), "\n")
	if err := CheckPasswordPolicy(pw); err != nil {
		return "", fmt.Errorf("auth: %s exists but holds no usable password (%v); remove it to bootstrap", path, err)
	}
	return pw, nil
}

// writeExclusive publishes data at path with mode 0600, failing with
// fs.ErrExist if path exists. It writes a temporary file and hard-links it
// into place, so a concurrent reader sees the whole file or none of it.
func writeExclusive(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the new name durable; best effort
		d.Close()
	}
	return nil
}
