package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
)

// internalWording stands for what wraps above a sentinel (operation names,
// IDs, driver text); no client may read it.
const internalWording = "redis 10.0.0.7:6379: EXECABORT in collection creds/urn:uuid:42"

// TestMappingEverySentinel walks every row of the one mapping table: each
// sentinel, wrapped in internal wording, gets its status, problem type and
// public message, and nothing of the wrapping reaches any body format.
func TestMappingEverySentinel(t *testing.T) {
	want := map[error]struct {
		status int
		slug   string
		msg    string
	}{
		issuer.ErrInvalid:             {400, "invalid-request", "the request is invalid; see errors"},
		wallet.ErrInvalid:             {400, "invalid-request", "the request is invalid; see errors"},
		store.ErrNotFound:             {404, "not-found", "the resource does not exist"},
		store.ErrConflict:             {409, "conflict", "the resource already exists"},
		store.ErrUnavailable:          {503, "storage-unavailable", "storage is unavailable; retry later"},
		errors.ErrUnsupported:         {501, "unsupported-by-storage", "the configured storage cannot do this (status changes need a standalone or Sentinel Redis, not Redis Cluster)"},
		issuer.ErrStatusConflict:      {409, "status-conflict", "status change not allowed"},
		issuer.ErrNoStatus:            {409, "no-status", "the credential was issued without a status entry"},
		did.ErrInvalidDID:             {400, "invalid-did", "the DID is malformed"},
		ldcontext.ErrUnavailable:      {503, "context-unavailable", "a pinned JSON-LD context or JSON Schema is not available here; import it with 'accolade contexts import DIR' or set ACCOLADE_CONTEXTS_DIR"},
		did.ErrMethodNotSupported:     {501, "did-method-not-supported", "the DID method is not supported"},
		wallet.ErrUnauthorized:        {401, "unauthorized", "a valid wallet session token is required: sign in at /wallet/v1/signin"},
		wallet.ErrBadCredentials:      {401, "invalid-credentials", "wrong email address or password"},
		wallet.ErrEmailTaken:          {409, "email-taken", "a wallet already exists for this email address"},
		wallet.ErrVerificationInvalid: {410, "confirmation-invalid", "the confirmation link is unknown, used or expired: sign up again"},
		wallet.ErrRateLimited:         {429, "rate-limited", "too many attempts: retry after the number of seconds in Retry-After"},
		issuer.ErrRateLimited:         {429, "rate-limited", "too many attempts: retry after the number of seconds in Retry-After"},
		wallet.ErrDuplicate:           {409, "duplicate-credential", "the wallet already holds this credential"},
		wallet.ErrRejected:            {422, "credential-rejected", "the credential does not verify (its format, proof or issuer binding failed), so the wallet does not keep it; see report"},
		wallet.ErrShareExpired:        {410, "share-expired", "the share link has expired"},
		wallet.ErrUnsupported:         {422, "unsupported", "not supported"},
		verifier.ErrRequestInvalid:    {400, "bad-request", "invalid presentation request"},
		verifier.ErrRequestExpired:    {410, "request-expired", "request_expired: the presentation request has expired"},
		verifier.ErrRequestAnswered:   {410, "request-used", "request_used: the presentation request has already been answered"},
		verifier.ErrRequestKeyChanged: {410, "request-expired", "request_expired: the verifier's DID changed since the request was made"},
	}
	if len(mapping) != len(want) {
		t.Errorf("the table has %d rows, this test knows %d: add the new sentinel here", len(mapping), len(want))
	}
	for _, m := range mapping {
		w, ok := want[m.is]
		if !ok {
			t.Errorf("no expectation for %v", m.is)
			continue
		}
		t.Run(m.slug+"/"+m.is.Error(), func(t *testing.T) {
			err := fmt.Errorf("op %s: %w", internalWording, m.is)
			p := toProblem(err)
			if p.Status != w.status || p.Type != problemTypeBase+w.slug || p.Title != http.StatusText(w.status) {
				t.Errorf("problem = %d %s %q; want %d %s", p.Status, p.Type, p.Title, w.status, w.slug)
			}
			detail := p.Detail
			if m.fields {
				if len(p.Errors) != 1 || p.Errors[0] != m.is.Error() {
					t.Errorf("errors = %q; want the sentinel's text only", p.Errors)
				}
			}
			if detail != w.msg {
				t.Errorf("detail = %q; want %q", detail, w.msg)
			}
			body, status := toOAuth(err, oid4vci.CodeInvalidRequest)
			if status != w.status || body.Description != w.msg {
				t.Errorf("oauth = %d %q; want %d %q", status, body.Description, w.status, w.msg)
			}
			if wantCode := map[bool]string{true: oid4vci.CodeServerError, false: oid4vci.CodeInvalidRequest}[w.status >= 500]; body.Error != wantCode {
				t.Errorf("oauth error = %q; want %q", body.Error, wantCode)
			}
			for _, s := range append([]string{p.Detail, body.Description}, p.Errors...) {
				if strings.Contains(s, "EXECABORT") {
					t.Errorf("internal wording reached the client: %q", s)
				}
			}
			// A public message, however deep, is what the client reads
			// (field rows list it under errors).
			pub := fmt.Errorf("op %s: %w", internalWording, public.Errorf("%w: the reason in the client's terms", m.is))
			p = toProblem(pub)
			got := p.Detail
			if m.fields {
				got = strings.Join(p.Errors, "; ")
			}
			if wantPub := m.is.Error() + ": the reason in the client's terms"; got != wantPub || p.Status != w.status {
				t.Errorf("with a public message: %d %q; want %d %q", p.Status, got, w.status, wantPub)
			}
		})
	}
}

