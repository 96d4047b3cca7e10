package httpguard

import (
	"fmt"
	"net/netip"
)

// addrClass is what the guard thinks of a destination IP address.
type addrClass int

const (
	classPublic   addrClass = iota
	classLoopback           // allowed by Options.AllowLoopback
	classPrivate            // allowed by Options.AllowPrivate
	classNever              // never a valid unicast TCP peer
)

func (c addrClass) String() string {
	switch c {
	case classPublic:
		return "public"
	case classLoopback:
		return "loopback"
	case classPrivate:
		return "non-public"
	default:
		return "unroutable"
	}
}

// prefixes lists special-purpose ranges that are not globally reachable
// unicast destinations, after the IANA IPv4 and IPv6 Special-Purpose Address
// Registries. Loopback, unspecified, multicast, private and link-local are
// classified with netip methods before this table is consulted.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space, CGNAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast (RFC 7526)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved (RFC 1112)
	netip.MustParsePrefix("::/96"),           // IPv4-compatible, deprecated (RFC 4291)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, incl. Teredo, ORCHID (RFC 2928)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("2002::/16"),       // 6to4 (RFC 3056)
	netip.MustParsePrefix("3fff::/20"),       // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),       // SRv6 SIDs (RFC 9602)
	netip.MustParsePrefix("fec0::/10"),       // site-local, deprecated (RFC 3879)
}

// nat64 is the well-known NAT64 prefix (RFC 6052): the embedded IPv4
// address decides.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

func classify(ip netip.Addr) addrClass {
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		return classify(netip.AddrFrom4([4]byte(b[12:])))
	}
	switch {
	case !ip.IsValid():
		return classNever
	case ip.IsLoopback():
		return classLoopback
	case ip.IsUnspecified(), ip.IsMulticast(), ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return classNever
	case ip.IsPrivate(), ip.IsLinkLocalUnicast():
		return classPrivate
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return classPrivate
		}
	}
	return classPublic
}

// checkAddr returns an error wrapping ErrForbiddenAddress when ip is not an
// allowed destination.
func checkAddr(ip netip.Addr, allowLoopback, allowPrivate bool) error {
	switch c := classify(ip); {
	case c == classPublic,
		c == classLoopback && allowLoopback,
		c == classPrivate && allowPrivate:
		return nil
	default:
		return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, ip, c)
	}
}
