package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/wallet"
	"github.com/gin-gonic/gin"
)

// Wallet is the holder service behind /wallet/v1 and /share. Every method
// but the sign-up, sign-in and share-link reads takes the ID of the holder
// the session token authenticated, and answers only about that holder's
// things.
type Wallet interface {
	SignUp(ctx context.Context, c wallet.Credentials) error
	VerifySignUp(ctx context.Context, token string) (wallet.Holder, error)
	SignIn(ctx context.Context, c wallet.Credentials) (wallet.Session, error)
	SignOut(ctx context.Context, token string) error
	Authenticate(ctx context.Context, token string) (wallet.Holder, error)

	DIDs(ctx context.Context, holderID string) ([]wallet.DID, error)
	AddDID(ctx context.Context, holderID string, req wallet.AddDIDRequest) (wallet.DID, error)

	Import(ctx context.Context, holderID string, data []byte) (wallet.Credential, error)
	Credentials(ctx context.Context, holderID string, q wallet.Query) (wallet.Page, error)
	Credential(ctx context.Context, holderID, id string) (wallet.Credential, error)
	DeleteCredential(ctx context.Context, holderID, id string) error
	Reverify(ctx context.Context, holderID, id string) (wallet.Credential, error)
	Export(ctx context.Context, holderID string) (wallet.Bundle, error)

	Present(ctx context.Context, holderID string, req wallet.PresentRequest) (wallet.Presentation, error)

	Share(ctx context.Context, holderID, credentialID string, req wallet.ShareRequest) (wallet.Share, error)
	Shares(ctx context.Context, holderID string) ([]wallet.Share, error)
	RevokeShare(ctx context.Context, holderID, token string) error
	SharedCredential(ctx context.Context, token string) (wallet.Shared, error)
}

var _ Wallet = (*wallet.Service)(nil)

// ctxHolder is the gin context key of the authenticated holder.
const ctxHolder = "accolade.holder"

func (s *Server) walletRoutes() {
	if s.cfg.Wallet == nil {
		return
	}
	w := s.engine.Group("/wallet/v1", noStore)
	w.POST("/signup", wrap(s.walletSignUp))
	w.GET("/signup/verify", wrap(s.walletSignUpPage))
	w.POST("/signup/verify", wrap(s.walletVerifySignUp))
	w.POST("/signin", wrap(s.walletSignIn))
	h := w.Group("", s.requireHolder)
	h.POST("/signout", wrap(s.walletSignOut))
	h.GET("/dids", wrap(s.walletDIDs))
	h.POST("/dids", wrap(s.walletAddDID))
	h.POST("/credentials", wrap(s.walletImport))
	h.GET("/credentials", wrap(s.walletList))
	h.GET("/credentials/:id", wrap(s.walletGet))
	h.DELETE("/credentials/:id", wrap(s.walletDelete))
	h.POST("/credentials/:id/verify", wrap(s.walletReverify))
	h.POST("/credentials/:id/share", wrap(s.walletShare))
	h.GET("/export", wrap(s.walletExport))
	h.POST("/presentations", wrap(s.walletPresent))
	h.GET("/shares", wrap(s.walletShares))
	h.DELETE("/shares/:token", wrap(s.walletRevokeShare))
	s.engine.GET("/share/:token", noStore, wrap(s.sharedCredential))
}

// noStore keeps wallet answers, which are personal, out of shared caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// bearer returns the request's bearer token.
func bearer(c *gin.Context) string {
	tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(tok)
}

// requireHolder authenticates the holder's session token. The admin token
// is not a session token and is refused like any other unknown one.
func (s *Server) requireHolder(c *gin.Context) {
	h, err := s.cfg.Wallet.Authenticate(c.Request.Context(), bearer(c))
	if err != nil {
		writeProblem(c, toProblem(err), err)
		return
	}
	c.Set(ctxHolder, h)
	c.Next()
}

func holderID(c *gin.Context) string {
	h, _ := c.Get(ctxHolder)
	return h.(wallet.Holder).ID
}

// clientIP is the peer address, for the per-IP sign-in limit. Forwarded
// headers are not trusted: anyone can set them.
func clientIP(c *gin.Context) string { return c.RemoteIP() }

func (s *Server) walletSignUp(c *gin.Context) error {
	var in wallet.Credentials
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	in.ClientIP = clientIP(c)
	if err := s.cfg.Wallet.SignUp(c.Request.Context(), in); err != nil {
		return err
	}
	// The same answer whether or not the address has a wallet.
	return writeJSON(c, http.StatusAccepted, "application/json", gin.H{"status": "confirmation-sent",
		"detail": "a confirmation link was mailed to the address; the wallet exists once it is opened"})
}

