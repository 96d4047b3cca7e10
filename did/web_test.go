package did

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/httpguard"
	"github.com/accolade-badges/accolade/keys"
	"github.com/google/go-cmp/cmp"
)

func TestWebURLMapping(t *testing.T) {
	t.Parallel()
	var m struct {
		Cases []struct{ DID, URL, Source string }
	}
	readJSON(t, "web-url-mapping.json", &m)
	if len(m.Cases) == 0 {
		t.Fatal("no cases in web-url-mapping.json")
	}
	for _, c := range m.Cases {
		t.Run(c.DID, func(t *testing.T) {
			t.Parallel()
			for _, allow := range []bool{false, true} {
				got, err := WebURL(c.DID, allow)
				if err != nil {
					t.Fatalf("WebURL(%q, %v) error = %v", c.DID, allow, err)
				}
				if diff := cmp.Diff(c.URL, got); diff != "" {
					t.Errorf("WebURL(%q, %v) (-want +got):\n%s", c.DID, allow, diff)
				}
			}
		})
	}
}

func TestWebURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		did     string
		allow   bool
		want    string
		wantErr error
	}{
		{"ok/localhost is https by default", "did:web:localhost%3A8080", false, "https://localhost:8080/.well-known/did.json", nil},
		{"ok/localhost http when allowed", "did:web:localhost%3A8080:issuer", true, "http://localhost:8080/issuer/did.json", nil},
		{"ok/loopback IP http when allowed", "did:web:127.0.0.1%3A8080", true, "http://127.0.0.1:8080/.well-known/did.json", nil},
		{"ok/lowercase %3a", "did:web:example.com%3a8443", false, "https://example.com:8443/.well-known/did.json", nil},
		{"ok/host lowercased", "did:web:Example.COM", false, "https://example.com/.well-known/did.json", nil},
		{"ok/other escapes kept", "did:web:example.com:a%20b", false, "https://example.com/a%20b/did.json", nil},
		{"ok/subdomain of localhost stays https", "did:web:a.localhost", true, "https://a.localhost/.well-known/did.json", nil},
		{"fail/loopback IP not allowed", "did:web:127.0.0.1%3A8080", false, "", ErrInvalidDID},
		{"fail/private IP even when loopback allowed", "did:web:10.0.0.1", true, "", ErrInvalidDID},
		{"fail/public IP", "did:web:93.184.216.34", false, "", ErrInvalidDID},
		{"fail/decimal IP", "did:web:2130706433", true, "", ErrInvalidDID},
		{"fail/hex IP", "did:web:0x7f000001", true, "", ErrInvalidDID},
		{"fail/octal IP", "did:web:0177.0.0.1", true, "", ErrInvalidDID},
		{"fail/short IP", "did:web:127.1", true, "", ErrInvalidDID},
		{"fail/short IP with port", "did:web:127.1%3A8080", true, "", ErrInvalidDID},
		{"fail/single label", "did:web:intranet", false, "", ErrInvalidDID},
		{"fail/numeric top label", "did:web:example.123", false, "", ErrInvalidDID},
		{"ok/unencoded colon separates path segments", "did:web:example.com:3000:x", false, "https://example.com/3000/x/did.json", nil},
		{"fail/port not numeric", "did:web:example.com%3Ahttp", false, "", ErrInvalidDID},
		{"fail/port zero", "did:web:example.com%3A0", false, "", ErrInvalidDID},
		{"fail/port too large", "did:web:example.com%3A65536", false, "", ErrInvalidDID},
		{"fail/port leading zero", "did:web:example.com%3A0443", false, "", ErrInvalidDID},
		{"fail/empty path segment", "did:web:example.com::x", false, "", ErrInvalidDID},
		{"fail/dot-dot segment", "did:web:example.com:..:etc", false, "", ErrInvalidDID},
		{"fail/encoded dot-dot segment", "did:web:example.com:%2E%2E:etc", false, "", ErrInvalidDID},
		{"fail/encoded slash", "did:web:example.com:a%2Fb", false, "", ErrInvalidDID},
		{"fail/escape in host", "did:web:exa%6Dple.com", false, "", ErrInvalidDID},
		{"fail/userinfo-like host", "did:web:user%40example.com", false, "", ErrInvalidDID},
		{"fail/empty label", "did:web:example..com", false, "", ErrInvalidDID},
		{"fail/hyphen label", "did:web:-example.com", false, "", ErrInvalidDID},
		{"fail/underscore host", "did:web:ex_ample.com", false, "", ErrInvalidDID},
		{"fail/malformed did", "did:web:", false, "", ErrInvalidDID},
		{"fail/other method", "did:key:z6Mk", false, "", ErrMethodNotSupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := WebURL(tt.did, tt.allow)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WebURL(%q, %v) error = %v, want %v", tt.did, tt.allow, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("WebURL(%q, %v) (-want +got):\n%s", tt.did, tt.allow, diff)
			}
		})
	}
}

