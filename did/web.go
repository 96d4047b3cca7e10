package did

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/accolade-badges/accolade/internal/httpguard"
)

// MaxWebDocumentBytes caps a fetched did:web document.
const MaxWebDocumentBytes = 1 << 20

// webAccept is the Accept header sent for did.json (did:web §3.2.2; servers
// commonly answer application/json).
const webAccept = "application/did+json, application/did+ld+json, application/json"

// WebResolver resolves did:web DIDs (W3C CCG did:web Method) over HTTPS.
type WebResolver struct {
	// Client fetches did.json. Build it with httpguard.New, so that
	// addresses, time and size are bounded. Nil means a package default
	// built with httpguard.New and loopback allowed only when
	// AllowInsecureLoopback is set.
	Client *http.Client
	// AllowInsecureLoopback lets did:web:localhost and did:web:<loopback IP>
	// resolve over plain http:// (development and tests). Without it every
	// did:web uses https:// and IP-address hosts are refused. The Client
	// must also allow loopback connections.
	AllowInsecureLoopback bool
}

var _ Resolver = WebResolver{}

var (
	defaultWebClient         = sync.OnceValue(func() *http.Client { return httpguard.New(httpguard.Options{}) })
	defaultWebLoopbackClient = sync.OnceValue(func() *http.Client {
		return httpguard.New(httpguard.Options{AllowLoopback: true})
	})
)

// Resolve fetches and checks the document of a did:web. HTTP 404 and 410
// fail with ErrNotFound. A body that is not a JSON object, is over
// MaxWebDocumentBytes, or whose "id" is not did fails with
// ErrInvalidDocument. A publicKeyJwk with private members makes the
// document invalid too.
func (w WebResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	u, err := WebURL(did, w.AllowInsecureLoopback)
	if err != nil {
		return nil, fmt.Errorf("resolve did:web: %w", err)
	}
	c := w.Client
	if c == nil {
		c = defaultWebClient()
		if w.AllowInsecureLoopback {
			c = defaultWebLoopbackClient()
		}
	}
	body, _, err := httpguard.Get(ctx, c, u, webAccept, MaxWebDocumentBytes)
	if err != nil {
		var se *httpguard.StatusError
		switch {
		case errors.As(err, &se) && (se.StatusCode == http.StatusNotFound || se.StatusCode == http.StatusGone):
			return nil, fmt.Errorf("resolve did:web: %w: %w", ErrNotFound, err)
		case errors.Is(err, httpguard.ErrTooLarge):
			return nil, fmt.Errorf("resolve did:web: %w: %w", ErrInvalidDocument, err)
		}
		return nil, fmt.Errorf("resolve did:web: %w", err)
	}
	doc, err := parseWebDocument(body, did)
	if err != nil {
		return nil, fmt.Errorf("resolve did:web %s: %w", u, err)
	}
	return doc, nil
}

func parseWebDocument(body []byte, did string) (*Document, error) {
	if firstByte(body) != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidDocument)
	}
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	if doc.ID != did {
		return nil, fmt.Errorf("%w: id %q does not match the DID", ErrInvalidDocument, truncate(doc.ID, 200))
	}
	return &doc, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// WebURL maps a did:web to the URL of its DID document (did:web §3.2.2):
// colons become slashes, a percent-encoded port colon (%3A) is decoded, and
// a DID without path gets /.well-known; then /did.json is appended. Other
// percent-escapes stay as URL escapes.
//
// The scheme is https, except http for a localhost or loopback-IP host when
// allowInsecureLoopback is set. IP-address hosts are refused (the method
// requires a domain name), except loopback IPs with allowInsecureLoopback.
// Errors wrap ErrInvalidDID (or ErrMethodNotSupported for another method).
func WebURL(did string, allowInsecureLoopback bool) (string, error) {
	d, err := Parse(did)
	if err != nil {
		return "", fmt.Errorf("did:web url: %w", err)
	}
	if d.Method != "web" {
		return "", fmt.Errorf("did:web url: %w: did:%s", ErrMethodNotSupported, d.Method)
	}
	segs := strings.Split(d.ID, ":")
	hostPort, path := segs[0], segs[1:]
	host, port := hostPort, ""
	if i := strings.Index(strings.ToUpper(hostPort), "%3A"); i >= 0 {
		host, port = hostPort[:i], hostPort[i+3:]
		if err := checkPort(port); err != nil {
			return "", fmt.Errorf("did:web url: %w", err)
		}
	}
	host = strings.ToLower(host)
	if err := checkHost(host); err != nil {
		return "", fmt.Errorf("did:web url: %w", err)
	}
	scheme := "https"
	ip, ipErr := netip.ParseAddr(host)
	if ipErr != nil {
		if err := checkDomainName(host); err != nil {
			return "", fmt.Errorf("did:web url: %w", err)
		}
	}
	if ipErr == nil {
		if !allowInsecureLoopback || !ip.IsLoopback() {
			return "", fmt.Errorf("did:web url: %w: IP address host %s", ErrInvalidDID, host)
		}
		scheme = "http"
	} else if host == "localhost" && allowInsecureLoopback {
		scheme = "http"
	}
	for _, s := range path {
		if s == "" {
			return "", fmt.Errorf("did:web url: %w: empty path segment", ErrInvalidDID)
		}
		if dec, err := url.PathUnescape(s); err != nil || dec == "." || dec == ".." || strings.ContainsAny(dec, "/\\") {
			return "", fmt.Errorf("did:web url: %w: path segment %q", ErrInvalidDID, s)
		}
	}

	var b strings.Builder
	b.Grow(len(scheme) + 3 + len(d.ID) + len("/.well-known/did.json"))
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	if len(path) == 0 {
		b.WriteString("/.well-known")
	}
	for _, s := range path {
		b.WriteByte('/')
		b.WriteString(s)
	}
	b.WriteString("/did.json")
	return b.String(), nil
}

