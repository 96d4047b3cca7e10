package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/gin-gonic/gin"
)

// BadgePages gives the public view of a badge this server issued; the
// issuer service provides it (found by type assertion on Config.Issuer).
type BadgePages interface {
	PublicCredential(ctx context.Context, id string) (issuer.PublicCredential, error)
}

// Media types of a downloaded credential: VCDM 2.0 §6.3 for a JSON-LD
// credential with an embedded proof, VC-JOSE-COSE §6.1 for a VC-JWT (as
// the status list endpoint serves them).
const (
	mediaTypeVC    = "application/vc"
	mediaTypeVCJWT = "application/vc+jwt"
)

// badgePageCSP lets the page load only its own script and style (no inline
// code at all) and images from anywhere over HTTPS (achievement images live
// on the issuer's site) or as data: URIs.
const badgePageCSP = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// badgeDownloadCSP applies if a downloaded file is opened in place: a baked
// SVG is an active document, and ours needs nothing.
const badgeDownloadCSP = "default-src 'none'; frame-ancestors 'none'; sandbox"

//go:embed badgepage
var badgeFiles embed.FS

var (
	badgeTemplates = template.Must(template.New("").Funcs(template.FuncMap{"lower": strings.ToLower}).ParseFS(badgeFiles, "badgepage/*.html"))
	badgeAssets    = mustSub(badgeFiles, "badgepage/assets")
	// badgeAssetVersion changes with the assets, so they can be cached long
	// under URLs that carry it.
	badgeAssetVersion = assetsDigest(badgeAssets)
)

// badgeAssetTypes lists the content type of every servable asset
// extension; nothing else is served.
var badgeAssetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