// signUpPage is the page the mailed confirmation link opens: a form that
// posts the token back, so that a mail scanner fetching the link does not
// confirm the address on its own. No script: the CSP forbids it.
var signUpPage = template.Must(template.New("signup").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head><body><main>
<h1>{{.Title}}</h1>
{{if .Token}}<form method="post" action="` + wallet.SignUpPath + `">
<input type="hidden" name="token" value="{{.Token}}">
<button type="submit">Confirm my address and create my wallet</button>
</form>{{else}}<p>{{.Message}}</p>{{end}}
</main></body></html>
`))

type signUpView struct{ Title, Token, Message string }

func writeSignUpPage(c *gin.Context, status int, v signUpView) error {
	c.Header("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Header("Referrer-Policy", "no-referrer")
	var b strings.Builder
	if err := signUpPage.Execute(&b, v); err != nil {
		return fmt.Errorf("sign-up page: %w", err)
	}
	c.Data(status, "text/html; charset=utf-8", []byte(b.String()))
	return nil
}

func (s *Server) walletSignUpPage(c *gin.Context) error {
	tok := c.Query("token")
	if tok == "" || len(tok) > 128 {
		return writeSignUpPage(c, http.StatusBadRequest, signUpView{Title: "Confirm your wallet", Message: "This link is incomplete: open the whole link from the mail."})
	}
	return writeSignUpPage(c, http.StatusOK, signUpView{Title: "Confirm your wallet", Token: tok})
}

// walletVerifySignUp confirms a sign-up: JSON {"token"} answers the holder
// (201) or a problem; the page's form answers a page.
func (s *Server) walletVerifySignUp(c *gin.Context) error {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "application/x-www-form-urlencoded" {
		_, err := s.cfg.Wallet.VerifySignUp(c.Request.Context(), c.PostForm("token"))
		switch {
		case err == nil:
			return writeSignUpPage(c, http.StatusCreated, signUpView{Title: "Your wallet is ready", Message: "Your address is confirmed. Sign in with it and your password."})
		case errors.Is(err, wallet.ErrVerificationInvalid), errors.Is(err, wallet.ErrEmailTaken):
			_ = c.Error(err)
			return writeSignUpPage(c, toProblem(err).Status, signUpView{Title: "This link does not work", Message: toProblem(err).Detail})
		}
		return err
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	h, err := s.cfg.Wallet.VerifySignUp(c.Request.Context(), in.Token)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, "application/json", h)
}

func (s *Server) walletSignIn(c *gin.Context) error {
	var in wallet.Credentials
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	in.ClientIP = clientIP(c)
	sess, err := s.cfg.Wallet.SignIn(c.Request.Context(), in)
	if err != nil {
		return err
	}
	// RFC 6750 token response shape, with the expiry as a time too.
	return writeJSON(c, http.StatusOK, "application/json", gin.H{
		"access_token": sess.Token, "token_type": "Bearer",
		"expires_in": int(time.Until(sess.Expires).Seconds()), "expires": sess.Expires, "holderId": sess.HolderID,
	})
}

func (s *Server) walletSignOut(c *gin.Context) error {
	if err := s.cfg.Wallet.SignOut(c.Request.Context(), bearer(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) walletDIDs(c *gin.Context) error {
	ds, err := s.cfg.Wallet.DIDs(c.Request.Context(), holderID(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": ds})
}

func (s *Server) walletAddDID(c *gin.Context) error {
	var req wallet.AddDIDRequest
	if err := bindJSON(c, &req, true); err != nil {
		return err
	}
	d, err := s.cfg.Wallet.AddDID(c.Request.Context(), holderID(c), req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, "application/json", d)
}

// importRequest is the JSON form of an import: exactly one of credential
// (a JSON-LD credential object, or a VC-JWT string) and image (a baked PNG
// or SVG, base64 or a data: URL).
type importRequest struct {
	Credential json.RawMessage `json:"credential"`
	Image      string          `json:"image"`
}

// walletImport takes a credential as JSON ({credential} or {image}), or raw
// with its media type: image/png, image/svg+xml, a VC-JWT
// (application/vc+jwt, application/jwt, text/plain) or a JSON-LD credential
// (application/vc, application/vc+ld+json, application/ld+json).
func (s *Server) walletImport(c *gin.Context) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var data []byte
	switch mt {
	case "application/json", "":
		var req importRequest
		if err := bindJSON(c, &req, false); err != nil {
			return err
		}
		hasCred := len(req.Credential) > 0 && string(req.Credential) != "null"
		switch {
		case hasCred == (req.Image != ""):
			return errBadRequest("give exactly one of credential (a JSON object or a VC-JWT string) and image (a baked PNG or SVG, base64)", nil)
		case hasCred:
			data = req.Credential
		default:
			img, err := decodeImage(req.Image)
			if err != nil {
				return errBadRequest("image must be base64 (or a data: URL) of a PNG or SVG", err)
			}
			data = img
		}
	case "image/png", "image/svg+xml", "application/vc+jwt", "application/jwt", "text/plain",
		"application/vc", "application/vc+ld+json", "application/ld+json":
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return &HTTPError{Status: http.StatusRequestEntityTooLarge, Slug: "body-too-large", Msg: fmt.Sprintf("the body exceeds %d bytes", mbe.Limit)}
			}
			return errBadRequest("the body could not be read", err)
		}
		data = body
	default:
		return &HTTPError{Status: http.StatusUnsupportedMediaType, Slug: "unsupported-media-type",
			Msg: "send application/json ({credential} or {image}), image/png, image/svg+xml, application/vc+jwt or application/vc"}
	}
	cred, err := s.cfg.Wallet.Import(c.Request.Context(), holderID(c), data)
	if err != nil {
		return err
	}
	c.Header("Location", "/wallet/v1/credentials/"+cred.ID)
	return writeJSON(c, http.StatusCreated, "application/json", cred)
}

// decodeImage reads base64 (standard or URL alphabet, padded or not) or a
// data: URL with base64 content.
func decodeImage(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		meta, payload, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(meta, ";base64") {
			return nil, errors.New("data URL is not base64")
		}
		s = payload
	}
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func (s *Server) walletList(c *gin.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return err
	}
	q := wallet.Query{Issuer: c.Query("issuer"), Achievement: c.Query("achievement"), Type: c.Query("type"),
		State: c.Query("status"), Limit: limit, Cursor: cursor}
	for name, dst := range map[string]*time.Time{"from": &q.From, "until": &q.Until} {
		v := c.Query(name)
		if v == "" {
			continue
		}
		t, err := parseDate(v, name == "until")
		if err != nil {
			return errBadRequest(name+" must be a date (2025-06-01) or a date-time with a time zone", err)
		}
		*dst = t
	}
	page, err := s.cfg.Wallet.Credentials(c.Request.Context(), holderID(c), q)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", page)
}

// parseDate reads an RFC 3339 date-time, or a date meaning its first (or,
// for an upper bound, last) instant in UTC.
func parseDate(v string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}

func (s *Server) walletGet(c *gin.Context) error {
	cred, err := s.cfg.Wallet.Credential(c.Request.Context(), holderID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", cred)
}

func (s *Server) walletDelete(c *gin.Context) error {
	if err := s.cfg.Wallet.DeleteCredential(c.Request.Context(), holderID(c), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) walletReverify(c *gin.Context) error {
	cred, err := s.cfg.Wallet.Reverify(c.Request.Context(), holderID(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", cred)
}

func (s *Server) walletExport(c *gin.Context) error {
	b, err := s.cfg.Wallet.Export(c.Request.Context(), holderID(c))
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="accolade-wallet.json"`)
	return writeJSON(c, http.StatusOK, "application/json", b)
}

