// Package sensor is Vigil's endpoint agent: collectors, a local spool, the
// transport client and the response-action handlers.
//
// Import rule (enforced by deps_test.go): the sensor's package tree imports
// only the standard library, internal/schema, internal/version and its own
// subpackages, and builds without cgo. It never imports server-side
// packages (stores, KQL, detection, API), so the agent stays a small static
// binary that carries none of the server's attack surface.
package sensor

// Protocol is the version of the sensor ↔ server protocol this agent speaks.
const Protocol = 1
