// Package ingest turns records from shippers and files into rows of the
// hunting schema.
//
// The flow, one way:
//
//	framing (lines, _bulk items, syslog frames)  -> Record{Source, Line, Data}
//	decode (JSON once, with a reused parser)     -> *fastjson.Value or text
//	route (the first Normalizer whose Detect matches, or the one asked for)
//	normalize (into a RowSet: all of a record's rows, or none)
//	check (each value in the store's canonical form, or the record rejected)
//	enrich (in record order: enrichers remember what they saw)
//	batch (rows per table)                       -> store.Batch -> store.Append
//
// Pipeline.AddMany (and ReadLines, which uses it) runs decode to check on
// several goroutines, chunk by chunk, and enrich and batch in record order,
// so the rows, their order and the rejections are those of one goroutine.
// A normalizer whose rows depend on earlier records (the Windows one's
// memory of domain controllers) answers ErrNeedsOrder when called out of
// order, and the record is normalized again in its turn.
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
