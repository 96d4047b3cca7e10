package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/store"
)

// authQuery is an Authorization Request for the offer's issuer_state.
func authQuery(o OfferResult) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {"wallet"}, "redirect_uri": {"https://wallet.example/cb"},
		"code_challenge": {oid4vci.S256Challenge(strings.Repeat("v", 43))}, "code_challenge_method": {"S256"},
		"issuer_state": {o.CredentialOffer.Grants.AuthorizationCode.IssuerState}}
}

var sixDigits = regexp.MustCompile(`\d{6}`)

// wrongCode returns a 6-digit code other than right.
func wrongCode(right string) string {
	if right == "000000" {
		return "000001"
	}
	return "000000"
}

// TestOID4VCISignInGuessesCappedAcrossSessions is the attacker's probe: one
// offer opens session after session, each with its 5 guesses and 3 mails.
// Across sessions the offer allows 10 guesses and 5 mails, then its
// authorization_code grant is withdrawn: even the right code fails.
func TestOID4VCISignInGuessesCappedAcrossSessions(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	o := f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}})
	q := authQuery(o)

	// The recipient's own session, opened before the attack, with a code.
	mine, err := f.vci.StartAuthorization(ctx, q, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.vci.SendAuthorizationCode(ctx, mine.SessionID, "learner@example.org"); err != nil {
		t.Fatal(err)
	}
	mail, _ := f.mailer.last()
	myCode := sixDigits.FindString(mail.Body)

	guesses, sessions, refused := 0, 0, 0
	for i := range 40 {
		step, err := f.vci.StartAuthorization(ctx, q, fmt.Sprintf("198.51.100.%d", i))
		var limited *RateLimitError
		switch {
		case errors.As(err, &limited):
			refused++
			continue
		case err != nil:
			t.Fatal(err)
		case step.Redirect != "":
			refused++
			continue
		}
		sessions++
		for range emailSends {
			if _, err := f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org"); err != nil {
				t.Fatal(err)
			}
		}
		for range emailAttempts {
			s, err := f.vci.CompleteAuthorization(ctx, step.SessionID, wrongCode(myCode))
			if err != nil {
				break
			}
			if strings.Contains(s.Redirect, "withdrawn") {
				break
			}
			guesses++
			if s.Redirect != "" {
				break
			}
		}
	}
	lim := DefaultSignInLimits
	if guesses > lim.GuessesPerOffer {
		t.Errorf("%d guesses were checked for one offer over %d sessions, want at most %d", guesses, sessions, lim.GuessesPerOffer)
	}
	if _, n := f.mailer.last(); n > lim.MailsPerOffer {
		t.Errorf("%d codes were mailed for one offer, want at most %d", n, lim.MailsPerOffer)
	}
	if refused == 0 {
		t.Error("40 sign-in sessions for one offer were all opened")
	}
	// Withdrawn: the right code of a session opened before fails too, and
	// no new session opens.
	step, err := f.vci.CompleteAuthorization(ctx, mine.SessionID, myCode)
	if err == nil && (step.Redirect == "" || strings.Contains(step.Redirect, "code=")) {
		t.Errorf("the right code after the offer's guesses ran out: %+v, want access_denied", step)
	}
	step, err = f.vci.StartAuthorization(ctx, q, "192.0.2.99")
	if err == nil && !strings.Contains(step.Redirect, "error=access_denied") {
		t.Errorf("a session for a withdrawn offer: %+v %v", step, err)
	}
	// The pre-authorized grant of other offers is untouched.
	other := f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}})
	if step, err := f.vci.StartAuthorization(ctx, authQuery(other), "192.0.2.99"); err != nil || step.SessionID == "" {
		t.Errorf("another offer's sign-in: %+v %v", step, err)
	}
}

