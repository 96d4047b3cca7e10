package httpguard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults applied by New and Get to zero option values.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBytes     = 1 << 20 // 1 MiB
	DefaultMaxRedirects = 3
)

var (
	// ErrForbiddenAddress reports a connection (first request or redirect)
	// to an IP address the client's Options do not allow.
	ErrForbiddenAddress = errors.New("forbidden address")
	// ErrRedirect reports a redirect the client refuses: too many, a scheme
	// other than http/https, or a downgrade from https to http.
	ErrRedirect = errors.New("redirect refused")
	// ErrStatus reports a non-2xx response. The concrete error is a
	// *StatusError carrying the code.
	ErrStatus = errors.New("unexpected http status")
	// ErrTooLarge reports a response body over the size cap.
	ErrTooLarge = errors.New("response body too large")
)

// StatusError is the error Get returns for a non-2xx response. It matches
// ErrStatus with errors.Is.
type StatusError struct {
	StatusCode int
}

func (e *StatusError) Error() string {
	return "unexpected http status " + strconv.Itoa(e.StatusCode)
}

// Is reports whether target is ErrStatus.
func (e *StatusError) Is(target error) bool { return target == ErrStatus }

// Options configures New. The zero value is the strict production setting.
type Options struct {
	// Timeout bounds the whole request, including reading the body, and
	// separately the dial, TLS handshake and wait for response headers.
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes caps every response body read through the client; reading
	// past it fails with ErrTooLarge. Zero means DefaultMaxBytes.
	MaxBytes int64
	// AllowLoopback permits 127.0.0.0/8 and ::1 (development and tests).
	AllowLoopback bool
	// AllowPrivate permits private, link-local, CGNAT and the other
	// non-public ranges. It does not permit loopback (see AllowLoopback),
	// and unspecified, multicast and broadcast addresses are always refused:
	// a TCP connection to 0.0.0.0 reaches the local host on Linux.
	AllowPrivate bool
	// MaxRedirects is the number of redirects followed. Zero means
	// DefaultMaxRedirects; a negative value refuses every redirect.
	MaxRedirects int
	// TLSClientConfig, if set, is cloned into the transport, for a private
	// CA or a test server. Nil means system roots and TLS 1.2 at least.
	TLSClientConfig *tls.Config
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	return o
}

// New returns an *http.Client that enforces o on every connection it makes,
// including those made while following redirects.
func New(o Options) *http.Client {
	o = o.withDefaults()
	dialer := &net.Dialer{
		Timeout:   o.Timeout,
		KeepAlive: 30 * time.Second,
		// Control runs after DNS resolution, on the address actually being
		// connected to and before connect(2), so a hostname that resolves
		// (or re-resolves) to a forbidden address is caught.
		Control: func(network, address string, _ syscall.RawConn) error {
			return checkDial(network, address, o)
		},
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSClientConfig != nil {
		tlsConf = o.TLSClientConfig.Clone()
	}
	tr := &http.Transport{
		Proxy:                  nil, // never honour HTTP(S)_PROXY: the guard must see the real peer
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsConf,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    4,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport:     &capTransport{next: tr, max: o.MaxBytes},
		Timeout:       o.Timeout,
		CheckRedirect: checkRedirect(o.MaxRedirects),
	}
}

func checkRedirect(limit int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > limit {
			return fmt.Errorf("%w: more than %d redirects", ErrRedirect, max(limit, 0))
		}
		switch req.URL.Scheme {
		case "https":
		case "http":
			if via[len(via)-1].URL.Scheme == "https" {
				return fmt.Errorf("%w: https to http downgrade", ErrRedirect)
			}
		default:
			return fmt.Errorf("%w: scheme %q", ErrRedirect, req.URL.Scheme)
		}
		return nil
	}
}

// CheckHost refuses, before any lookup, a host that is not an IP address
// in canonical form (which the dial check judges) but that a system
// resolver may still read as one: inet_aton accepts 2130706433,
// 0x7f000001, 0177.0.0.1 and 127.1 for 127.0.0.1. A name whose last label
// starts with a digit, or a single label of digits or 0x-hex, is such a
// form (no top-level domain starts with a digit). Errors wrap
// ErrForbiddenAddress.
func CheckHost(host string) error {
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return nil
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" { // a trailing dot: judge the label before it
		h := strings.TrimSuffix(host, ".")
		last = h[strings.LastIndexByte(h, '.')+1:]
	}
	if last != "" && last[0] >= '0' && last[0] <= '9' {
		return fmt.Errorf("host %q: %w: an IP address in a non-canonical form", host, ErrForbiddenAddress)
	}
	return nil
}

func checkDial(network, address string, o Options) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s %s: %w: unparsable address", network, address, ErrForbiddenAddress)
	}
	// The dialer wraps this in a *net.OpError naming the address.
	return checkAddr(ap.Addr(), o.AllowLoopback, o.AllowPrivate)
}

// capTransport caps every response body at max bytes.
type capTransport struct {
	next *http.Transport
	max  int64
}

func (t *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Every hop, redirects included, comes through here before any DNS
	// lookup of its host.
	if err := CheckHost(req.URL.Hostname()); err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &capBody{rc: resp.Body, left: t.max}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (t *capTransport) CloseIdleConnections() { t.next.CloseIdleConnections() }

type capBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	// Read one byte past the cap so an exactly-max body still ends in EOF.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), ErrTooLarge
	}
	return n, err
}

func (b *capBody) Close() error { return b.rc.Close() }

// Get fetches url with a GET request bound to ctx, sending accept as the
// Accept header when it is not empty. It reads at most maxBytes of the body
// (zero or less means DefaultMaxBytes) and always closes it.
//
// A non-2xx response returns the response (for its status and headers) and
// a *StatusError matching ErrStatus. A body over maxBytes fails with
// ErrTooLarge. Whenever a response arrived it is returned, with its Body
// already closed, so callers can look at the status and headers.
func Get(ctx context.Context, c *http.Client, url, accept string, maxBytes int64) ([]byte, *http.Response, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("http get: %w", err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("http get: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, resp, fmt.Errorf("http get %s: %w", req.URL.Redacted(), &StatusError{StatusCode: resp.StatusCode})
	}
	if resp.ContentLength > maxBytes {
		return nil, resp, fmt.Errorf("http get %s: %w: content-length %d over %d", req.URL.Redacted(), ErrTooLarge, resp.ContentLength, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, resp, fmt.Errorf("http get %s: read body: %w", req.URL.Redacted(), err)
	}
	if int64(len(body)) > maxBytes {
		return nil, resp, fmt.Errorf("http get %s: %w: over %d bytes", req.URL.Redacted(), ErrTooLarge, maxBytes)
	}
	return body, resp, nil
}