// TestMappingByType checks the errors that are not sentinels: api's own
// HTTPError, the protocols' typed errors, field errors, unknown errors.
func TestMappingByType(t *testing.T) {
	fields := errors.Join(issuer.ErrInvalid,
		&credential.ValidationError{Field: "name", Reason: "is required"},
		&credential.ValidationError{Field: "image.id", Reason: "must be an absolute URL"})
	p := toProblem(fmt.Errorf("create achievement: %w", fields))
	if p.Status != 400 || strings.Join(p.Errors, "|") != "name: is required|image.id: must be an absolute URL" {
		t.Errorf("field errors: %d %q", p.Status, p.Errors)
	}
	p = toProblem(fmt.Errorf("wrap: %w", errBadRequest("a JSON body is required", errors.New(internalWording))))
	if p.Status != 400 || p.Detail != "a JSON body is required" || p.Type != problemTypeBase+"bad-request" {
		t.Errorf("HTTPError: %+v", p)
	}
	p = toProblem(errors.New(internalWording))
	if p.Status != 500 || p.Detail != msgInternal || p.ErrorID == "" || p.Type != "about:blank" {
		t.Errorf("unknown error: %+v", p)
	}
	body, status := toOAuth(fmt.Errorf("token: %w", oid4vci.Errorf(oid4vci.CodeInvalidToken, "the access token has expired")), oid4vci.CodeInvalidRequest)
	if status != 401 || body.Error != oid4vci.CodeInvalidToken || body.Description != "the access token has expired" {
		t.Errorf("oid4vci.Error: %d %+v", status, body)
	}
	body, status = toOAuth(&oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "state does not match the request"}, oid4vp.CodeInvalidRequest)
	if status != 400 || body.Error != oid4vp.CodeInvalidRequest || body.Description != "state does not match the request" {
		t.Errorf("oid4vp.Error: %d %+v", status, body)
	}
	body, status = toOAuth(errors.New(internalWording), oid4vp.CodeInvalidRequest)
	if status != 500 || body.Error != oid4vci.CodeServerError || body.Description != msgInternal || body.ErrorID == "" {
		t.Errorf("unknown error as OAuth: %d %+v", status, body)
	}
	// The message a service marks public is shown; its wrapped cause is not.
	p = toProblem(fmt.Errorf("revoke: %w", public.WithMessage(fmt.Errorf("%w: retry (%s)", issuer.ErrStatusConflict, internalWording), "status change not allowed: try again")))
	if p.Status != 409 || p.Detail != "status change not allowed: try again" {
		t.Errorf("WithMessage: %d %q", p.Status, p.Detail)
	}
}
