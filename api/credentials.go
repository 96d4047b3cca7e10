package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/gin-gonic/gin"
)

// Issuer is the issuing service the API exposes.
type Issuer interface {
	CreateProfile(ctx context.Context, in issuer.ProfileInput) (issuer.Profile, error)
	Profile(ctx context.Context, id string) (issuer.Profile, error)
	UpdateProfile(ctx context.Context, id string, in issuer.ProfileInput) (issuer.Profile, error)
	DeleteProfile(ctx context.Context, id string) error
	Profiles(ctx context.Context, after string, limit int) ([]issuer.Profile, string, int, error)

	CreateAchievement(ctx context.Context, in issuer.AchievementInput) (issuer.Achievement, error)
	Achievement(ctx context.Context, id string) (issuer.Achievement, error)
	UpdateAchievement(ctx context.Context, id string, in issuer.AchievementInput) (issuer.Achievement, error)
	DeleteAchievement(ctx context.Context, id string) error
	Achievements(ctx context.Context, after string, limit int) ([]issuer.Achievement, string, int, error)

	Issue(ctx context.Context, req issuer.IssueRequest) (issuer.Issued, error)
	Credential(ctx context.Context, id string) (issuer.Issued, error)
	Credentials(ctx context.Context, q issuer.ListQuery) (issuer.CredentialPage, error)
	SignCredential(ctx context.Context, doc map[string]any, opts issuer.SignOptions) (any, error)
}

// Verifier verifies credentials.
type Verifier interface {
	Verify(ctx context.Context, input any, opts verifier.Options) *verifier.Report
}

func (s *Server) issuerRoutes(admin *gin.RouterGroup) {
	if s.cfg.Issuer == nil {
		return
	}
	admin.POST("/profiles", wrap(s.createProfile))
	admin.GET("/profiles", wrap(s.listProfiles))
	admin.GET("/profiles/:id", wrap(s.getProfile))
	admin.PUT("/profiles/:id", wrap(s.updateProfile))
	admin.DELETE("/profiles/:id", wrap(s.deleteProfile))

	admin.POST("/achievements", wrap(s.createAchievement))
	admin.GET("/achievements", wrap(s.listAchievements))
	admin.GET("/achievements/:id", wrap(s.getAchievement))
	admin.PUT("/achievements/:id", wrap(s.updateAchievement))
	admin.DELETE("/achievements/:id", wrap(s.deleteAchievement))

	admin.POST("/credentials", wrap(s.issueCredential))
	admin.GET("/credentials", wrap(s.listCredentials))
	admin.GET("/credentials/:id", wrap(s.getCredential))

	s.statusRoutes(admin)
	s.engine.GET("/achievements/:id", wrap(s.publicAchievement))
	s.engine.POST("/credentials/issue", s.requireAdmin, wrap(s.vcapiIssue))
}

func (s *Server) verifierRoutes() {
	if s.cfg.Verifier == nil {
		return
	}
	s.engine.POST("/credentials/verify", wrap(s.vcapiVerify))
}

// paging reads limit and cursor query parameters.
func paging(c *gin.Context) (string, int, error) {
	limit := 0
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return "", 0, errBadRequest("limit must be an integer from 1 to 500", err)
		}
		limit = n
	}
	return c.Query("cursor"), limit, nil
}

type listResponse[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
	Total int     `json:"total"`
}

func list[T any](items []T, next string, total int) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	r := listResponse[T]{Items: items, Total: total}
	if next != "" {
		r.Next = &next
	}
	return r
}

func (s *Server) createProfile(c *gin.Context) error {
	var in issuer.ProfileInput
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	p, err := s.cfg.Issuer.CreateProfile(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/profiles/"+p.ID)
	return writeJSON(c, http.StatusCreated, "application/json", p)
}

func (s *Server) listProfiles(c *gin.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return err
	}
	items, next, total, err := s.cfg.Issuer.Profiles(c.Request.Context(), cursor, limit)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", list(items, next, total))
}

