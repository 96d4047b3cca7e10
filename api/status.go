package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/accolade-badges/accolade/issuer"
	"github.com/gin-gonic/gin"
)

// StatusService manages credential status and serves status lists.
type StatusService interface {
	ChangeStatus(ctx context.Context, id, action string, ch issuer.StatusChange) (issuer.Issued, error)
	RevokeMatching(ctx context.Context, q issuer.ListQuery, ch issuer.StatusChange) (issuer.BulkResult, error)
	Audit(ctx context.Context, id string) ([]issuer.AuditEntry, error)
	StatusListCredential(ctx context.Context, listID, format string) (issuer.ListDocument, error)
	StatusLists(ctx context.Context) ([]issuer.StatusListInfo, error)
	StatusListInfo(ctx context.Context, listID string) (issuer.StatusListInfo, error)
}

func (s *Server) statusRoutes(admin *gin.RouterGroup) {
	st, ok := s.cfg.Issuer.(StatusService)
	if !ok {
		return
	}
	s.status = st
	for _, action := range []string{issuer.ActionRevoke, issuer.ActionSuspend, issuer.ActionUnsuspend} {
		admin.POST("/credentials/:id/"+action, wrap(s.changeStatus(action)))
	}
	admin.GET("/credentials/:id/audit", wrap(s.credentialAudit))
	admin.POST("/credentials/revoke", wrap(s.bulkRevoke))
	admin.GET("/status-lists", wrap(s.listStatusLists))
	admin.GET("/status-lists/:listId", wrap(s.getStatusList))
	s.engine.POST("/credentials/status", s.requireAdmin, wrap(s.vcapiStatus))
	s.engine.GET("/status/:listId", wrap(s.serveStatusList))
	s.engine.HEAD("/status/:listId", wrap(s.serveStatusList))
}

func (s *Server) changeStatus(action string) handler {
	return func(c *gin.Context) error {
		var ch issuer.StatusChange
		if err := bindJSON(c, &ch, true); err != nil {
			return err
		}
		rec, err := s.status.ChangeStatus(c.Request.Context(), c.Param("id"), action, ch)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, "application/json", gin.H{"id": rec.ID, "status": rec.Status})
	}
}