func assetsDigest(f fs.FS) string {
	h := sha256.New()
	_ = fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(f, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// badgePages serves the public badge pages.
type badgePages struct {
	s      *Server
	svc    BadgePages
	images *imageCache
}

// badgeRoutes registers the public badge pages when the issuer can show
// badges and a verifier is configured (the page verifies on every request).
func (s *Server) badgeRoutes() {
	svc, ok := s.cfg.Issuer.(BadgePages)
	if !ok || s.cfg.Verifier == nil || s.cfg.NoBadgePages {
		return
	}
	b := badgePages{s: s, svc: svc, images: &imageCache{}}
	e := s.engine
	e.GET("/badges/assets/:file", wrap(b.asset))
	e.GET("/badges/:id", b.wrap(b.page, true))
	e.GET("/badges/:id/image", b.wrap(b.image, false))
	e.GET("/badges/:id/credential", b.wrap(b.credential, false))
	e.GET("/badges/:id/badge.svg", b.wrap(b.bakedSVG, false))
	if svc, ok := s.cfg.Issuer.(IssuerPages); ok {
		p := issuerPages{badgePages: b, svc: svc}
		e.GET("/issuers/:slug", b.wrap(p.page, true))
		e.GET("/issuers/:slug/image", b.wrap(p.image, false))
	}
}

// wrap is the badge routes' error adapter: the usual problem+json for API
// clients, an HTML page for browsers. htmlByDefault says which one a
// request without a clear preference gets.
func (b badgePages) wrap(h handler, htmlByDefault bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := h(c)
		if err == nil {
			return
		}
		p := toProblem(err)
		accept := c.GetHeader("Accept")
		if prefersJSON(accept) || (!htmlByDefault && !strings.Contains(accept, "text/html")) {
			writeProblem(c, p, err)
			return
		}
		b.renderError(c, p, err)
	}
}

// prefersJSON reports whether an Accept header asks for JSON rather than
// a page.
func prefersJSON(accept string) bool {
	return (strings.Contains(accept, "application/json") || strings.Contains(accept, "application/problem+json")) &&
		!strings.Contains(accept, "text/html")
}

type errorView struct {
	Title, Message, ErrorID, CSSURL string
}

// renderError shows a problem as an HTML page, with the same status, log
// record and error ID as writeProblem.
func (b badgePages) renderError(c *gin.Context, p Problem, cause error) {
	_ = c.Error(cause)
	if p.ErrorID != "" {
		c.Set(ctxErrorID, p.ErrorID)
	}
	v := errorView{Title: http.StatusText(p.Status), Message: p.Detail, ErrorID: p.ErrorID, CSSURL: b.assetURL("badge.css")}
	switch {
	case p.Status == http.StatusNotFound && strings.HasPrefix(c.FullPath(), "/issuers/"):
		v.Title, v.Message = "Issuer not found", "There is no issuer page at this address. Check the link you were given."
	case p.Status == http.StatusNotFound:
		v.Title, v.Message = "Badge not found", "There is no badge at this address. Check the link you were given."
	case p.Status >= 500:
		v.Title, v.Message = "Something went wrong", "The badge could not be shown just now. Try again later; quote the error ID if you report it."
	}
	var buf bytes.Buffer
	if err := badgeTemplates.ExecuteTemplate(&buf, "error.html", v); err != nil {
		writeProblem(c, p, nil)
		return
	}
	setBadgeHeaders(c, badgePageCSP)
	c.Data(p.Status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// setBadgeHeaders sets what every badge response carries: not indexed,
// no referrer, never cached (status can change at any time), no sniffing.
func setBadgeHeaders(c *gin.Context, csp string) {
	h := c.Writer.Header()
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// badgeID is the :id parameter, unescaped (the router keeps raw paths).
func badgeID(c *gin.Context) string {
	id := c.Param("id")
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	return id
}

func (b badgePages) base() string { return strings.TrimSuffix(b.s.cfg.PublicURL, "/") }

func (b badgePages) assetURL(name string) string {
	return publicPath(b.s.cfg.PublicURL) + "/badges/assets/" + name + "?v=" + badgeAssetVersion
}

// asset serves an embedded stylesheet or script.
func (b badgePages) asset(c *gin.Context) error {
	name := c.Param("file")
	ct, ok := badgeAssetTypes[path.Ext(name)]
	var body []byte
	if ok && fs.ValidPath(name) {
		var err error
		if body, err = fs.ReadFile(badgeAssets, name); err != nil {
			ok = false
		}
	}
	if !ok {
		return &HTTPError{Status: http.StatusNotFound, Slug: "not-found", Msg: "no such asset"}
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, ct, body)
	return nil
}

// dateView is a date for the page: machine form and words.
type dateView struct{ ISO, Text string }

func dateOf(t time.Time) dateView {
	if t.IsZero() {
		return dateView{}
	}
	t = t.UTC()
	return dateView{ISO: t.Format(time.RFC3339), Text: t.Format("2 January 2006")}
}

type checkView struct{ Name, Status, Message string }

type pageView struct {
	PageURL, CSSURL, JSURL                string
	Name, CredentialName, Summary         string
	Description, Criteria, CriteriaURL    string
	AchievementType                       string
	ImagePath, OGImage, ImageAlt          string
	IssuerName, IssuerPage, IssuerURL     string
	Recipient, RecipientName              string
	CredentialID, Format                  string
	IssuedOn, ValidFrom, ValidUntil       dateView
	State, Banner, BannerDetail           string
	CheckedAt                             dateView
	Checks                                []checkView
	Alignments                            []alignmentView
	Evidence                              []evidenceView
	CredentialPath, BadgePath, VerifyPath string
	// Shareable is false for a revoked, suspended or unverified badge:
	// the page then offers no LinkedIn buttons.
	Shareable                  bool
	LinkedInAdd, LinkedInShare string
}

// alignmentView is an achievement alignment; URL is set when it is an
// http(s) URL.
type alignmentView struct{ Name, URL, Framework, Code, Description string }

// evidenceView is one piece of evidence; URL is set when its id is an
// http(s) URL.
type evidenceView struct{ Name, URL, Narrative, Description, Genre string }

// page shows a badge with the result of verifying it now.
func (b badgePages) page(c *gin.Context) error {
	pc, err := b.svc.PublicCredential(c.Request.Context(), badgeID(c))
	if err != nil {
		return err
	}
	c.Header("Vary", "Accept")
	if prefersJSON(c.GetHeader("Accept")) {
		return &HTTPError{Status: http.StatusNotAcceptable, Slug: "not-acceptable",
			Msg: "this is an HTML page; the credential itself is at /badges/" + pc.UUID + "/credential"}
	}
	input, err := verifier.Parse(pc.Credential)
	if err != nil {
		return err
	}
	now := time.Now()
	rep := b.s.cfg.Verifier.Verify(c.Request.Context(), input, verifier.Options{Now: now})
	var buf bytes.Buffer
	if err := badgeTemplates.ExecuteTemplate(&buf, "page.html", b.view(pc, rep, now)); err != nil {
		return err
	}
	setBadgeHeaders(c, badgePageCSP)
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

func (b badgePages) view(pc issuer.PublicCredential, rep *verifier.Report, now time.Time) pageView {
	a := pc.Achievement
	pagePath := publicPath(b.s.cfg.PublicURL) + "/badges/" + pc.UUID
	v := pageView{
		PageURL: b.base() + "/badges/" + pc.UUID, CSSURL: b.assetURL("badge.css"), JSURL: b.assetURL("badge.js"),
		Name: a.Name, Description: a.Description, Criteria: a.CriteriaNarrative, AchievementType: a.AchievementType,
		IssuerName: pc.IssuerName, CredentialID: pc.ID, Format: pc.Format,
		ValidFrom: dateOf(pc.ValidFrom), ValidUntil: dateOf(pc.ValidUntil), CheckedAt: dateOf(now),
		CredentialPath: pagePath + "/credential", BadgePath: pagePath + "/badge.svg",
		VerifyPath: publicPath(b.s.cfg.PublicURL) + "/credentials/verify",
	}
	v.CheckedAt.Text = now.UTC().Format("2 January 2006 at 15:04:05 UTC")
	if v.Name == "" {
		v.Name = pc.Name
	}
	if pc.Name != "" && pc.Name != v.Name {
		v.CredentialName = pc.Name
	}
	if v.IssuerName == "" {
		v.IssuerName = "an unnamed issuer"
	}
	if isHTTPURL(pc.IssuerURL) {
		v.IssuerURL = pc.IssuerURL
	}
	if pc.IssuerSlug != "" {
		v.IssuerPage = publicPath(b.s.cfg.PublicURL) + "/issuers/" + url.PathEscape(pc.IssuerSlug)
	}
	for _, al := range a.Alignments {
		av := alignmentView{Name: al.TargetName, Framework: al.TargetFramework, Code: al.TargetCode, Description: al.TargetDescription}
		if isHTTPURL(al.TargetURL) {
			av.URL = al.TargetURL
		}
		if av.Name == "" {
			av.Name = al.TargetURL
		}
		v.Alignments = append(v.Alignments, av)
	}
	for _, e := range pc.Evidence {
		ev := evidenceView{Name: e.Name, Narrative: e.Narrative, Description: e.Description, Genre: e.Genre}
		if isHTTPURL(e.ID) {
			ev.URL = e.ID
		}
		if ev.Name == "" && ev.URL != "" {
			ev.Name = ev.URL
		}
		v.Evidence = append(v.Evidence, ev)
	}
	if isHTTPURL(a.CriteriaURL) {
		v.CriteriaURL = a.CriteriaURL
	}
	// The image is always served from here (see image): a fetched copy,
	// or one drawn when the issuer's is missing or unreachable.
	v.ImagePath = pagePath + "/image"
	v.OGImage = v.PageURL + "/image"
	v.ImageAlt = a.ImageCaption
	if v.ImageAlt == "" {
		v.ImageAlt = "Badge image: " + v.Name
	}
	v.Summary = summary(a.Description, 300)
	if v.Summary == "" {
		v.Summary = v.Name + ", issued by " + v.IssuerName
	}
	v.RecipientName = pc.Recipient.Name
	switch r := pc.Recipient; {
	case r.Name != "":
		v.Recipient = "Awarded to " + r.Name
	case r.Hashed:
		v.Recipient = "Awarded to a hashed email address"
	case r.ID != "":
		v.Recipient = "Awarded to " + r.ID
	default:
		v.Recipient = "Recipient not shown"
	}
	v.IssuedOn = dateOf(pc.Issued)
	if v.ValidFrom.Text == v.IssuedOn.Text {
		v.ValidFrom = dateView{} // the usual case: valid from issue
	}
	// LinkedIn's issue date is when the badge was earned: validFrom, which
	// the issuer may have set before the day it issued the credential.
	earned := pc.ValidFrom
	if earned.IsZero() {
		earned = pc.Issued
	}
	v.LinkedInAdd, v.LinkedInShare = linkedInLinks(v.Name, v.IssuerName, v.PageURL, pc.ID, earned, pc.ValidUntil)
	v.State, v.Banner, v.BannerDetail = bannerFor(rep)
	v.Shareable = v.State == "verified" || v.State == "expired"
	v.Checks = checkList(rep)
	return v
}

// linkedInLinks builds LinkedIn's "Add to profile" link for a
// certification, prefilled, and its share link for the page.
func linkedInLinks(name, org, pageURL, certID string, issued, expires time.Time) (add, share string) {
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", name)
	q.Set("organizationName", org)
	q.Set("issueYear", strconv.Itoa(issued.Year()))
	q.Set("issueMonth", strconv.Itoa(int(issued.Month())))
	if !expires.IsZero() {
		q.Set("expirationYear", strconv.Itoa(expires.Year()))
		q.Set("expirationMonth", strconv.Itoa(int(expires.Month())))
	}
	q.Set("certUrl", pageURL)
	q.Set("certId", certID)
	return "https://www.linkedin.com/profile/add?" + q.Encode(),
		"https://www.linkedin.com/sharing/share-offsite/?" + url.Values{"url": {pageURL}}.Encode()
}

// bannerFor turns a report into the page's one-word verdict. A failed
// format, proof or issuer check means nothing else can be trusted; then a
// set status bit (the verifier reports it as the status list's "revoked: …"
// or "suspended: …" outcome) and a past validUntil ("expired: …") are named.
// badge.js applies the same rule to a fresh report.
func bannerFor(rep *verifier.Report) (state, title, detail string) {
	if rep.Verified {
		if w := rep.Warnings(); len(w) > 0 {
			return "verified", "Verified", "Passed, with warnings on: " + checkNames(w) + "."
		}
		return "verified", "Verified", "Every check passed."
	}
	for _, name := range []string{verifier.CheckFormat, verifier.CheckProof, verifier.CheckIssuer} {
		if ch, ok := rep.Check(name); ok && ch.Status == verifier.Failed {
			return "not-verified", "Not verified", "The " + name + " check failed."
		}
	}
	if ch, ok := rep.Check(verifier.CheckStatus); ok && ch.Status == verifier.Failed {
		switch {
		case strings.HasPrefix(ch.Message, "revoked"):
			return "revoked", "Revoked", "The issuer has revoked this badge."
		case strings.HasPrefix(ch.Message, "suspended"):
			return "suspended", "Suspended", "The issuer has suspended this badge."
		}
	}
	if ch, ok := rep.Check(verifier.CheckValidity); ok && ch.Status == verifier.Failed && strings.HasPrefix(ch.Message, "expired") {
		return "expired", "Expired", "This badge is past its expiry date."
	}
	if f := rep.Failed(); len(f) > 0 {
		return "not-verified", "Not verified", "Failed: " + checkNames(f) + "."
	}
	return "not-verified", "Not verified", "The credential could not be checked."
}

func checkNames(cs []verifier.Check) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// checkList lists every named check in order, marking those that did not
// run (after a format failure, say).
func checkList(rep *verifier.Report) []checkView {
	out := make([]checkView, 0, len(verifier.AllChecks))
	for _, name := range verifier.AllChecks {
		cv := checkView{Name: name, Status: "not-run"}
		if ch, ok := rep.Check(name); ok {
			cv.Status, cv.Message = ch.Status, ch.Message
		}
		out = append(out, cv)
	}
	return out
}

// summary shortens s to at most n bytes on a word boundary.
func summary(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > n/2 {
		cut = i
	}
	return s[:cut] + "…"
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// credential serves the badge's credential as issued: the JSON-LD object or
// the compact VC-JWT.
func (b badgePages) credential(c *gin.Context) error {
	pc, err := b.svc.PublicCredential(c.Request.Context(), badgeID(c))
	if err != nil {
		return err
	}
	body, ct, ext, err := credentialPayload(pc)
	if err != nil {
		return err
	}
	setBadgeHeaders(c, badgeDownloadCSP)
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Content-Disposition", `attachment; filename="`+pc.UUID+ext+`"`)
	c.Data(http.StatusOK, ct, body)
	return nil
}

// credentialPayload is the credential as it is downloaded and baked: JSON
// text, or the bare compact JWS.
func credentialPayload(pc issuer.PublicCredential) (body []byte, contentType, ext string, err error) {
	if pc.Format == issuer.FormatJWT {
		var tok string
		if err := json.Unmarshal(pc.Credential, &tok); err != nil {
			return nil, "", "", err
		}
		return []byte(tok), mediaTypeVCJWT, ".jwt", nil
	}
	return pc.Credential, mediaTypeVC, ".json", nil
}

// bakedSVG serves a badge image drawn here with the credential baked in
// (OB 3.0 §5.3), for `accolade unbake`, wallets and backpacks.
func (b badgePages) bakedSVG(c *gin.Context) error {
	pc, err := b.svc.PublicCredential(c.Request.Context(), badgeID(c))
	if err != nil {
		return err
	}
	payload, _, _, err := credentialPayload(pc)
	if err != nil {
		return err
	}
	name := pc.Achievement.Name
	if name == "" {
		name = pc.Name
	}
	img, err := bake.BakeSVG(badgeSVG(name, pc.IssuerName), payload)
	if err != nil {
		return err
	}
	setBadgeHeaders(c, badgeDownloadCSP)
	c.Header("Content-Disposition", `attachment; filename="badge-`+pc.UUID+`.svg"`)
	c.Data(http.StatusOK, "image/svg+xml", img)
	return nil
}

// badgeSVG draws a plain, accessible badge: a ribbon and a disc with the
// badge's name and its issuer. All text is XML-escaped.
func badgeSVG(name, issuerName string) []byte {
	var buf bytes.Buffer
	esc := func(s string) { _ = xml.EscapeText(&buf, []byte(s)) }
	lines := wrapWords(name, 18, 3)
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	buf.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" aria-labelledby="badge-title badge-desc">` + "\n")
	buf.WriteString(`<title id="badge-title">`)
	esc(name)
	buf.WriteString(`</title>` + "\n" + `<desc id="badge-desc">Open Badge`)
	if issuerName != "" {
		buf.WriteString(` issued by `)
		esc(issuerName)
	}
	buf.WriteString(`</desc>` + "\n")
	buf.WriteString(`<path d="M140 300 L110 390 L150 370 L170 400 L200 310 Z" fill="#0a66c2"/>` + "\n")
	buf.WriteString(`<path d="M260 300 L290 390 L250 370 L230 400 L200 310 Z" fill="#0a66c2"/>` + "\n")
	buf.WriteString(`<circle cx="200" cy="180" r="160" fill="#0a66c2"/>` + "\n")
	buf.WriteString(`<circle cx="200" cy="180" r="144" fill="#ffffff"/>` + "\n")
	buf.WriteString(`<g font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" text-anchor="middle" fill="#1b1f24" aria-hidden="true">` + "\n")
	y := 180 - (len(lines)-1)*16
	for _, l := range lines {
		buf.WriteString(`<text x="200" y="` + strconv.Itoa(y) + `" font-size="26" font-weight="700">`)
		esc(l)
		buf.WriteString(`</text>` + "\n")
		y += 32
	}
	if issuerName != "" {
		buf.WriteString(`<text x="200" y="` + strconv.Itoa(y+12) + `" font-size="16" fill="#57606a">`)
		esc(truncateRunes(issuerName, 30))
		buf.WriteString(`</text>` + "\n")
	}
	buf.WriteString(`</g>` + "\n</svg>\n")
	return buf.Bytes()
}

// wrapWords breaks s into at most max lines of about width runes, ending
// the last with an ellipsis when text was left out.
func wrapWords(s string, width, max int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		w = truncateRunes(w, width)
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > max {
		lines = lines[:max]
		last := []rune(strings.TrimSuffix(lines[max-1], "…"))
		if len(last) >= width {
			last = last[:width-1]
		}
		lines[max-1] = string(last) + "…"
	}
	return lines
}

// truncateRunes cuts s to n runes, ending a cut with an ellipsis.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
