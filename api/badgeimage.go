package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// ImageFetcher fetches an achievement image from its https URL for the
// badge pages. It must refuse what an outbound fetch of this server must
// not reach (loopback, private ranges) and cap size and time: the cmd
// wiring passes the guarded HTTP client. It returns the body and the
// response's Content-Type.
type ImageFetcher func(ctx context.Context, url string) (body []byte, contentType string, err error)

// Badge image limits and cache lifetimes.
const (
	maxBadgeImageBytes = 1 << 20
	badgeImageTimeout  = 5 * time.Second
	// badgeImageTTL is how long a fetched image is kept and may be cached
	// by browsers; badgeImageFailTTL how long a failure is remembered, so
	// an unreachable host is not asked on every view.
	badgeImageTTL     = time.Hour
	badgeImageFailTTL = 5 * time.Minute
	badgeImageEntries = 256
)

// badgeImageTypes are the image types served: raster images, and SVG, which
// is served under a sandboxing CSP (an <img> never runs its scripts; opened
// on its own, the CSP stops them).
var badgeImageTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/svg+xml": true,
}

type cachedImage struct {
	body        []byte
	contentType string // "" for a failed fetch
	expires     time.Time
}

// imageCache keeps fetched achievement images by URL, a bounded number for
// a bounded time.
type imageCache struct {
	mu      sync.Mutex
	entries map[string]cachedImage
}

func (c *imageCache) get(url string, now time.Time) (cachedImage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[url]
	if !ok || now.After(e.expires) {
		return cachedImage{}, false
	}
	return e, true
}

func (c *imageCache) put(url string, e cachedImage, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cachedImage{}
	}
	if len(c.entries) >= badgeImageEntries {
		for k, v := range c.entries {
			if now.After(v.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < badgeImageEntries {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[url] = e
}

// image serves the achievement image of a badge: an https image fetched
// through the guarded client (and cached), a data:image/ URI decoded, and
// otherwise (no image, a plain http URL, a fetch that fails, not an image)
// a picture drawn here from the achievement's initials. The page never
// links a third-party image directly, so it never shows a broken one, and
// nothing is fetched while a page renders.
func (b badgePages) image(c *gin.Context) error {
	pc, err := b.svc.PublicCredential(c.Request.Context(), badgeID(c))
	if err != nil {
		return err
	}
	name := pc.Achievement.Name
	if name == "" {
		name = pc.Name
	}
	b.serveImage(c, pc.Achievement.ImageURL, name)
	return nil
}

// serveImage answers with the image at ref, or one drawn from name.
func (b badgePages) serveImage(c *gin.Context, ref, name string) {
	setBadgeHeaders(c, badgeDownloadCSP)
	if body, ct, ok := b.achievementImage(c.Request.Context(), ref); ok {
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, ct, body)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "image/svg+xml", fallbackImage(name))
}

// achievementImage returns the image at ref, when it can be served.
func (b badgePages) achievementImage(ctx context.Context, ref string) ([]byte, string, bool) {
	switch {
	case strings.HasPrefix(ref, "data:image/"):
		return decodeDataImage(ref)
	case !strings.HasPrefix(ref, "https://") || !isHTTPURL(ref) || b.s.cfg.FetchImage == nil:
		return nil, "", false
	}
	now := time.Now()
	if e, ok := b.images.get(ref, now); ok {
		return e.body, e.contentType, e.contentType != ""
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), badgeImageTimeout)
	defer cancel()
	body, ct, err := b.s.cfg.FetchImage(ctx, ref)
	ct = imageType(ct, body)
	if err != nil || ct == "" || len(body) > maxBadgeImageBytes {
		if err == nil {
			err = errors.New("not an image of a served type, or too large")
		}
		b.s.log.InfoContext(ctx, "achievement image not served; drawing one", "url", ref, "err", err)
		b.images.put(ref, cachedImage{expires: now.Add(badgeImageFailTTL)}, now)
		return nil, "", false
	}
	b.images.put(ref, cachedImage{body: body, contentType: ct, expires: now.Add(badgeImageTTL)}, now)
	return body, ct, true
}

// imageType is the served type of a fetched image: the declared type when
// it is one of badgeImageTypes and (for raster types) the bytes agree, else
// "".
func imageType(declared string, body []byte) string {
	ct, _, _ := strings.Cut(declared, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	if !badgeImageTypes[ct] || len(body) == 0 {
		return ""
	}
	if ct == "image/svg+xml" {
		if !bytes.Contains(body[:min(len(body), 4096)], []byte("<svg")) {
			return ""
		}
		return ct
	}
	if http.DetectContentType(body) != ct {
		return ""
	}
	return ct
}

// decodeDataImage decodes a base64 data:image/ URI of a served type.
func decodeDataImage(ref string) ([]byte, string, bool) {
	meta, data, ok := strings.Cut(strings.TrimPrefix(ref, "data:"), ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, "", false
	}
	body, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(body) > maxBadgeImageBytes {
		return nil, "", false
	}
	ct := imageType(strings.TrimSuffix(meta, ";base64"), body)
	return body, ct, ct != ""
}

// fallbackPalette holds background colours on which white text has a
// contrast ratio of at least 4.5:1 (WCAG AA).
var fallbackPalette = []string{"#0a66c2", "#1a7f37", "#6639ba", "#9a3412", "#b42318", "#0e7490", "#4d5562"}

// fallbackImage draws a badge for an achievement without a usable image:
// its initials on a disc whose colour follows from the name.
func fallbackImage(name string) []byte {
	h := sha256.Sum256([]byte(name))
	colour := fallbackPalette[int(h[0])%len(fallbackPalette)]
	var buf bytes.Buffer
	esc := func(s string) { _ = xml.EscapeText(&buf, []byte(s)) }
	buf.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160" role="img" aria-labelledby="t">`)
	buf.WriteString(`<title id="t">`)
	esc(name)
	buf.WriteString(`</title><circle cx="80" cy="80" r="78" fill="` + colour + `"/>`)
	buf.WriteString(`<text x="80" y="80" dy=".35em" text-anchor="middle" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="56" font-weight="700" fill="#ffffff" aria-hidden="true">`)
	esc(initials(name))
	buf.WriteString(`</text></svg>`)
	return buf.Bytes()
}

// initials returns the first letter or digit of the name's first two
// words, upper-cased ("Go Concurrency" gives "GC"), or "★" when there is
// none.
func initials(name string) string {
	var out []rune
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r, _ := utf8.DecodeRuneInString(w)
		out = append(out, unicode.ToUpper(r))
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "★"
	}
	return string(out)
}
