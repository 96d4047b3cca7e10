package api

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

// OID4VCI is the OpenID4VCI issuer service the API exposes.
type OID4VCI interface {
	Metadata(ctx context.Context) (oid4vci.IssuerMetadata, error)
	AuthorizationServerMetadata() oid4vci.AuthorizationServerMetadata

	CreateOffers(ctx context.Context, req issuer.OfferRequest) ([]issuer.OfferResult, error)
	OfferByReference(ctx context.Context, ref string) (issuer.OfferView, error)
	ApproveOffer(ctx context.Context, id string) error

	StartAuthorization(ctx context.Context, q url.Values, client string) (issuer.AuthorizationStep, error)
	SendAuthorizationCode(ctx context.Context, sessionID, email string) (issuer.AuthorizationStep, error)
	CompleteAuthorization(ctx context.Context, sessionID, code string) (issuer.AuthorizationStep, error)

	Token(ctx context.Context, req oid4vci.TokenRequest) (oid4vci.TokenResponse, error)
	Nonce(ctx context.Context) (string, error)
	Credential(ctx context.Context, accessToken string, req oid4vci.CredentialRequest) (oid4vci.CredentialResponse, error)
	Deferred(ctx context.Context, accessToken string, req oid4vci.DeferredRequest) (oid4vci.CredentialResponse, error)
	Notify(ctx context.Context, accessToken string, req oid4vci.NotificationRequest) error
	Notifications(ctx context.Context, credentialID string) ([]issuer.Notification, error)
}

// oid4vciRoutes registers the OpenID4VCI endpoints. The well-known
// documents sit at the RFC 8414 inserted paths of the public URL, and the
// protocol endpoints under its path, so they are reachable at exactly the
// URLs the metadata advertises.
func (s *Server) oid4vciRoutes(admin *gin.RouterGroup) {
	if s.cfg.OID4VCI == nil {
		return
	}
	prefix := publicPath(s.cfg.PublicURL)
	e := s.engine
	e.GET(oid4vci.WellKnownPath(prefix, oid4vci.WellKnownCredentialIssuer), wrap(s.issuerMetadata))
	e.GET(oid4vci.WellKnownPath(prefix, oid4vci.WellKnownAuthorizationServer), wrap(s.authorizationServerMetadata))

	offers := prefix + issuer.OID4VCIPathOffers + "/:ref"
	e.GET(offers, redactPath, wrap(s.offerByReference))
	e.GET(offers+"/qr.png", redactPath, wrap(s.offerQR("png")))
	e.GET(offers+"/qr.svg", redactPath, wrap(s.offerQR("svg")))

	e.GET(prefix+issuer.OID4VCIPathAuthorize, wrap(s.authorizePage))
	e.POST(prefix+issuer.OID4VCIPathAuthorize, wrap(s.authorizeForm))
	e.POST(prefix+issuer.OID4VCIPathToken, s.oauth(oid4vci.CodeInvalidRequest, s.token))
	e.POST(prefix+issuer.OID4VCIPathNonce, s.oauth(oid4vci.CodeInvalidRequest, s.nonce))
	e.POST(prefix+issuer.OID4VCIPathCredential, s.oauth(oid4vci.CodeInvalidCredentialRequest, s.credential))
	e.POST(prefix+issuer.OID4VCIPathDeferred, s.oauth(oid4vci.CodeInvalidCredentialRequest, s.deferred))
	e.POST(prefix+issuer.OID4VCIPathNotification, s.oauth(oid4vci.CodeInvalidNotificationRequest, s.notification))

	admin.POST("/offers", wrap(s.createOffers))
	admin.POST("/offers/:id/approve", wrap(s.approveOffer))
	admin.GET("/credentials/:id/notifications", wrap(s.credentialNotifications))
}

// publicPath is the escaped path of the public URL without its trailing
// "/" ("" for a bare host).
func publicPath(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.EscapedPath(), "/")
}

// redactPath keeps the secret in an offer URL out of the access log: once
// the handler has run, the logged path is the route pattern.
func redactPath(c *gin.Context) {
	c.Next()
	c.Request.URL.Path = c.FullPath()
}

func (s *Server) issuerMetadata(c *gin.Context) error {
	md, err := s.cfg.OID4VCI.Metadata(c.Request.Context())
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=60")
	return writeJSON(c, http.StatusOK, "application/json", md)
}