func (s *Server) credentialAudit(c *gin.Context) error {
	if _, err := s.cfg.Issuer.Credential(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	entries, err := s.status.Audit(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []issuer.AuditEntry{}
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": entries})
}

type bulkRevokeRequest struct {
	AchievementID string `json:"achievementId"`
	Recipient     string `json:"recipient"`
	Reason        string `json:"reason"`
}

func (s *Server) bulkRevoke(c *gin.Context) error {
	var req bulkRevokeRequest
	if err := bindJSON(c, &req, false); err != nil {
		return err
	}
	res, err := s.status.RevokeMatching(c.Request.Context(), issuer.ListQuery{AchievementID: req.AchievementID, Recipient: req.Recipient},
		issuer.StatusChange{Reason: req.Reason})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", res)
}

func (s *Server) listStatusLists(c *gin.Context) error {
	lists, err := s.status.StatusLists(c.Request.Context())
	if err != nil {
		return err
	}
	if lists == nil {
		lists = []issuer.StatusListInfo{}
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": lists})
}

func (s *Server) getStatusList(c *gin.Context) error {
	info, err := s.status.StatusListInfo(c.Request.Context(), c.Param("listId"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", info)
}

// vcapiStatusRequest is the VC-API update status body.
type vcapiStatusRequest struct {
	CredentialID     string `json:"credentialId"`
	CredentialStatus []struct {
		Type   string `json:"type"`
		Status string `json:"status"`
	} `json:"credentialStatus"`
}

func (s *Server) vcapiStatus(c *gin.Context) error {
	var req vcapiStatusRequest
	if err := bindJSONLoose(c, &req); err != nil {
		return err
	}
	if req.CredentialID == "" || len(req.CredentialStatus) != 1 {
		return errBadRequest("credentialId and one credentialStatus item {type, status} are required", nil)
	}
	var action string
	switch strings.ToLower(req.CredentialStatus[0].Status) {
	case "revoked", "revoke", "true":
		action = issuer.ActionRevoke
	case "suspended", "suspend":
		action = issuer.ActionSuspend
	case "unsuspended", "unsuspend", "active", "false":
		action = issuer.ActionUnsuspend
	default:
		return errBadRequest(`status must be "revoked", "suspended" or "unsuspended"`, nil)
	}
	if _, err := s.status.ChangeStatus(c.Request.Context(), req.CredentialID, action, issuer.StatusChange{Reason: "VC-API status update"}); err != nil {
		return err
	}
	c.Status(http.StatusOK)
	return nil
}

// Media types a status list credential is served as. application/vc is
// the VCDM 2.0 §6.3 media type of a credential secured with an embedded
// proof; application/ld+json and application/json get the same JSON under
// their own name (JSON-LD clients such as Digital Bazaar's http-client
// parse a body only when its Content-Type names json); application/vc+jwt
// (VC-JOSE-COSE §6.1) and application/jwt get the VC-JWT.
var statusListTypes = []struct{ mediaType, format string }{
	{"application/vc", issuer.ListFormatDI},
	{"application/ld+json", issuer.ListFormatDI},
	{"application/json", issuer.ListFormatDI},
	{"application/vc+jwt", issuer.ListFormatJWT},
	{"application/jwt", issuer.ListFormatJWT},
}

// negotiateStatusList picks the media type to serve for an Accept header
// (RFC 9110 §12.5.1): the supported type with the highest q value, the
// first listed winning a tie; a wildcard gets application/vc. A missing
// or unmatched Accept also gets application/vc: the list is public and
// lenient clients should still get it.
func negotiateStatusList(accept string) (mediaType, format string) {
	mediaType, format = statusListTypes[0].mediaType, statusListTypes[0].format
	best := 0.0
	for _, part := range strings.Split(accept, ",") {
		params := strings.Split(part, ";")
		name := strings.ToLower(strings.TrimSpace(params[0]))
		q := 1.0
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		if q <= best {
			continue
		}
		switch name {
		case "*/*", "application/*":
			mediaType, format, best = statusListTypes[0].mediaType, statusListTypes[0].format, q
			continue
		}
		for _, t := range statusListTypes {
			if name == t.mediaType {
				mediaType, format, best = t.mediaType, t.format, q
				break
			}
		}
	}
	return mediaType, format
}

// serveStatusList serves a BitstringStatusListCredential (GET and HEAD):
// Data Integrity JSON by default, VC-JWT for Accept application/vc+jwt,
// with the Content-Type the Accept header asked for, and ETag and
// Cache-Control aligned with the list's ttl. HEAD answers the same headers
// without the body.
func (s *Server) serveStatusList(c *gin.Context) error {
	mediaType, format := negotiateStatusList(c.GetHeader("Accept"))
	doc, err := s.status.StatusListCredential(c.Request.Context(), c.Param("listId"), format)
	if err != nil {
		return err
	}
	c.Header("Vary", "Accept")
	c.Header("ETag", doc.ETag)
	c.Header("Cache-Control", "public, max-age="+strconv.Itoa(int(doc.TTL.Seconds())))
	c.Header("Access-Control-Allow-Origin", "*")
	if etagMatches(c.GetHeader("If-None-Match"), doc.ETag) {
		c.Status(http.StatusNotModified)
		return nil
	}
	if c.Request.Method == http.MethodHead {
		c.Header("Content-Type", mediaType)
		c.Header("Content-Length", strconv.Itoa(len(doc.Body)))
		c.Status(http.StatusOK)
		return nil
	}
	c.Data(http.StatusOK, mediaType, doc.Body)
	return nil
}

// etagMatches reports whether an If-None-Match header names etag: "*", or
// a list of entity tags compared weakly (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || (t != "" && t == strings.TrimPrefix(etag, "W/")) {
			return true
		}
	}
	return false
}
