// Package syslog receives and reads syslog and CEF: listeners for UDP,
// TCP and TLS, parsers for RFC 5424, RFC 3164 (and the variants devices
// write) and ArcSight CEF, and the normalizers that map them to the
// hunting schema.
//
// Parsers (text in, struct out, errors with byte offsets, *ParseError):
//
//	Parse          either dialect, chosen by the VERSION after PRI
//	ParseRFC5424   strict RFC 5424, with STRUCTURED-DATA
//	ParseRFC3164   BSD syslog, lenient but never guessing (see its doc)
//	ParseCEF       "CEF:Version|...|Extension"
//
// Normalizers (ingest.Normalizer):
//
//	NewSyslog  format "syslog": Syslog rows as Azure Monitor writes them;
//	           sshd logons also as DeviceLogonEvents (sshd.go)
//	NewCEF     format "cef": CommonSecurityLog rows as Sentinel writes
//	           them, from CEF bare or behind any syslog header
//
// Each Detect excludes the other's records, so the two may be registered
// in either order (before the raw catch-all).
//
// The listener side: a Server serves any number of UDP, TCP and TLS
// listeners and hands every message to one consumer over a bounded
// queue (Items, or Feed, which drives an ingest.Pipeline on the calling
// goroutine). TCP readers block when the queue is full, which pushes back
// on senders through TCP flow control; the UDP read loop never blocks
// and counts what it drops.
//
// The sender's address. ingest.Record has no field for it, so the
// listeners write it into Record.Source as "syslog/<transport> <ip:port>"
// (Source), which also names the sender in rejection messages; the
// normalizers read it back (Peer) into HostIP and, when the message names
// no host, Computer. Records from files keep their file name: HostIP is
// then the header's HOSTNAME when that is an IP address.
//
// Times. RFC 5424 and ISO stamps carry their zone. BSD stamps carry no
// zone and no year: they are read in Options.Location (default UTC) and
// given the latest year that does not put them more than two days after
// the receipt time (Options.Now), which handles New Year in both
// directions; replayed files therefore get the year before "now" when a
// stamp would otherwise lie in the future.
//
// Not handled: LEEF (QRadar's format) is not parsed and falls to the raw
// table; sudo and other auth messages stay Syslog rows only (Defender has
// no matching DeviceEvents ActionType); Cisco ASA text messages are not
// expanded into CommonSecurityLog as Sentinel's ASA connector does.
package syslog
