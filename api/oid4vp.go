package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

// OID4VPVerifier is the verifier half of OpenID4VP 1.0
// (verifier.OID4VPService).
type OID4VPVerifier interface {
	CreateRequest(ctx context.Context, in verifier.PresentationRequestInput) (verifier.PresentationRequest, error)
	Request(ctx context.Context, id string) (verifier.PresentationRequest, error)
	// RequestObject returns the signed request object JWT, with
	// walletNonce (from a request_uri POST) in its wallet_nonce claim.
	RequestObject(ctx context.Context, id, walletNonce string) (string, error)
	Respond(ctx context.Context, id string, form url.Values) (verifier.PresentationResult, error)
	// Refused records a response refused before Respond (not a form) as
	// an attempt of the request.
	Refused(ctx context.Context, id string, e *oid4vp.Error) error
}

var _ OID4VPVerifier = (*verifier.OID4VPService)(nil)

// oid4vpRoutes adds the verifier's presentation requests: created and read
// by the admin, fetched and answered by wallets.
func (s *Server) oid4vpRoutes(admin *gin.RouterGroup) {
	if s.cfg.OID4VP == nil {
		return
	}
	admin.POST("/presentation-requests", wrap(s.createPresentationRequest))
	admin.GET("/presentation-requests/:id", wrap(s.getPresentationRequest))
	s.engine.GET("/oid4vp/requests/:id", s.oid4vpEndpoint(s.presentationRequestObject))
	s.engine.POST("/oid4vp/requests/:id", s.oid4vpEndpoint(s.presentationRequestObject))
	s.engine.POST("/oid4vp/responses/:id", s.oid4vpEndpoint(s.presentationResponse))
}

// presentationRequestView is a request as the admin API shows it, with a
// QR code of its link.
type presentationRequestView struct {
	verifier.PresentationRequest
	// QRPNG is a data: URL of a PNG QR code of Link.
	QRPNG string `json:"qrPng"`
}

func (s *Server) createPresentationRequest(c *gin.Context) error {
	var in verifier.PresentationRequestInput
	if err := bindJSON(c, &in, true); err != nil {
		return err
	}
	// achievementId is the achievement's id in credentials (a URL); the id of
	// one of this issuer's own achievements is accepted too.
	if id := in.AchievementID; id != "" && !strings.Contains(id, ":") && s.cfg.Issuer != nil {
		a, err := s.cfg.Issuer.Achievement(c.Request.Context(), id)
		if err != nil {
			return errBadRequest("achievementId: no achievement "+strconv.Quote(id)+" here; give the achievement's id URL", err)
		}
		in.AchievementID = a.URL
	}
	r, err := s.cfg.OID4VP.CreateRequest(c.Request.Context(), in)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(r.Link, qrcode.Medium, 320)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	c.Header("Location", "/api/v1/presentation-requests/"+r.ID)
	return writeJSON(c, http.StatusCreated, "application/json", presentationRequestView{r, "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
}

func (s *Server) getPresentationRequest(c *gin.Context) error {
	r, err := s.cfg.OID4VP.Request(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", r)
}

// oid4vpEndpoint adapts the wallet-facing endpoints: never cached, errors
// as {error, error_description} (OpenID4VP §8.5).
func (s *Server) oid4vpEndpoint(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		if err := h(c); err != nil {
			_ = c.Error(err)
			body, status := toOAuth(err, oid4vp.CodeInvalidRequest)
			if body.ErrorID != "" {
				c.Set(ctxErrorID, body.ErrorID)
			}
			_ = writeJSON(c, status, "application/json", body)
		}
	}
}

// presentationRequestObject serves a signed request by reference
// (OpenID4VP §5.10, RFC 9101 §5.2): the request object JWT as
// application/oauth-authz-req+jwt. A POST (request_uri_method post) is a
// form whose wallet_nonce the verifier echoes in the signed object;
// wallet_metadata and unknown parameters are ignored (§5.10).
func (s *Server) presentationRequestObject(c *gin.Context) error {
	nonce := ""
	if c.Request.Method == http.MethodPost {
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/x-www-form-urlencoded" {
			return &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "a request_uri POST must be application/x-www-form-urlencoded"}
		}
		if err := c.Request.ParseForm(); err != nil {
			return &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "the form could not be read"}
		}
		if v := c.Request.PostForm["wallet_nonce"]; len(v) > 1 || len(v) == 1 && (v[0] == "" || len(v[0]) > 256 || !urlSafeValue(v[0])) {
			return &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "wallet_nonce must be one value of at most 256 URL-safe characters"}
		}
		nonce = c.Request.PostForm.Get("wallet_nonce")
	}
	tok, err := s.cfg.OID4VP.RequestObject(c.Request.Context(), c.Param("id"), nonce)
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, oid4vp.MediaTypeRequestObject, []byte(tok))
	return nil
}

