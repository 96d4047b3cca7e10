package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// ErrInvalid wraps every validation failure of admin input; the joined
// *credential.ValidationError values name each field.
var ErrInvalid = errors.New("invalid input")

// invalid joins field problems under ErrInvalid, or returns nil.
func invalid(problems []*credential.ValidationError) error {
	if len(problems) == 0 {
		return nil
	}
	errs := []error{ErrInvalid}
	for _, p := range problems {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// ProfileInput is what an admin sends to create or replace an issuer
// profile. Credentials issued under the profile carry its data in their
// issuer object, with the issuer DID as its id.
type ProfileInput struct {
	Name        string            `json:"name"`
	URL         string            `json:"url,omitempty"`
	Email       string            `json:"email,omitempty"`
	Phone       string            `json:"phone,omitempty"`
	Description string            `json:"description,omitempty"`
	Image       *credential.Image `json:"image,omitempty"`
	// Slug names the public issuer page, /issuers/{slug}: 1 to 64
	// lower-case letters, digits and inner hyphens. Empty derives it from
	// the name ("Acme Academy" gives "acme-academy").
	Slug string `json:"slug,omitempty"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// Slugify derives a slug from a name: lower-case ASCII letters and digits,
// other runs as one hyphen, at most 64 characters; "issuer" when nothing
// is left.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	if s == "" {
		return "issuer"
	}
	return s
}

// Validate checks the input.
func (in *ProfileInput) Validate() error {
	var p []*credential.ValidationError
	if strings.TrimSpace(in.Name) == "" {
		p = append(p, &credential.ValidationError{Field: "name", Reason: "is required"})
	}
	if in.URL != "" {
		p = appendIf(p, checkURL("url", in.URL, ""))
	}
	if in.Email != "" {
		if _, err := mail.ParseAddress(in.Email); err != nil {
			p = append(p, &credential.ValidationError{Field: "email", Reason: "is not an email address"})
		}
	}
	p = append(p, checkImage("image", in.Image)...)
	if in.Slug != "" && !slugPattern.MatchString(in.Slug) {
		p = append(p, &credential.ValidationError{Field: "slug", Reason: "must be 1 to 64 lower-case letters, digits and inner hyphens"})
	}
	return invalid(p)
}

// pickSlug makes p's slug one no other profile answers to: a slug the
// admin chose is refused when taken; a derived one gets a number ("acme-2").
func (s *Service) pickSlug(ctx context.Context, p *Profile, chosen bool) error {
	base := p.Slug
	for n := 2; ; n++ {
		other, err := s.profileBySlug(ctx, p.Slug)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil
		case err != nil:
			return err
		case other.ID == p.ID:
			return nil
		case chosen || n > 100:
			return invalid([]*credential.ValidationError{{Field: "slug", Reason: fmt.Sprintf("%q is the public page of another profile: choose another slug", p.Slug)}})
		}
		suffix := "-" + strconv.Itoa(n)
		p.Slug = strings.TrimRight(base[:min(len(base), 64-len(suffix))], "-") + suffix
	}
}

// profileBySlug finds the profile whose PublicSlug is slug, the first in
// ID order, or store.ErrNotFound.
func (s *Service) profileBySlug(ctx context.Context, slug string) (Profile, error) {
	after := ""
	for {
		page, next, _, err := s.Profiles(ctx, after, 500)
		if err != nil {
			return Profile{}, err
		}
		for _, p := range page {
			if p.PublicSlug() == slug {
				return p, nil
			}
		}
		if next == "" {
			return Profile{}, fmt.Errorf("profile with slug %q: %w", slug, store.ErrNotFound)
		}
		after = next
	}
}

func (s *Service) profileFromInput(id string, in ProfileInput, created time.Time) Profile {
	if in.Image != nil && in.Image.Type == "" {
		in.Image.Type = credential.TypeImage
	}
	slug := in.Slug
	if slug == "" {
		slug = Slugify(in.Name)
	}
	return Profile{ID: id, Name: in.Name, URL: in.URL, Email: in.Email, Phone: in.Phone, Description: in.Description,
		Image: in.Image, Slug: slug, Created: created, Updated: s.now()}
}

// CreateProfile stores a new issuer profile.
func (s *Service) CreateProfile(ctx context.Context, in ProfileInput) (Profile, error) {
	if err := in.Validate(); err != nil {
		return Profile{}, err
	}
	p := s.profileFromInput(uuid.NewString(), in, s.now())
	if err := s.pickSlug(ctx, &p, in.Slug != ""); err != nil {
		return Profile{}, err
	}
	if err := s.putJSON(ctx, collProfiles, p.ID, p, true); err != nil {
		return Profile{}, fmt.Errorf("create profile: %w", err)
	}
	return p, nil
}

// Profile returns the profile with the given ID.
func (s *Service) Profile(ctx context.Context, id string) (Profile, error) {
	if p, ok := s.profiles.get(id); ok {
		return p, nil
	}
	var p Profile
	if err := s.getJSON(ctx, collProfiles, id, &p); err != nil {
		return Profile{}, fmt.Errorf("profile %q: %w", id, err)
	}
	s.profiles.put(id, p)
	return p, nil
}

// UpdateProfile replaces the profile's data.
func (s *Service) UpdateProfile(ctx context.Context, id string, in ProfileInput) (Profile, error) {
	if err := in.Validate(); err != nil {
		return Profile{}, err
	}
	old, err := s.Profile(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	p := s.profileFromInput(id, in, old.Created)
	if in.Slug == "" && old.Slug != "" {
		p.Slug = old.Slug // a rename keeps the page's address
	}
	if err := s.pickSlug(ctx, &p, in.Slug != ""); err != nil {
		return Profile{}, err
	}
	s.profiles.drop(id)
	if err := s.putJSON(ctx, collProfiles, id, p, false); err != nil {
		return Profile{}, fmt.Errorf("update profile: %w", err)
	}
	return p, nil
}

// DeleteProfile removes a profile. The default profile cannot be deleted.
func (s *Service) DeleteProfile(ctx context.Context, id string) error {
	if id == DefaultProfileID {
		return invalid([]*credential.ValidationError{{Field: "id", Reason: "the default profile cannot be deleted"}})
	}
	s.profiles.drop(id)
	if err := s.cfg.Store.Delete(ctx, collProfiles, id); err != nil {
		return fmt.Errorf("delete profile: %w", err)
	}
	return nil
}

// Profiles lists profiles in ID order.
func (s *Service) Profiles(ctx context.Context, after string, limit int) ([]Profile, string, int, error) {
	return listJSON[Profile](ctx, s.cfg.Store, collProfiles, after, limit)
}

// issuerObject is the OB Profile placed in a credential's issuer.
func (s *Service) issuerObject(p Profile, issuerDID string) credential.Profile {
	url := p.URL
	if url == "" {
		url = s.cfg.PublicURL
	}
	return credential.Profile{ID: issuerDID, Type: []string{credential.TypeProfile}, Name: p.Name, URL: url,
		Email: p.Email, Phone: p.Phone, Description: p.Description, Image: p.Image}
}

// isHTTPURL reports whether s is an absolute http(s) URL that can be
// signed as an IRI (credential.ValidIRI).
func isHTTPURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && len(s) > len("https://") && credential.ValidIRI(s)
}

// checkURL reports field unless s is an http(s) URL, or (with dataPrefix
// set) a data: URI starting with it, that can be signed as an IRI. The
// reason names the forbidden character when that is the problem.
func checkURL(field, s, dataPrefix string) *credential.ValidationError {
	want := "must be an absolute http(s) URL"
	if dataPrefix != "" {
		want = "must be an http(s) URL or a " + dataPrefix + " URI"
	}
	ok := strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || dataPrefix != "" && strings.HasPrefix(s, dataPrefix)
	if !ok || s == "https://" || s == "http://" {
		return &credential.ValidationError{Field: field, Reason: want}
	}
	return credential.CheckIRI(field, s)
}

// appendIf appends ve when it is not nil.
func appendIf(p []*credential.ValidationError, ve *credential.ValidationError) []*credential.ValidationError {
	if ve != nil {
		p = append(p, ve)
	}
	return p
}

func checkImage(field string, img *credential.Image) []*credential.ValidationError {
	if img == nil {
		return nil
	}
	var p []*credential.ValidationError
	p = appendIf(p, checkURL(field+".id", img.ID, "data:image/"))
	if img.Type != "" && img.Type != credential.TypeImage {
		p = append(p, &credential.ValidationError{Field: field + ".type", Reason: `must be "Image"`})
	}
	return p
}

// putJSON stores v; create selects create-if-absent.
func (s *Service) putJSON(ctx context.Context, coll, id string, v any, create bool) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if create {
		return s.cfg.Store.Create(ctx, coll, id, raw)
	}
	return s.cfg.Store.Put(ctx, coll, id, raw)
}

func (s *Service) getJSON(ctx context.Context, coll, id string, v any) error {
	raw, err := s.cfg.Store.Get(ctx, coll, id)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// listJSON returns one page of a collection decoded as T, the cursor of the
// next page ("" on the last) and the collection's size.
func listJSON[T any](ctx context.Context, docs store.Docs, coll, after string, limit int) ([]T, string, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	page, err := docs.List(ctx, coll, after, limit)
	if err != nil {
		return nil, "", 0, fmt.Errorf("list %s: %w", coll, err)
	}
	total, err := docs.Count(ctx, coll)
	if err != nil {
		return nil, "", 0, fmt.Errorf("count %s: %w", coll, err)
	}
	out := make([]T, 0, len(page.Records))
	for _, r := range page.Records {
		var v T
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, "", 0, fmt.Errorf("list %s: %s: %w", coll, r.ID, err)
		}
		out = append(out, v)
	}
	return out, page.Next, total, nil
}
