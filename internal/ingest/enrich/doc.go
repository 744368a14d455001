// Package enrich holds the in-process, cheap enrichments of ingested rows:
// IP address classes, a device registry that writes a DeviceInfo row when
// a host first appears or is renamed, and an account SID <-> name cache.
// Each is an ingest.Enricher, safe for concurrent pipelines, with bounded
// memory.
package enrich