func (s *Server) authorizationServerMetadata(c *gin.Context) error {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=3600")
	return writeJSON(c, http.StatusOK, "application/json", s.cfg.OID4VCI.AuthorizationServerMetadata())
}

// --- offers -----------------------------------------------------------------

func (s *Server) createOffers(c *gin.Context) error {
	var req issuer.OfferRequest
	if err := bindJSON(c, &req, false); err != nil {
		return err
	}
	offers, err := s.cfg.OID4VCI.CreateOffers(c.Request.Context(), req)
	if err != nil {
		return err
	}
	// The body holds pre-authorized codes and tx codes.
	c.Header("Cache-Control", "no-store")
	return writeJSON(c, http.StatusCreated, "application/json", gin.H{"offers": offers})
}

func (s *Server) approveOffer(c *gin.Context) error {
	if err := s.cfg.OID4VCI.ApproveOffer(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"id": c.Param("id"), "approved": true})
}

func (s *Server) credentialNotifications(c *gin.Context) error {
	items, err := s.cfg.OID4VCI.Notifications(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": items})
}

// offerByReference serves a Credential Offer passed by reference (§4.1.3):
// application/json, never cached.
func (s *Server) offerByReference(c *gin.Context) error {
	v, err := s.cfg.OID4VCI.OfferByReference(c.Request.Context(), c.Param("ref"))
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "no-store")
	return writeJSON(c, http.StatusOK, "application/json", v.Offer)
}

// offerQR serves the offer's deep link as a QR code.
func (s *Server) offerQR(format string) handler {
	return func(c *gin.Context) error {
		v, err := s.cfg.OID4VCI.OfferByReference(c.Request.Context(), c.Param("ref"))
		if err != nil {
			return err
		}
		q, err := qrcode.New(v.Link, qrcode.Medium)
		if err != nil {
			return fmt.Errorf("qr code: %w", err)
		}
		c.Header("Cache-Control", "no-store")
		if format == "svg" {
			c.Data(http.StatusOK, "image/svg+xml", qrSVG(q.Bitmap()))
			return nil
		}
		png, err := q.PNG(320)
		if err != nil {
			return fmt.Errorf("qr code: %w", err)
		}
		c.Data(http.StatusOK, "image/png", png)
		return nil
	}
}