// urlSafeValue tells whether v has only the unreserved characters of RFC
// 3986 (a base64url nonce does).
func urlSafeValue(v string) bool {
	for _, r := range v {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	return true
}

// presentationResponse is the direct_post (and direct_post.jwt, whose
// response parameter the service decrypts) response endpoint: 200 {} when
// every presentation verified, else 400 with the failed checks named.
func (s *Server) presentationResponse(c *gin.Context) error {
	refuse := func(desc string) error {
		e := &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: desc}
		if err := s.cfg.OID4VP.Refused(c.Request.Context(), c.Param("id"), e); err != nil {
			return err
		}
		return e
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return refuse("the response must be application/x-www-form-urlencoded")
	}
	if err := c.Request.ParseForm(); err != nil {
		return refuse("the form could not be read")
	}
	res, err := s.cfg.OID4VP.Respond(c.Request.Context(), c.Param("id"), c.Request.PostForm)
	if err != nil {
		return err
	}
	if !res.Verified {
		code := res.Error
		if code == "" {
			code = oid4vp.CodeInvalidRequest
		}
		return writeJSON(c, http.StatusBadRequest, "application/json", oauthError{Error: code, Description: res.Description})
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{})
}

// WalletReceiver is the wallet's OpenID4VCI client: a wallet service that
// implements it gets POST /wallet/v1/offers.
type WalletReceiver interface {
	Receive(ctx context.Context, holderID string, req wallet.ReceiveRequest) (wallet.Received, error)
}

var _ WalletReceiver = (*wallet.Service)(nil)

// walletExchangeRoutes adds the wallet's OpenID4VCI client endpoint.
func (s *Server) walletExchangeRoutes() {
	if s.cfg.Wallet == nil {
		return
	}
	w := s.engine.Group("/wallet/v1", noStore, s.requireHolder)
	if r, ok := s.cfg.Wallet.(WalletReceiver); ok {
		w.POST("/offers", wrap(func(c *gin.Context) error { return s.walletReceive(c, r) }))
	}
	if p, ok := s.cfg.Wallet.(WalletPresenter); ok {
		w.POST("/presentation-requests", wrap(func(c *gin.Context) error { return s.walletEvaluateRequest(c, p) }))
		w.POST("/presentation-requests/:id/respond", wrap(func(c *gin.Context) error { return s.walletRespondRequest(c, p) }))
	}
}

// WalletPresenter is the wallet's OpenID4VP side: a wallet service that
// implements it gets /wallet/v1/presentation-requests.
type WalletPresenter interface {
	EvaluatePresentationRequest(ctx context.Context, holderID string, in wallet.PresentationRequestInput) (wallet.VPExchange, error)
	RespondPresentationRequest(ctx context.Context, holderID, exchangeID string, in wallet.VPRespondRequest) (wallet.VPResponse, error)
}

var _ WalletPresenter = (*wallet.Service)(nil)

func (s *Server) walletEvaluateRequest(c *gin.Context, p WalletPresenter) error {
	var in wallet.PresentationRequestInput
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	x, err := p.EvaluatePresentationRequest(c.Request.Context(), holderID(c), in)
	if err != nil {
		return exchangeProblem(err)
	}
	return writeJSON(c, http.StatusCreated, "application/json", x)
}

func (s *Server) walletRespondRequest(c *gin.Context, p WalletPresenter) error {
	var in wallet.VPRespondRequest
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	out, err := p.RespondPresentationRequest(c.Request.Context(), holderID(c), c.Param("id"), in)
	if err != nil {
		return exchangeProblem(err)
	}
	return writeJSON(c, http.StatusOK, "application/json", out)
}

func (s *Server) walletReceive(c *gin.Context, r WalletReceiver) error {
	var req wallet.ReceiveRequest
	if err := bindJSON(c, &req, false); err != nil {
		return err
	}
	out, err := r.Receive(c.Request.Context(), holderID(c), req)
	if err != nil {
		return exchangeProblem(err)
	}
	return writeJSON(c, http.StatusCreated, "application/json", out)
}

// exchangeProblem turns a failed exchange with a remote issuer or verifier
// into a 502 naming the step and the remote OAuth error code; other errors
// pass through.
func exchangeProblem(err error) error {
	var xe *wallet.ExchangeError
	if !errors.As(err, &xe) {
		return err
	}
	msg := "the " + xe.Step + " step failed"
	if xe.Code != "" {
		msg += " with " + xe.Code
	}
	if xe.Description != "" {
		msg += ": " + xe.Description
	}
	return &HTTPError{Status: http.StatusBadGateway, Slug: "exchange-failed", Msg: msg, Err: err}
}