func TestWebDID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		url      string
		wantDID  string
		wantPath string
	}{
		{"ok/bare host", "https://badges.example.org", "did:web:badges.example.org", "/.well-known/did.json"},
		{"ok/trailing slash", "https://badges.example.org/", "did:web:badges.example.org", "/.well-known/did.json"},
		{"ok/localhost port path", "http://localhost:8080/issuer", "did:web:localhost%3A8080:issuer", "/issuer/did.json"},
		{"ok/nested path", "https://example.com/orgs/acme/", "did:web:example.com:orgs:acme", "/orgs/acme/did.json"},
		{"ok/default https port dropped", "https://Example.com:443/x", "did:web:example.com:x", "/x/did.json"},
		{"ok/non-default port", "https://example.com:8443", "did:web:example.com%3A8443", "/.well-known/did.json"},
		{"ok/loopback IP", "http://127.0.0.1:3000", "did:web:127.0.0.1%3A3000", "/.well-known/did.json"},
		{"ok/segment escaped", "https://example.com/a~b/c:d", "did:web:example.com:a%7Eb:c%3Ad", "/a~b/c:d/did.json"},
		{"fail/http on public host", "http://badges.example.org", "", ""},
		{"fail/public IP", "https://93.184.216.34", "", ""},
		{"fail/IPv6 loopback", "http://[::1]:8080", "", ""},
		{"fail/query", "https://example.com/?x=1", "", ""},
		{"fail/fragment", "https://example.com/#x", "", ""},
		{"fail/userinfo", "https://u:p@example.com", "", ""},
		{"fail/relative", "/issuer", "", ""},
		{"fail/ftp", "ftp://example.com", "", ""},
		{"fail/dot segment", "https://example.com/a/../b", "", ""},
		{"fail/empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := WebDID(tt.url)
			if (tt.wantDID == "") != (err != nil) {
				t.Fatalf("WebDID(%q) = %q, %v; want %q", tt.url, got, err, tt.wantDID)
			}
			if err != nil && !errors.Is(err, ErrInvalidDID) {
				t.Errorf("WebDID(%q) error = %v, want ErrInvalidDID", tt.url, err)
			}
			if diff := cmp.Diff(tt.wantDID, got); diff != "" {
				t.Errorf("WebDID(%q) (-want +got):\n%s", tt.url, diff)
			}
			if diff := cmp.Diff(tt.wantPath, WebDocumentPath(tt.url)); diff != "" {
				t.Errorf("WebDocumentPath(%q) (-want +got):\n%s", tt.url, diff)
			}
			if got == "" {
				return
			}
			// The document path is the path of the URL the DID maps to.
			u, err := WebURL(got, true)
			if err != nil {
				t.Fatalf("WebURL(%q) error = %v", got, err)
			}
			if !strings.HasSuffix(u, escapePath(tt.wantPath)) {
				t.Errorf("WebURL(%q) = %q, want path %q", got, u, tt.wantPath)
			}
		})
	}
}

func escapePath(p string) string {
	return strings.NewReplacer("~", "%7E", ":", "%3A").Replace(p)
}

// didServer serves did.json documents whose id is derived from the request
// host and path, so any did:web pointing at it resolves. Path segments
// select misbehaviours.
type didServer struct {
	*httptest.Server
	hits   atomic.Int64
	accept atomic.Value // last Accept header
}

const testKeyMultibase = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"

func webDocJSON(id string) string {
	return fmt.Sprintf(`{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": %[1]q,
  "verificationMethod": [{"id": "%[1]s#key-1", "type": "Multikey", "controller": %[1]q, "publicKeyMultibase": %[2]q}],
  "assertionMethod": ["%[1]s#key-1"],
  "authentication": ["#key-1"]
}`, id, testKeyMultibase)
}