// TestOID4VCISignInSessionsRateLimited opens sessions past the per-offer and
// per-client limits.
func TestOID4VCISignInSessionsRateLimited(t *testing.T) {
	ctx := context.Background()
	lim := DefaultSignInLimits
	t.Run("per-offer", func(t *testing.T) {
		f := newVCI(t)
		q := authQuery(f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}}))
		for i := range lim.SessionsPerOffer {
			if _, err := f.vci.StartAuthorization(ctx, q, fmt.Sprintf("198.51.100.%d", i)); err != nil {
				t.Fatalf("session %d: %v", i+1, err)
			}
		}
		_, err := f.vci.StartAuthorization(ctx, q, "203.0.113.1")
		var limited *RateLimitError
		if !errors.As(err, &limited) || !errors.Is(err, ErrRateLimited) || limited.RetryAfter <= 0 {
			t.Fatalf("session %d of one offer: %v, want a RateLimitError", lim.SessionsPerOffer+1, err)
		}
		// Another offer is not affected.
		other := authQuery(f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}}))
		if _, err := f.vci.StartAuthorization(ctx, other, "203.0.113.1"); err != nil {
			t.Errorf("another offer: %v", err)
		}
	})
	t.Run("per-client", func(t *testing.T) {
		f := newVCI(t)
		opened := 0
		var err error
		for opened <= lim.SessionsPerClient && err == nil {
			q := authQuery(f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}}))
			for range 5 {
				if _, err = f.vci.StartAuthorization(ctx, q, "203.0.113.7"); err != nil {
					break
				}
				opened++
			}
		}
		if !errors.Is(err, ErrRateLimited) || opened != lim.SessionsPerClient {
			t.Fatalf("one client opened %d sessions, then %v; want %d then ErrRateLimited", opened, err, lim.SessionsPerClient)
		}
	})
}

// TestOID4VCISignInMailsCappedPerAddress sends codes for several offers to
// one address: past MailsPerAddress a day, nothing more is mailed.
func TestOID4VCISignInMailsCappedPerAddress(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	lim := DefaultSignInLimits
	for range 2 * lim.MailsPerAddress / lim.MailsPerOffer {
		q := authQuery(f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}}))
		for range 3 {
			step, err := f.vci.StartAuthorization(ctx, q, "")
			if err != nil {
				t.Fatal(err)
			}
			for range emailSends {
				if _, err := f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, n := f.mailer.last(); n != lim.MailsPerAddress {
		t.Errorf("%d codes mailed to one address, want %d", n, lim.MailsPerAddress)
	}
}

// TestOID4VCINoSecretsAtRest creates offers with every grant and a
// tx_code, signs in with an emailed code and redeems, then reads every
// stored token and document: none holds a secret the service handed out,
// neither in clear nor as an unkeyed SHA-256 (which a 6-digit code would
// be reversed from in under a second).
func TestOID4VCINoSecretsAtRest(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	pre := f.offer(t, OfferRequest{TxCode: true, Grants: []string{GrantPreAuthorized, GrantAuthorizationCode}})
	view, err := f.vci.OfferByReference(ctx, strings.TrimPrefix(pre.CredentialOfferURI, vciIssuer+OID4VCIPathOffers+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := view.Offer.Grants.PreAuthorizedCode.PreAuthorizedCode, preAuthCode(pre); got != want {
		t.Fatalf("the offer by reference has pre-authorized code %q, want the one given at creation %q", got, want)
	}
	if got, want := view.Offer.Grants.AuthorizationCode.IssuerState, pre.CredentialOffer.Grants.AuthorizationCode.IssuerState; got != want {
		t.Fatalf("the offer by reference has issuer_state %q, want %q", got, want)
	}
	secrets := []string{pre.TxCode, preAuthCode(pre), pre.CredentialOffer.Grants.AuthorizationCode.IssuerState, pre.CredentialOfferURI}
	tx := pre.TxCode
	secrets = append(secrets, f.token(t, pre, &tx).AccessToken)

	auth := f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}})
	step, err := f.vci.StartAuthorization(ctx, authQuery(auth), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org"); err != nil {
		t.Fatal(err)
	}
	mail, _ := f.mailer.last()
	secrets = append(secrets, step.SessionID, sixDigits.FindString(mail.Body))

	exp, ok := f.svc.cfg.Store.(store.Exporter)
	if !ok {
		t.Fatalf("%T is not a store.Exporter", f.svc.cfg.Store)
	}
	var dump strings.Builder
	for tok, err := range exp.ExportTokens(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dump, "%s %s %s\n", tok.Kind, tok.ID, tok.Value)
	}
	for doc, err := range exp.ExportDocs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dump, "%s %s %s\n", doc.Collection, doc.ID, doc.Value)
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret is missing from the flow")
		}
		forms := []string{s}
		if _, random, ok := strings.Cut(s, "."); ok && len(random) > 20 {
			forms = append(forms, random)
		}
		for _, v := range append([]string{}, forms...) {
			sum := sha256.Sum256([]byte(v))
			forms = append(forms, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:]))
		}
		for _, form := range forms {
			if strings.Contains(dump.String(), form) {
				t.Errorf("the store holds %q (a form of a secret the service handed out)", form)
			}
		}
	}
}