// qrSVG draws a QR bitmap (quiet zone included) as one SVG path, a unit
// square per dark module.
func qrSVG(bits [][]bool) []byte {
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`, n, n, n*8, n*8)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String())
}

// --- OAuth-style endpoints --------------------------------------------------

// oauth adapts a handler of the token, nonce, credential, deferred and
// notification endpoints: responses are never cached, and errors are the
// RFC 6749 §5.2 body {error, error_description} rather than problem+json.
// fallback is the code for request problems found before the handler's own
// parsing (body too large, wrong media type).
func (s *Server) oauth(fallback string, h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Header("Pragma", "no-cache")
		if err := h(c); err != nil {
			s.writeOAuthError(c, fallback, err)
		}
	}
}

// oauthError is the RFC 6749 §5.2 error body. c_nonce, c_nonce_expires_in
// and interval are sent only to wallets of pre-final drafts (draft 13
// §7.3.2, §9.3), with invalid_proof, invalid_nonce and issuance_pending.
type oauthError struct {
	Error           string `json:"error"`
	Description     string `json:"error_description,omitempty"`
	ErrorID         string `json:"error_id,omitempty"`
	CNonce          string `json:"c_nonce,omitempty"`
	CNonceExpiresIn int64  `json:"c_nonce_expires_in,omitempty"`
	Interval        int64  `json:"interval,omitempty"`
}

// oauthStatus is the HTTP status of each error code: 401 for a bad access
// token (RFC 6750 §3.1), 403 for insufficient scope, 400 for the rest
// (RFC 6749 §5.2; OpenID4VCI §8.3.1, §9.3, §11.3).
func oauthStatus(code string) int {
	switch code {
	case oid4vci.CodeInvalidToken:
		return http.StatusUnauthorized
	case oid4vci.CodeInsufficientScope:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

func (s *Server) writeOAuthError(c *gin.Context, fallback string, err error) {
	_ = c.Error(err)
	body, status := toOAuth(err, fallback)
	if body.Error == oid4vci.CodeInvalidToken {
		// RFC 6750 §3: no error attribute when the request had no token.
		if _, ok := bearerToken(c); ok {
			c.Header("WWW-Authenticate", fmt.Sprintf(`Bearer realm="accolade", error="invalid_token", error_description=%q`, asciiHeader(body.Description)))
		} else {
			c.Header("WWW-Authenticate", `Bearer realm="accolade"`)
		}
	}
	if body.ErrorID != "" {
		c.Set(ctxErrorID, body.ErrorID)
	}
	raw, _ := jsonMarshal(body)
	c.Data(status, "application/json", raw)
	c.Abort()
}

// asciiHeader keeps a description to the characters RFC 6750 §3 allows in
// error_description.
func asciiHeader(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// bearerToken returns the token of an "Authorization: Bearer" header
// (RFC 6750 §2.1; the scheme is case-insensitive).
func bearerToken(c *gin.Context) (string, bool) {
	h := c.GetHeader("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", h != ""
	}
	return strings.TrimSpace(tok), true
}

// readBody reads the request body, checking its media type: want is
// "application/json" or "application/x-www-form-urlencoded". A missing
// Content-Type is accepted for JSON only.
func readBody(c *gin.Context, want string, code string) ([]byte, error) {
	ct := c.GetHeader("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if (ct != "" || want != "application/json") && (err != nil || mt != want) {
		return nil, oid4vci.Errorf(code, "send the body as %s", want)
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &HTTPError{Status: http.StatusRequestEntityTooLarge, Slug: "body-too-large", Msg: fmt.Sprintf("the body exceeds %d bytes", mbe.Limit)}
		}
		return nil, oid4vci.Wrap(code, "the body could not be read", err)
	}
	return body, nil
}

func (s *Server) token(c *gin.Context) error {
	body, err := readBody(c, "application/x-www-form-urlencoded", oid4vci.CodeInvalidRequest)
	if err != nil {
		return err
	}
	req, err := oid4vci.ParseTokenRequest(body)
	if err != nil {
		return err
	}
	resp, err := s.cfg.OID4VCI.Token(c.Request.Context(), req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", resp)
}

func (s *Server) nonce(c *gin.Context) error {
	n, err := s.cfg.OID4VCI.Nonce(c.Request.Context())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", oid4vci.NonceResponse{CNonce: n})
}

// accessToken returns the bearer token, or invalid_token for any other
// scheme (DPoP is not supported).
func accessToken(c *gin.Context) (string, error) {
	tok, ok := bearerToken(c)
	switch {
	case !ok:
		return "", oid4vci.Errorf(oid4vci.CodeInvalidToken, "a bearer access token is required")
	case tok == "":
		return "", oid4vci.Errorf(oid4vci.CodeInvalidToken, "send the access token as Authorization: Bearer")
	}
	return tok, nil
}

func (s *Server) credential(c *gin.Context) error {
	tok, err := accessToken(c)
	if err != nil {
		return err
	}
	body, err := readBody(c, "application/json", oid4vci.CodeInvalidCredentialRequest)
	if err != nil {
		return err
	}
	req, err := oid4vci.ParseCredentialRequest(body)
	if err != nil {
		return err
	}
	resp, err := s.cfg.OID4VCI.Credential(c.Request.Context(), tok, req)
	if err != nil {
		return err
	}
	return writeCredentialResponse(c, resp)
}

// writeCredentialResponse sends 200 with credentials, or 202 with a
// transaction_id (§8.3, §9.2).
func writeCredentialResponse(c *gin.Context, resp oid4vci.CredentialResponse) error {
	status := http.StatusOK
	if resp.TransactionID != "" {
		status = http.StatusAccepted
	}
	return writeJSON(c, status, "application/json", resp)
}

func (s *Server) deferred(c *gin.Context) error {
	tok, err := accessToken(c)
	if err != nil {
		return err
	}
	body, err := readBody(c, "application/json", oid4vci.CodeInvalidCredentialRequest)
	if err != nil {
		return err
	}
	req, err := oid4vci.ParseDeferredRequest(body)
	if err != nil {
		return err
	}
	resp, err := s.cfg.OID4VCI.Deferred(c.Request.Context(), tok, req)
	if err != nil {
		return err
	}
	return writeCredentialResponse(c, resp)
}

func (s *Server) notification(c *gin.Context) error {
	tok, err := accessToken(c)
	if err != nil {
		return err
	}
	body, err := readBody(c, "application/json", oid4vci.CodeInvalidNotificationRequest)
	if err != nil {
		return err
	}
	req, err := oid4vci.ParseNotificationRequest(body)
	if err != nil {
		return err
	}
	if err := s.cfg.OID4VCI.Notify(c.Request.Context(), tok, req); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// --- authorization endpoint -------------------------------------------------

var authorizeTemplate = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Claim your badge</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
input{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}button{font-size:1rem;padding:.5rem 1rem;margin-top:.5rem}
.msg{background:#f3f3f3;padding:.6rem;border-radius:.3rem}.err{background:#fde8e8}</style></head><body>
{{if .Error}}<h1>This link cannot be used</h1><p class="msg err">{{.Error}}</p>
{{else}}<h1>Claim “{{.Achievement}}”</h1>
{{if .Message}}<p class="msg">{{.Message}}</p>{{end}}
{{if eq .Stage "email"}}<form method="post" action="{{.Action}}"><input type="hidden" name="session" value="{{.SessionID}}">
<label for="email">Email address</label><input id="email" name="email" type="email" autocomplete="email" required>
<button type="submit">Send me a code</button></form>
{{else}}<form method="post" action="{{.Action}}"><input type="hidden" name="session" value="{{.SessionID}}">
<label for="code">One-time code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" required>
<button type="submit">Continue</button></form>
<form method="post" action="{{.Action}}"><input type="hidden" name="session" value="{{.SessionID}}">
<p>No code? Enter the address again to get a new one.</p><input name="email" type="email" autocomplete="email" required>
<button type="submit">Send a new code</button></form>{{end}}{{end}}
</body></html>`))

