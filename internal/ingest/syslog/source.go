package syslog

import (
	"net"
	"net/netip"
	"strings"
)

// sourcePrefix starts every Record.Source the listeners write.
const sourcePrefix = "syslog/"

// Source names the origin of a message received over a transport ("udp",
// "tcp", "tls") from a peer, for ingest.Record.Source:
//
//	syslog/udp 10.0.0.5:51234
//
// Record carries no other metadata, and Source already names a record's
// origin in rejection messages, so the sender's address travels there;
// the normalizers read it back with Peer to fill HostIP. Records read
// from files keep their file name and have no peer.
func Source(transport string, peer net.Addr) string {
	addr := ""
	if peer != nil {
		if ap, err := netip.ParseAddrPort(peer.String()); err == nil {
			addr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
		} else {
			addr = peer.String()
		}
	}
	return sourcePrefix + transport + " " + addr
}

// Peer reads the transport and sender address from a source written by
// Source; ok is false for any other source.
func Peer(source string) (transport string, addr netip.AddrPort, ok bool) {
	rest, found := strings.CutPrefix(source, sourcePrefix)
	if !found {
		return "", netip.AddrPort{}, false
	}
	transport, a, found := strings.Cut(rest, " ")
	if !found {
		return "", netip.AddrPort{}, false
	}
	ap, err := netip.ParseAddrPort(a)
	if err != nil {
		return "", netip.AddrPort{}, false
	}
	return transport, ap, true
}
