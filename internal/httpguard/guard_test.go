package httpguard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestGetLoopback(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get("Accept"))
	})
	tests := []struct {
		name    string
		opts    Options
		wantErr error
	}{
		{"ok/loopback allowed", Options{AllowLoopback: true}, nil},
		{"fail/loopback refused by default", Options{}, ErrForbiddenAddress},
		{"fail/AllowPrivate does not allow loopback", Options{AllowPrivate: true}, ErrForbiddenAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, _, err := Get(t.Context(), New(tt.opts), srv.URL, "application/did+json", 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if diff := cmp.Diff("application/did+json", string(body)); diff != "" {
				t.Errorf("Accept header echoed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetLocalhostName(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// The name resolves to a loopback address; the dial-time check sees it.
	_, _, err := Get(t.Context(), New(Options{}), "http://localhost:"+port+"/", "", 0)
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("Get(localhost) error = %v, want ErrForbiddenAddress", err)
	}
}

func TestGetRedirect(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/to/"):
			// /to/http://169.254.169.254/x -> Location: http://169.254.169.254/x
			http.Redirect(w, r, strings.TrimPrefix(r.URL.Path, "/to/"), http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
			if n == 0 {
				fmt.Fprint(w, "end")
				return
			}
			http.Redirect(w, r, "/chain/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	})
	tests := []struct {
		name    string
		path    string
		opts    Options
		wantErr error
	}{
		{"fail/to cloud metadata", "/to/http://169.254.169.254/latest/meta-data/", Options{AllowLoopback: true}, ErrForbiddenAddress},
		{"fail/to RFC 1918", "/to/http://10.0.0.1/did.json", Options{AllowLoopback: true}, ErrForbiddenAddress},
		{"fail/to CGNAT", "/to/http://100.64.0.1/", Options{AllowLoopback: true}, ErrForbiddenAddress},
		{"fail/to unspecified", "/to/http://0.0.0.0:1/", Options{AllowLoopback: true, AllowPrivate: true}, ErrForbiddenAddress},
		{"fail/to file scheme", "/to/file:///etc/passwd", Options{AllowLoopback: true}, ErrRedirect},
		{"fail/to ftp scheme", "/to/ftp://example.org/x", Options{AllowLoopback: true}, ErrRedirect},
		{"ok/chain within default limit", "/chain/3", Options{AllowLoopback: true}, nil},
		{"fail/chain over default limit", "/chain/4", Options{AllowLoopback: true}, ErrRedirect},
		{"ok/chain within custom limit", "/chain/1", Options{AllowLoopback: true, MaxRedirects: 1}, nil},
		{"fail/redirects refused", "/chain/1", Options{AllowLoopback: true, MaxRedirects: -1}, ErrRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, _, err := Get(t.Context(), New(tt.opts), srv.URL+tt.path, "", 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get(%s) error = %v, want %v", tt.path, err, tt.wantErr)
			}
			if tt.wantErr == nil && string(body) != "end" {
				t.Errorf("Get(%s) body = %q, want %q", tt.path, body, "end")
			}
		})
	}
}

func TestGetRedirectDowngrade(t *testing.T) {
	t.Parallel()
	plain := newServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "plain") })
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Redirect(w, r, plain.URL, http.StatusFound)
			return
		}
		fmt.Fprint(w, "secure")
	}))
	t.Cleanup(tlsSrv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	c := New(Options{AllowLoopback: true, TLSClientConfig: &tls.Config{RootCAs: pool}})

	body, _, err := Get(t.Context(), c, tlsSrv.URL+"/", "", 0)
	if err != nil || string(body) != "secure" {
		t.Fatalf("Get(https) = %q, %v; want secure", body, err)
	}
	if _, _, err := Get(t.Context(), c, tlsSrv.URL+"/down", "", 0); !errors.Is(err, ErrRedirect) {
		t.Fatalf("Get(https -> http) error = %v, want ErrRedirect", err)
	}
}

func TestGetUntrustedCertificate(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	var certErr *tls.CertificateVerificationError
	_, _, err := Get(t.Context(), New(Options{AllowLoopback: true}), tlsSrv.URL, "", 0)
	if !errors.As(err, &certErr) {
		t.Fatalf("Get(self-signed) error = %v, want a certificate verification error", err)
	}
}

func TestGetStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(code)
		fmt.Fprint(w, "body")
	})
	tests := []struct {
		code    int
		wantErr bool
	}{
		{200, false}, {203, false}, {204, false}, {299, false},
		{404, true}, {410, true}, {500, true}, {304, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			t.Parallel()
			_, resp, err := Get(t.Context(), New(Options{AllowLoopback: true}), srv.URL+"/"+strconv.Itoa(tt.code), "", 0)
			if got := errors.Is(err, ErrStatus); got != tt.wantErr {
				t.Fatalf("Get(%d) error = %v, want ErrStatus %v", tt.code, err, tt.wantErr)
			}
			if resp == nil || resp.StatusCode != tt.code {
				t.Fatalf("Get(%d) response = %v, want status %d", tt.code, resp, tt.code)
			}
			if !tt.wantErr {
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.code {
				t.Errorf("Get(%d) error = %#v, want *StatusError{%d}", tt.code, err, tt.code)
			}
		})
	}
}

func TestGetSize(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		for i := 0; i < n; i += 1000 {
			w.Write([]byte(strings.Repeat("a", min(1000, n-i))))
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
	})
	tests := []struct {
		name     string
		n        int
		chunked  bool
		opts     Options
		maxBytes int64
		wantErr  error
	}{
		{"ok/exactly max", 5000, false, Options{}, 5000, nil},
		{"ok/exactly max chunked", 5000, true, Options{}, 5000, nil},
		{"fail/over max with content-length", 5001, false, Options{}, 5000, ErrTooLarge},
		{"fail/over max chunked", 5001, true, Options{}, 5000, ErrTooLarge},
		{"ok/default cap", DefaultMaxBytes, true, Options{}, 0, nil},
		{"fail/default cap", DefaultMaxBytes + 1, true, Options{}, 0, ErrTooLarge},
		{"fail/client cap smaller than Get cap", 3000, true, Options{MaxBytes: 2048}, 1 << 20, ErrTooLarge},
		{"ok/client cap exactly", 2048, true, Options{MaxBytes: 2048}, 1 << 20, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.AllowLoopback = true
			url := srv.URL + "/?n=" + strconv.Itoa(tt.n)
			if tt.chunked {
				url += "&chunked=1"
			}
			body, _, err := Get(t.Context(), New(tt.opts), url, "", tt.maxBytes)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && len(body) != tt.n {
				t.Errorf("Get() body length = %d, want %d", len(body), tt.n)
			}
		})
	}
}

func TestGetTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })

	t.Run("client timeout", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		_, _, err := Get(t.Context(), New(Options{AllowLoopback: true, Timeout: 100 * time.Millisecond}), srv.URL, "", 0)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Get() error = %v, want a timeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Get() took %v, want about 100ms", d)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, _, err := Get(ctx, New(Options{AllowLoopback: true}), srv.URL, "", 0)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get() error = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestNewTransport(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	tr := c.Transport.(*capTransport)
	if tr.next.Proxy != nil {
		t.Error("transport Proxy is set, want nil (environment proxies ignored)")
	}
	got := struct {
		Timeout, TLS, Header time.Duration
		Max                  int64
	}{c.Timeout, tr.next.TLSHandshakeTimeout, tr.next.ResponseHeaderTimeout, tr.max}
	want := struct {
		Timeout, TLS, Header time.Duration
		Max                  int64
	}{DefaultTimeout, DefaultTimeout, DefaultTimeout, DefaultMaxBytes}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	c.CloseIdleConnections()
}

func TestGetBadURL(t *testing.T) {
	t.Parallel()
	if _, _, err := Get(t.Context(), New(Options{}), "http://[::1", "", 0); err == nil {
		t.Error("Get(bad url) error = nil, want an error")
	}
}

// TestCheckHostOddIPForms checks that IP literals in the forms inet_aton
// reads (decimal, hex, octal, short) are refused before any lookup, also
// when loopback and private addresses are allowed and on a redirect, while
// canonical addresses and domain names pass to the dial check.
func TestCheckHostOddIPForms(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1", "1.0x7f", "017700000001", "127.0.0.1.", "10.1"} {
		if err := CheckHost(h); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("CheckHost(%q) = %v, want ErrForbiddenAddress", h, err)
		}
	}
	for _, h := range []string{"127.0.0.1", "::1", "example.org", "example.org.", "1password.com", "x1.example.test", "localhost"} {
		if err := CheckHost(h); err != nil {
			t.Errorf("CheckHost(%q) = %v", h, err)
		}
	}
	c := New(Options{AllowLoopback: true, AllowPrivate: true, Timeout: 2 * time.Second})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.1:"+strings.Split(r.Host, ":")[1]+"/x", http.StatusFound)
	})
	port := strings.Split(srv.Listener.Addr().String(), ":")[1]
	for _, u := range []string{"http://2130706433:" + port + "/", "http://0x7f000001:" + port + "/", srv.URL + "/redirect"} {
		if _, _, err := Get(context.Background(), c, u, "", 1<<10); !errors.Is(err, ErrForbiddenAddress) { //nolint:bodyclose // Get reads and closes the body itself
			t.Errorf("Get %s: %v, want ErrForbiddenAddress", u, err)
		}
	}
}