func (s *Server) walletPresent(c *gin.Context) error {
	var req wallet.PresentRequest
	if err := bindJSON(c, &req, false); err != nil {
		return err
	}
	p, err := s.cfg.Wallet.Present(c.Request.Context(), holderID(c), req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, "application/json", p)
}

func (s *Server) walletShare(c *gin.Context) error {
	var req wallet.ShareRequest
	if err := bindJSON(c, &req, true); err != nil {
		return err
	}
	sh, err := s.cfg.Wallet.Share(c.Request.Context(), holderID(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.Header("Location", sh.URL)
	return writeJSON(c, http.StatusCreated, "application/json", sh)
}

func (s *Server) walletShares(c *gin.Context) error {
	list, err := s.cfg.Wallet.Shares(c.Request.Context(), holderID(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": list})
}

func (s *Server) walletRevokeShare(c *gin.Context) error {
	if err := s.cfg.Wallet.RevokeShare(c.Request.Context(), holderID(c), c.Param("token")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// sharedCredential serves the credential behind a share link: the JSON-LD
// credential object, or the VC-JWT as a JSON string. Until public badge
// pages exist this is the link's whole page.
func (s *Server) sharedCredential(c *gin.Context) error {
	sh, err := s.cfg.Wallet.SharedCredential(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("X-Robots-Tag", "noindex")
	c.Data(http.StatusOK, "application/json", sh.Credential)
	return nil
}
