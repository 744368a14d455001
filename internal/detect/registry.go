package detect

import (
	"sort"
	"sync"
)

// RuleSource gives the rules in force; the streaming store and the
// scheduler ask it at each batch and each tick, so rules created or
// changed over the API apply at once.
type RuleSource interface {
	Rules() []*Compiled
}

// Static is a fixed set of rules.
type Static []*Compiled

// Rules implements RuleSource.
func (s Static) Rules() []*Compiled { return s }

// Registry holds the built-in rules and the custom ones, which can change
// while the server runs. A custom rule with a built-in rule's id replaces
// it (to tune or disable a built-in rule).
type Registry struct {
	mu      sync.RWMutex
	builtin []*Compiled
	custom  map[string]*Compiled
	all     []*Compiled
}

// NewRegistry starts a registry with the built-in rules.
func NewRegistry(builtin []*Compiled) *Registry {
	r := &Registry{builtin: builtin, custom: map[string]*Compiled{}}
	r.rebuild()
	return r
}

// Rules implements RuleSource.
func (r *Registry) Rules() []*Compiled {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.all
}

// Builtin reports whether id names a built-in rule.
func (r *Registry) Builtin(id string) bool {
	for _, c := range r.builtin {
		if c.Rule.ID == id {
			return true
		}
	}
	return false
}

// Set adds or replaces a custom rule.
func (r *Registry) Set(c *Compiled) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.custom[c.Rule.ID] = c
	r.rebuild()
}

// Remove drops a custom rule (a built-in one it replaced applies again).
func (r *Registry) Remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.custom, id)
	r.rebuild()
}

// rebuild makes a new slice, so readers holding the old one are safe.
func (r *Registry) rebuild() {
	var all []*Compiled
	for _, c := range r.builtin {
		if _, replaced := r.custom[c.Rule.ID]; !replaced {
			all = append(all, c)
		}
	}
	for _, c := range r.custom {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Rule.ID < all[j].Rule.ID })
	r.all = all
}