func (s *didServer) handle(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.accept.Store(r.Header.Get("Accept"))
	id := "did:web:" + strings.ReplaceAll(r.Host, ":", "%3A")
	if p := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/did.json"); p != ".well-known" {
		id += ":" + strings.ReplaceAll(p, "/", ":")
	}
	seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	w.Header().Set("Content-Type", "application/did+json")
	switch seg {
	case "notfound":
		http.NotFound(w, r)
	case "gone":
		w.WriteHeader(http.StatusGone)
	case "error":
		w.WriteHeader(http.StatusInternalServerError)
	case "big":
		fmt.Fprintf(w, `{"id": %q, "pad": "%s"}`, id, strings.Repeat("a", MaxWebDocumentBytes))
	case "notjson":
		fmt.Fprint(w, "<html>hello</html>")
	case "array":
		fmt.Fprintf(w, "[%s]", webDocJSON(id))
	case "string":
		fmt.Fprintf(w, "%q", id)
	case "trailing":
		fmt.Fprint(w, webDocJSON(id)+"{}")
	case "mismatch":
		fmt.Fprint(w, webDocJSON("did:web:evil.example"))
	case "noid":
		fmt.Fprint(w, `{"verificationMethod": []}`)
	case "privjwk":
		fmt.Fprintf(w, `{"id": %[1]q, "verificationMethod": [{"id": "%[1]s#k", "type": "JsonWebKey2020", "controller": %[1]q,
			"publicKeyJwk": {"kty":"OKP","crv":"Ed25519","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}]}`, id)
	case "metadata":
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/did.json", http.StatusFound)
	case "private":
		http.Redirect(w, r, "http://10.0.0.1/did.json", http.StatusFound)
	default:
		fmt.Fprint(w, webDocJSON(id))
	}
}

func newDIDServer(t testing.TB) *didServer {
	t.Helper()
	s := &didServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

// webDID returns the did:web of the server under host ("127.0.0.1" or
// "localhost") with the given path segments.
func (s *didServer) webDID(host string, segs ...string) string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return strings.Join(append([]string{"did:web:" + host + "%3A" + port}, segs...), ":")
}

func TestWebResolver(t *testing.T) {
	t.Parallel()
	srv := newDIDServer(t)
	loopbackClient := httpguard.New(httpguard.Options{AllowLoopback: true})
	t.Cleanup(func() { // after the parallel subtests
		if got, want := srv.accept.Load(), webAccept; got != want {
			t.Errorf("Accept header = %q, want %q", got, want)
		}
	})
	tests := []struct {
		name     string
		r        *WebResolver
		did      string
		wantErr  []error
		wantCode string
	}{
		{"ok/bare host", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1"), nil, ""},
		{"ok/path", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "issuer", "one"), nil, ""},
		{"ok/localhost", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("localhost", "issuer"), nil, ""},
		{"ok/default client", &WebResolver{AllowInsecureLoopback: true}, srv.webDID("127.0.0.1"), nil, ""},
		{"fail/404", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "notfound"), []error{ErrNotFound, httpguard.ErrStatus}, CodeNotFound},
		{"fail/410", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "gone"), []error{ErrNotFound}, CodeNotFound},
		{"fail/500", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "error"), []error{httpguard.ErrStatus}, CodeInternalError},
		{"fail/oversized", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "big"), []error{ErrInvalidDocument, httpguard.ErrTooLarge}, CodeInvalidDocument},
		{"fail/not JSON", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "notjson"), []error{ErrInvalidDocument}, CodeInvalidDocument},
		{"fail/JSON array", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "array"), []error{ErrInvalidDocument}, CodeInvalidDocument},
		{"fail/JSON string", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "string"), []error{ErrInvalidDocument}, CodeInvalidDocument},
		{"fail/trailing data", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "trailing"), []error{ErrInvalidDocument}, CodeInvalidDocument},
		{"fail/id mismatch", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "mismatch"), []error{ErrInvalidDocument}, CodeInvalidDocument},
		{"fail/no id", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "noid"), []error{ErrInvalidDocument}, CodeInvalidDocument},
		{"fail/private JWK", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "privjwk"), []error{ErrInvalidDocument, keys.ErrPrivateJWK}, CodeInvalidDocument},
		{"fail/redirect to metadata address", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "metadata"), []error{httpguard.ErrForbiddenAddress}, CodeInternalError},
		{"fail/redirect to private address", &WebResolver{Client: loopbackClient, AllowInsecureLoopback: true}, srv.webDID("127.0.0.1", "private"), []error{httpguard.ErrForbiddenAddress}, CodeInternalError},
		{"fail/loopback refused by client", &WebResolver{Client: httpguard.New(httpguard.Options{}), AllowInsecureLoopback: true}, srv.webDID("localhost"), []error{httpguard.ErrForbiddenAddress}, CodeInternalError},
		{"fail/loopback IP not allowed", &WebResolver{Client: loopbackClient}, srv.webDID("127.0.0.1"), []error{ErrInvalidDID}, CodeInvalidDID},
		{"fail/malformed", &WebResolver{Client: loopbackClient}, "did:web:", []error{ErrInvalidDID}, CodeInvalidDID},
		{"fail/other method", &WebResolver{Client: loopbackClient}, "did:jwk:e30", []error{ErrMethodNotSupported}, CodeMethodNotSupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := tt.r.Resolve(t.Context(), tt.did)
			if got := ErrorCode(err); got != tt.wantCode {
				t.Errorf("ErrorCode(%v) = %q, want %q", err, got, tt.wantCode)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Resolve(%q) error = %v, want %v", tt.did, err, want)
				}
			}
			if tt.wantErr != nil {
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q) error = %v", tt.did, err)
			}
			if doc.ID != tt.did {
				t.Errorf("document id = %q, want %q", doc.ID, tt.did)
			}
			for _, rel := range []string{AssertionMethod, Authentication} {
				vm, err := doc.Method(tt.did+"#key-1", rel)
				if err != nil {
					t.Fatalf("Method(#key-1, %s) error = %v", rel, err)
				}
				if vm.PublicKeyMultibase != testKeyMultibase {
					t.Errorf("publicKeyMultibase = %q, want %q", vm.PublicKeyMultibase, testKeyMultibase)
				}
			}
			if _, err := doc.Method("#key-1", CapabilityInvocation); !errors.Is(err, ErrNotAuthorized) {
				t.Errorf("Method(#key-1, capabilityInvocation) error = %v, want ErrNotAuthorized", err)
			}
		})
	}
}