type authorizeView struct {
	issuer.AuthorizationStep
	Action string
	Error  string
}

// renderAuthorize shows the authorization page, or redirects the user agent
// back to the wallet when the step says so.
func (s *Server) renderAuthorize(c *gin.Context, step issuer.AuthorizationStep, err error) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	view := authorizeView{AuthorizationStep: step, Action: publicPath(s.cfg.PublicURL) + issuer.OID4VCIPathAuthorize}
	status := http.StatusOK
	var limited *issuer.RateLimitError
	if errors.As(err, &limited) {
		// Too many sign-ins for this offer or from this address: a page,
		// not a redirect, with the time to wait.
		_ = c.Error(err)
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(limited.RetryAfter.Seconds()))))
		view.Error, status = "Too many sign-in attempts for this badge or from your network. Try again later.", http.StatusTooManyRequests
	} else if err != nil {
		var oe *oid4vci.Error
		if !errors.As(err, &oe) {
			return err
		}
		_ = c.Error(err)
		view.Error, status = oe.Description, http.StatusBadRequest
	} else if step.Redirect != "" {
		c.Redirect(http.StatusSeeOther, step.Redirect)
		return nil
	}
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	return authorizeTemplate.Execute(c.Writer, view)
}

func (s *Server) authorizePage(c *gin.Context) error {
	step, err := s.cfg.OID4VCI.StartAuthorization(c.Request.Context(), c.Request.URL.Query(), clientIP(c))
	return s.renderAuthorize(c, step, err)
}

func (s *Server) authorizeForm(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return s.renderAuthorize(c, issuer.AuthorizationStep{}, oid4vci.Errorf(oid4vci.CodeInvalidRequest, "the form could not be read"))
	}
	f := c.Request.PostForm
	var step issuer.AuthorizationStep
	var err error
	switch session := f.Get("session"); {
	case session == "":
		err = oid4vci.Errorf(oid4vci.CodeInvalidRequest, "the form is incomplete; start again from your wallet")
	case f.Get("code") != "":
		step, err = s.cfg.OID4VCI.CompleteAuthorization(c.Request.Context(), session, f.Get("code"))
	default:
		step, err = s.cfg.OID4VCI.SendAuthorizationCode(c.Request.Context(), session, f.Get("email"))
	}
	return s.renderAuthorize(c, step, err)
}
