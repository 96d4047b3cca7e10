package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/gin-gonic/gin"
)

// IssuerPages gives the public view of an issuer profile; the issuer
// service provides it (found by type assertion on Config.Issuer).
type IssuerPages interface {
	PublicIssuer(ctx context.Context, slug string) (issuer.PublicIssuer, error)
}

// issuerPages serves /issuers/{slug}: the issuer's page, or with Accept:
// application/json its OB 3.0 Profile.
type issuerPages struct {
	badgePages
	svc IssuerPages
}

// didView is a DID for the page: the full DID is the element's text, which
// CSS shortens with an ellipsis, so it stays selectable without script.
type didView struct{ Full string }

type issuerAchievementView struct {
	Name, Description, AchievementType, ImagePath, ImageAlt string
}

type issuerView struct {
	PageURL, CSSURL, JSURL string
	Name, Description      string
	URL, Email             string
	ImagePath, ImageAlt    string
	DIDs                   []didView
	Achievements           []issuerAchievementView
}

func (p issuerPages) page(c *gin.Context) error {
	slug := c.Param("slug")
	pi, err := p.svc.PublicIssuer(c.Request.Context(), slug)
	if err != nil {
		return err
	}
	c.Header("Vary", "Accept")
	if wantsJSON(c.GetHeader("Accept")) {
		doc, err := credential.AsMap(pi.OBProfile())
		if err != nil {
			return err
		}
		doc["@context"] = []any{credential.ContextVCv2, credential.ContextOB}
		body, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		c.Header("Access-Control-Allow-Origin", "*")
		c.Header("X-Content-Type-Options", "nosniff")
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "application/json", body)
		return nil
	}
	base := publicPath(p.s.cfg.PublicURL) + "/issuers/" + url.PathEscape(pi.Slug)
	v := issuerView{
		PageURL: p.base() + "/issuers/" + url.PathEscape(pi.Slug), CSSURL: p.assetURL("badge.css"), JSURL: p.assetURL("copy.js"),
		Name: pi.Name, Description: pi.Description, Email: pi.Email,
		ImagePath: base + "/image", ImageAlt: "Logo of " + pi.Name,
	}
	if pi.Image != nil && pi.Image.Caption != "" {
		v.ImageAlt = pi.Image.Caption
	}
	if isHTTPURL(pi.URL) {
		v.URL = pi.URL
	}
	for _, d := range pi.DIDs {
		v.DIDs = append(v.DIDs, didView{Full: d})
	}
	for _, a := range pi.Achievements {
		av := issuerAchievementView{Name: a.Name, Description: summary(a.Description, 300), AchievementType: a.AchievementType,
			ImagePath: base + "/image?achievement=" + url.QueryEscape(a.Key), ImageAlt: a.ImageCaption}
		v.Achievements = append(v.Achievements, av)
	}
	var buf bytes.Buffer
	if err := badgeTemplates.ExecuteTemplate(&buf, "issuer.html", v); err != nil {
		return err
	}
	setBadgeHeaders(c, badgePageCSP)
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// image serves the issuer's logo, or with ?achievement=ID the image of one
// of its achievements, as the badge pages serve achievement images.
func (p issuerPages) image(c *gin.Context) error {
	pi, err := p.svc.PublicIssuer(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	name, ref := pi.Name, ""
	if pi.Image != nil {
		ref = pi.Image.ID
	}
	if key := c.Query("achievement"); key != "" {
		found := false
		for _, a := range pi.Achievements {
			if a.Key == key {
				name, ref, found = a.Name, a.ImageURL, true
				break
			}
		}
		if !found {
			return &HTTPError{Status: http.StatusNotFound, Slug: "not-found", Msg: "this issuer has no such achievement"}
		}
	}
	p.serveImage(c, ref, name)
	return nil
}

// wantsJSON reports whether an Accept header asks for JSON (or JSON-LD)
// rather than a page.
func wantsJSON(accept string) bool {
	return prefersJSON(accept) || (strings.Contains(accept, "application/ld+json") && !strings.Contains(accept, "text/html"))
}
