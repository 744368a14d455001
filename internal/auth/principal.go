package auth

// Principal kinds.
const (
	KindUser   = "user"   // a portal user, through a session
	KindToken  = "token"  // an API token
	KindCLI    = "cli"    // a local command with access to the data dir
	KindSystem = "system" // Vigil itself (bootstrap, housekeeping)
)

// Principal is who is making a request, as authenticated.
type Principal struct {
	Kind               string // KindUser, KindToken, KindCLI, KindSystem
	Name               string // username, token name, OS user
	Role               string
	UserID             int64  // KindUser
	TokenID            string // KindToken
	SessionHash        []byte // KindUser: SHA-256 of the session cookie
	CSRFToken          string // KindUser: must accompany unsafe requests
	MustChangePassword bool   // KindUser
}

// CLIPrincipal is a local command run by OS user name. Whoever can run it
// can read and write the data dir, so it acts as an administrator.
func CLIPrincipal(name string) *Principal {
	return &Principal{Kind: KindCLI, Name: name, Role: RoleAdmin}
}

// SystemPrincipal is Vigil acting on its own behalf.
func SystemPrincipal() *Principal {
	return &Principal{Kind: KindSystem, Name: "system", Role: RoleAdmin}
}

// Can reports whether p may do perm. A user who must change their password
// may do nothing else first: until then the password is one an
// administrator (or the bootstrap file) knows.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return false
	}
	if p.MustChangePassword && perm != PermReadSelf {
		return false
	}
	return Allowed(p.Role, perm)
}

// Actor names p in the audit log: "user:alice", "token:<id> (<name>)",
// "cli:root", "system".
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	switch p.Kind {
	case KindToken:
		return "token:" + p.TokenID + " (" + p.Name + ")"
	case KindSystem:
		return "system"
	default:
		return p.Kind + ":" + p.Name
	}
}

// mayGrant reports whether p holds every permission of role, so that no
// one hands out more than they have.
func (p *Principal) mayGrant(role string) bool {
	for _, perm := range RolePermissions[role] {
		if !p.Can(perm) {
			return false
		}
	}
	return true
}