// localhostCert returns a self-signed certificate for localhost and the pool
// that trusts it (httptest's own certificate does not name localhost).
func localhostCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, pool
}

func TestWebResolverHTTPS(t *testing.T) {
	t.Parallel()
	s := &didServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	cert, pool := localhostCert(t)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate case fails the handshake on purpose
	s.StartTLS()
	t.Cleanup(s.Close)

	did := s.webDID("localhost", "issuer")
	u, err := WebURL(did, false)
	if err != nil || !strings.HasPrefix(u, "https://localhost:") {
		t.Fatalf("WebURL(%q) = %q, %v; want https://localhost:...", did, u, err)
	}
	trusting := httpguard.New(httpguard.Options{AllowLoopback: true, TLSClientConfig: &tls.Config{RootCAs: pool}})
	doc, err := (&WebResolver{Client: trusting}).Resolve(t.Context(), did)
	if err != nil {
		t.Fatalf("Resolve(%q) error = %v", did, err)
	}
	if _, err := doc.Method(did+"#key-1", AssertionMethod); err != nil {
		t.Errorf("Method() error = %v", err)
	}

	// Same server, default trust store: the self-signed certificate fails.
	var certErr *tls.CertificateVerificationError
	_, err = (&WebResolver{Client: httpguard.New(httpguard.Options{AllowLoopback: true})}).Resolve(t.Context(), did)
	if !errors.As(err, &certErr) {
		t.Errorf("Resolve() with untrusted certificate error = %v, want *tls.CertificateVerificationError", err)
	}
	// And plain http to a TLS port is not attempted without the opt-in.
	if s.hits.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", s.hits.Load())
	}
}

// BenchmarkResolveWebCached measures a did:web cache hit, which includes a
// deep copy of the document.
// Run with: go test -run '^$' -bench ResolveWebCached -benchmem ./did/
func BenchmarkResolveWebCached(b *testing.B) {
	srv := newDIDServer(b)
	r := NewCache(&WebResolver{Client: httpguard.New(httpguard.Options{AllowLoopback: true}), AllowInsecureLoopback: true}, time.Hour, 100, nil)
	did := srv.webDID("127.0.0.1", "issuer")
	ctx := b.Context()
	if _, err := r.Resolve(ctx, did); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(ctx, did); err != nil {
			b.Fatal(err)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		b.Fatalf("server saw %d requests, want 1", n)
	}
}
