// Package ingest turns records from shippers and files into rows of the
// hunting schema.
//
// The flow, one way:
//
//	framing (lines, _bulk items, syslog frames)  -> Record{Source, Line, Data}
//	decode (JSON once, with a reused parser)     -> *fastjson.Value or text
//	route (the first Normalizer whose Detect matches, or the one asked for)
//	normalize (into a RowSet: all of a record's rows, or none)
//	batch (rows per table)                       -> store.Batch -> store.Append
//
// A record either yields all its rows or is rejected with its position
// and a reason; nothing is dropped silently. Normalizers keep a raw copy of
// every record (SecurityEvent, WindowsEvent, Syslog, CommonSecurityLog or
// RawEvents) beside the normalized rows, and put what they cannot place in
// AdditionalFields.
//
// Subpackages hold one source each (windows, syslog, cloud, samba,
// dovecot); this package holds the contracts and the pipeline and imports
// none of them. Register wires them (see formats.go).
package ingest