// checkHost accepts a DNS name of letter-digit-hyphen labels (RFC 1123) or
// a dotted IPv4 address, which WebURL then refuses or allows.
func checkHost(host string) error {
	if host == "" || len(host) > 253 {
		return fmt.Errorf("%w: host must be a domain name of 1 to 253 bytes", ErrInvalidDID)
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: bad host label %q", ErrInvalidDID, label)
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("%w: bad host label %q", ErrInvalidDID, label)
			}
		}
	}
	return nil
}

// checkDomainName refuses a host that is not a dotted IPv4 address but that
// a system resolver (inet_aton) may still read as one, or that a resolver
// would complete with search domains: did:web requires a domain name. A
// domain name has at least two labels (localhost excepted) and its top
// label starts with a letter (no top-level domain is numeric, RFC 3696
// §2), which rules out 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 before
// any lookup.
func checkDomainName(host string) error {
	if host == "localhost" {
		return nil
	}
	i := strings.LastIndexByte(host, '.')
	if i < 0 {
		return fmt.Errorf("%w: host %q is not a domain name (one label)", ErrInvalidDID, host)
	}
	if tld := host[i+1:]; tld[0] < 'a' || tld[0] > 'z' {
		return fmt.Errorf("%w: host %q is neither a domain name nor a dotted IPv4 address", ErrInvalidDID, host)
	}
	return nil
}

func checkPort(port string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '0' || strconv.Itoa(n) != port {
		return fmt.Errorf("%w: bad port %q", ErrInvalidDID, port)
	}
	return nil
}

// WebDID derives the did:web of a public base URL: the host (lowercased),
// its port as %3A<port> unless it is the scheme's default, and each path
// segment as a ":"-separated segment, percent-encoding any byte that is not
// a DID idchar. https://badges.example.org gives did:web:badges.example.org;
// http://localhost:8080/issuer gives did:web:localhost%3A8080:issuer.
//
// The URL must be https, or http on localhost or a loopback IP, without
// user info, query or fragment; IP hosts other than loopback are refused.
// Errors wrap ErrInvalidDID.
func WebDID(publicURL string) (string, error) {
	u, segs, err := parsePublicURL(publicURL)
	if err != nil {
		return "", fmt.Errorf("did:web from url: %w", err)
	}
	host := strings.ToLower(u.Hostname())
	loopback := host == "localhost"
	if ip, err := netip.ParseAddr(host); err == nil {
		if !ip.Is4() || !ip.IsLoopback() {
			return "", fmt.Errorf("did:web from url: %w: IP address host %s", ErrInvalidDID, host)
		}
		loopback = true
	}
	if err := checkHost(host); err != nil {
		return "", fmt.Errorf("did:web from url: %w", err)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback:
	default:
		return "", fmt.Errorf("did:web from url: %w: scheme %q (want https, or http on loopback)", ErrInvalidDID, u.Scheme)
	}
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(host)
	if p := u.Port(); p != "" && !(u.Scheme == "https" && p == "443") && !(u.Scheme == "http" && p == "80") {
		if err := checkPort(p); err != nil {
			return "", fmt.Errorf("did:web from url: %w", err)
		}
		b.WriteString("%3A")
		b.WriteString(p)
	}
	for _, s := range segs {
		b.WriteByte(':')
		for i := 0; i < len(s); i++ {
			if c := s[i]; isIDChar(c) {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
	}
	did := b.String()
	if _, err := WebURL(did, loopback); err != nil {
		return "", fmt.Errorf("did:web from url: %w", err)
	}
	return did, nil
}

// WebDocumentPath returns the HTTP path at which the DID document of the
// did:web derived from publicURL (see WebDID) is served:
// "/.well-known/did.json" for a bare host, "/issuer/did.json" for
// https://host/issuer. It returns "" when publicURL is not usable.
func WebDocumentPath(publicURL string) string {
	if _, err := WebDID(publicURL); err != nil {
		return ""
	}
	_, segs, _ := parsePublicURL(publicURL)
	if len(segs) == 0 {
		return "/.well-known/did.json"
	}
	return "/" + strings.Join(segs, "/") + "/did.json"
}

// parsePublicURL parses an absolute base URL and splits its decoded path
// into non-empty segments.
func parsePublicURL(publicURL string) (*url.URL, []string, error) {
	u, err := url.Parse(publicURL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidDID, err)
	}
	if !u.IsAbs() || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, nil, fmt.Errorf("%w: want an absolute URL with a host and no user info, query or fragment", ErrInvalidDID)
	}
	var segs []string
	for _, s := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		switch s {
		case "":
			continue
		case ".", "..":
			return nil, nil, fmt.Errorf("%w: dot segment in path", ErrInvalidDID)
		}
		segs = append(segs, s)
	}
	return u, segs, nil
}