func (s *Server) getProfile(c *gin.Context) error {
	p, err := s.cfg.Issuer.Profile(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", p)
}

func (s *Server) updateProfile(c *gin.Context) error {
	var in issuer.ProfileInput
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	p, err := s.cfg.Issuer.UpdateProfile(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", p)
}

func (s *Server) deleteProfile(c *gin.Context) error {
	if err := s.cfg.Issuer.DeleteProfile(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) createAchievement(c *gin.Context) error {
	var in issuer.AchievementInput
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	a, err := s.cfg.Issuer.CreateAchievement(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/achievements/"+a.ID)
	return writeJSON(c, http.StatusCreated, "application/json", a)
}

func (s *Server) listAchievements(c *gin.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return err
	}
	items, next, total, err := s.cfg.Issuer.Achievements(c.Request.Context(), cursor, limit)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", list(items, next, total))
}

func (s *Server) getAchievement(c *gin.Context) error {
	a, err := s.cfg.Issuer.Achievement(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", a)
}

func (s *Server) updateAchievement(c *gin.Context) error {
	var in issuer.AchievementInput
	if err := bindJSON(c, &in, false); err != nil {
		return err
	}
	a, err := s.cfg.Issuer.UpdateAchievement(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", a)
}

func (s *Server) deleteAchievement(c *gin.Context) error {
	if err := s.cfg.Issuer.DeleteAchievement(c.Request.Context(), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// publicAchievement serves an achievement's public definition at its id URL.
func (s *Server) publicAchievement(c *gin.Context) error {
	a, err := s.cfg.Issuer.Achievement(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=300")
	return writeJSON(c, http.StatusOK, "application/json", gin.H{
		"@context": []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":       a.URL, "type": []string{"Achievement"}, "name": a.Name, "description": a.Description,
		"criteria": a.Criteria, "image": a.Image, "achievementType": a.AchievementType, "alignment": a.Alignments,
		"tag": a.Tags, "resultDescription": a.ResultDescriptions,
	})
}

func (s *Server) issueCredential(c *gin.Context) error {
	var req issuer.IssueRequest
	if err := bindJSON(c, &req, false); err != nil {
		return err
	}
	rec, err := s.cfg.Issuer.Issue(c.Request.Context(), req)
	if err != nil {
		return err
	}
	body, err := rec.EncodeJSON()
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/credentials/"+rec.ID)
	c.Data(http.StatusCreated, "application/json", body)
	return nil
}

func (s *Server) listCredentials(c *gin.Context) error {
	cursor, limit, err := paging(c)
	if err != nil {
		return err
	}
	page, err := s.cfg.Issuer.Credentials(c.Request.Context(), issuer.ListQuery{
		AchievementID: c.Query("achievementId"), Recipient: c.Query("recipient"), Limit: limit, Cursor: cursor,
	})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", page)
}

func (s *Server) getCredential(c *gin.Context) error {
	rec, err := s.cfg.Issuer.Credential(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", rec)
}

// vcapiIssueRequest is the VC-API issue request body (VC-API §3.2.1).
type vcapiIssueRequest struct {
	Credential map[string]any     `json:"credential"`
	Options    issuer.SignOptions `json:"options"`
}

func (s *Server) vcapiIssue(c *gin.Context) error {
	var req vcapiIssueRequest
	if err := bindJSONLoose(c, &req); err != nil {
		return err
	}
	if req.Credential == nil {
		return errBadRequest("credential (a JSON object) is required", nil)
	}
	vc, err := s.cfg.Issuer.SignCredential(c.Request.Context(), req.Credential, req.Options)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, "application/json", gin.H{"verifiableCredential": vc})
}

// vcapiVerifyRequest is the VC-API verify request body.
type vcapiVerifyRequest struct {
	VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	Options              struct {
		Checks []string `json:"checks"`
	} `json:"options"`
}

type vcapiProblem struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (s *Server) vcapiVerify(c *gin.Context) error {
	var req vcapiVerifyRequest
	if err := bindJSONLoose(c, &req); err != nil {
		return err
	}
	if len(req.VerifiableCredential) == 0 || string(req.VerifiableCredential) == "null" {
		return errBadRequest("verifiableCredential is required", nil)
	}
	var input any
	if err := json.Unmarshal(req.VerifiableCredential, &input); err != nil {
		return errBadRequest("verifiableCredential is not valid JSON", err)
	}
	switch input.(type) {
	case map[string]any, string:
	default:
		return errBadRequest("verifiableCredential must be a JSON object, a compact JWS string or an EnvelopedVerifiableCredential", nil)
	}
	for _, name := range req.Options.Checks {
		if !knownCheck(name) {
			return errBadRequest("unknown check "+strconv.Quote(name), nil)
		}
	}
	rep := s.cfg.Verifier.Verify(c.Request.Context(), input, verifier.Options{Checks: req.Options.Checks})
	body := gin.H{"verified": rep.Verified, "checks": []string{}, "warnings": []vcapiProblem{}, "errors": []vcapiProblem{}, "results": rep.Checks}
	var passed []string
	var warnings, errs []vcapiProblem
	for _, ch := range rep.Checks {
		switch ch.Status {
		case verifier.Passed:
			passed = append(passed, ch.Name)
		case verifier.Warning:
			passed = append(passed, ch.Name)
			warnings = append(warnings, vcapiProblem{ch.Name, ch.Message})
		case verifier.Failed:
			errs = append(errs, vcapiProblem{ch.Name, ch.Message})
		}
	}
	if passed != nil {
		body["checks"] = passed
	}
	if warnings != nil {
		body["warnings"] = warnings
	}
	if errs != nil {
		body["errors"] = errs
	}
	status := http.StatusOK
	if !rep.Verified {
		status = http.StatusBadRequest
	}
	return writeJSON(c, status, "application/json", body)
}

func knownCheck(name string) bool {
	for _, c := range verifier.AllChecks {
		if c == name {
			return true
		}
	}
	return false
}
