package issuer

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/proof/jose"
)

const vciIssuer = "https://badges.example.org"

// testClock is an adjustable clock for the service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// captureMailer keeps the mail sent.
type captureMailer struct {
	mu   sync.Mutex
	sent []Mail
}

func (m *captureMailer) Send(_ context.Context, mail Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
	return nil
}

func (m *captureMailer) last() (Mail, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		return Mail{}, 0
	}
	return m.sent[len(m.sent)-1], len(m.sent)
}

type vciFixture struct {
	svc    *Service
	vci    *OID4VCI
	clock  *testClock
	mailer *captureMailer
	ach    Achievement
}

func newVCI(t testing.TB) *vciFixture {
	t.Helper()
	s := newService(t, vciIssuer)
	clock := &testClock{t: time.Now().UTC()}
	mailer := &captureMailer{}
	vci, err := NewOID4VCI(OID4VCIConfig{Issuer: s, Store: s.cfg.Store.(OID4VCIStore), PublicURL: vciIssuer,
		Resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, Now: clock.Now, Mailer: mailer, BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	return &vciFixture{svc: s, vci: vci, clock: clock, mailer: mailer, ach: newAchievement(t, s)}
}

func (f *vciFixture) offer(t testing.TB, req OfferRequest) OfferResult {
	t.Helper()
	if req.AchievementID == "" {
		req.AchievementID = f.ach.ID
	}
	if req.Recipients == nil {
		req.Recipients = []Recipient{{Email: "learner@example.org"}}
	}
	res, err := f.vci.CreateOffers(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func preAuthCode(o OfferResult) string {
	return o.CredentialOffer.Grants.PreAuthorizedCode.PreAuthorizedCode
}

func (f *vciFixture) token(t testing.TB, o OfferResult, txCode *string) oid4vci.TokenResponse {
	t.Helper()
	req := oid4vci.TokenRequest{GrantType: oid4vci.GrantTypePreAuthorizedCode, PreAuthorizedCode: preAuthCode(o)}
	if txCode != nil {
		req.TxCode, req.HasTxCode = *txCode, true
	}
	resp, err := f.vci.Token(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// holder is a wallet key.
type holder struct {
	key *keys.Key
	did string
	kid string
}

func newHolder(t testing.TB, alg keys.Alg) holder {
	t.Helper()
	k, err := keys.Generate(alg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return holder{key: k, did: d, kid: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

func (h holder) proof(t testing.TB, aud, nonce string, iat time.Time) string {
	t.Helper()
	hdr, _ := json.Marshal(map[string]any{"typ": oid4vci.ProofJWTType, "alg": string(h.key.Alg()), "kid": h.kid})
	cl, _ := json.Marshal(map[string]any{"aud": aud, "iat": iat.Unix(), "nonce": nonce})
	in := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(cl)
	sig, err := h.key.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func (f *vciFixture) nonce(t testing.TB) string {
	t.Helper()
	n, err := f.vci.Nonce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *vciFixture) credentialRequest(configID string, proofs ...string) oid4vci.CredentialRequest {
	return oid4vci.CredentialRequest{CredentialConfigurationID: configID, Proofs: &oid4vci.Proofs{Type: oid4vci.ProofTypeJWT, JWT: proofs}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *oid4vci.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// subjectID returns credentialSubject.id of an issued credential.
func subjectID(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var doc map[string]any
	var tok string
	if json.Unmarshal(raw, &tok) == nil {
		_, payload, err := jose.ParseUnverified(tok)
		if err != nil {
			t.Fatal(err)
		}
		doc = payload
		if vc, ok := payload["vc"].(map[string]any); ok {
			doc = vc
		}
	} else if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	cs, _ := doc["credentialSubject"].(map[string]any)
	id, _ := cs["id"].(string)
	return id
}

func TestOID4VCIPreAuthorizedFlow(t *testing.T) {
	f := newVCI(t)
	ctx := context.Background()
	for _, format := range []string{oid4vci.FormatLDPVC, oid4vci.FormatJWTVCJSON} {
		t.Run(format, func(t *testing.T) {
			o := f.offer(t, OfferRequest{Format: format, TxCode: true})
			configID := f.ach.ID + "_" + format
			if got := o.CredentialOffer.CredentialConfigurationIDs; len(got) != 1 || got[0] != configID {
				t.Fatalf("configuration ids %v", got)
			}
			if tc := o.CredentialOffer.Grants.PreAuthorizedCode.TxCode; tc == nil || tc.Length != 6 || tc.InputMode != "numeric" || !regexp.MustCompile(`^\d{6}$`).MatchString(o.TxCode) {
				t.Fatalf("tx_code %+v %q", tc, o.TxCode)
			}
			if len(preAuthCode(o)) < 22 {
				t.Errorf("pre-authorized code %q is shorter than 128 bits", preAuthCode(o))
			}
			view, err := f.vci.OfferByReference(ctx, strings.TrimPrefix(o.CredentialOfferURI, vciIssuer+OID4VCIPathOffers+"/"))
			if err != nil || view.Link != o.OfferURI || view.Offer.Grants.PreAuthorizedCode.PreAuthorizedCode != preAuthCode(o) {
				t.Fatalf("offer by reference: %v %+v", err, view)
			}
			tok := f.token(t, o, &o.TxCode)
			if tok.TokenType != "Bearer" || tok.ExpiresIn != 600 {
				t.Errorf("token response %+v", tok)
			}
			h := newHolder(t, keys.ES256)
			resp, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Credentials) != 1 || resp.NotificationID == "" {
				t.Fatalf("response %+v", resp)
			}
			if got := subjectID(t, resp.Credentials[0].Credential); got != h.did {
				t.Errorf("credentialSubject.id = %s, want the holder DID %s", got, h.did)
			}
		})
	}
}

func TestOID4VCITokenErrors(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	pre := func(o OfferResult, tx ...string) oid4vci.TokenRequest {
		r := oid4vci.TokenRequest{GrantType: oid4vci.GrantTypePreAuthorizedCode, PreAuthorizedCode: preAuthCode(o)}
		if len(tx) > 0 {
			r.TxCode, r.HasTxCode = tx[0], true
		}
		return r
	}
	t.Run("fail/unknown code", func(t *testing.T) {
		_, err := f.vci.Token(ctx, oid4vci.TokenRequest{GrantType: oid4vci.GrantTypePreAuthorizedCode, PreAuthorizedCode: "nope"})
		wantCode(t, err, oid4vci.CodeInvalidGrant)
	})
	t.Run("fail/replayed code", func(t *testing.T) {
		o := f.offer(t, OfferRequest{})
		f.token(t, o, nil)
		_, err := f.vci.Token(ctx, pre(o))
		wantCode(t, err, oid4vci.CodeInvalidGrant)
	})
	t.Run("fail/tx_code missing", func(t *testing.T) {
		_, err := f.vci.Token(ctx, pre(f.offer(t, OfferRequest{TxCode: true})))
		wantCode(t, err, oid4vci.CodeInvalidRequest)
	})
	t.Run("fail/tx_code unexpected", func(t *testing.T) {
		_, err := f.vci.Token(ctx, pre(f.offer(t, OfferRequest{}), "123456"))
		wantCode(t, err, oid4vci.CodeInvalidRequest)
	})
	t.Run("fail/tx_code attempts are limited", func(t *testing.T) {
		o := f.offer(t, OfferRequest{TxCode: true})
		wrong := "000000"
		if o.TxCode == wrong {
			wrong = "111111"
		}
		for i := 0; i < 5; i++ {
			_, err := f.vci.Token(ctx, pre(o, wrong))
			wantCode(t, err, oid4vci.CodeInvalidGrant)
		}
		_, err := f.vci.Token(ctx, pre(o, o.TxCode))
		wantCode(t, err, oid4vci.CodeInvalidGrant)
	})
	t.Run("ok/right tx_code after a wrong one", func(t *testing.T) {
		o := f.offer(t, OfferRequest{TxCode: true})
		_, err := f.vci.Token(ctx, pre(o, "x"))
		wantCode(t, err, oid4vci.CodeInvalidGrant)
		f.token(t, o, &o.TxCode)
	})
	t.Run("fail/expired offer", func(t *testing.T) {
		f := newVCI(t)
		o := f.offer(t, OfferRequest{})
		f.clock.Add(DefaultOfferTTL + time.Second)
		_, err := f.vci.Token(ctx, pre(o))
		wantCode(t, err, oid4vci.CodeInvalidGrant)
		if _, err := f.vci.OfferByReference(ctx, strings.TrimPrefix(o.CredentialOfferURI, vciIssuer+OID4VCIPathOffers+"/")); err == nil {
			t.Error("an expired offer is still served by reference")
		}
	})
	t.Run("fail/authorization_details for another configuration", func(t *testing.T) {
		r := pre(f.offer(t, OfferRequest{}))
		r.AuthorizationDetails = []oid4vci.AuthorizationDetail{{Type: oid4vci.AuthorizationDetailsType, CredentialConfigurationID: "other_ldp_vc"}}
		_, err := f.vci.Token(ctx, r)
		wantCode(t, err, oid4vci.CodeInvalidAuthorizationDetails)
	})
}

// TestOID4VCICodeIsSingleUseUnderConcurrency redeems one code from many
// goroutines: exactly one gets an access token.
func TestOID4VCICodeIsSingleUseUnderConcurrency(t *testing.T) {
	f := newVCI(t)
	o := f.offer(t, OfferRequest{TxCode: true})
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tx := o.TxCode
			if i%2 == 1 {
				tx = "guess"
			}
			_, err := f.vci.Token(context.Background(), oid4vci.TokenRequest{GrantType: oid4vci.GrantTypePreAuthorizedCode,
				PreAuthorizedCode: preAuthCode(o), TxCode: tx, HasTxCode: true})
			if err == nil {
				ok.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if ok.Load() > 1 {
		t.Errorf("%d goroutines redeemed the same code", ok.Load())
	}
}

func TestOID4VCICredentialErrors(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	configID := f.ach.ID + "_ldp_vc"
	h := newHolder(t, keys.EdDSA)
	newToken := func(t *testing.T, req OfferRequest) string { return f.token(t, f.offer(t, req), nil).AccessToken }
	t.Run("fail/bad bearer token", func(t *testing.T) {
		_, err := f.vci.Credential(ctx, "nope", f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidToken)
	})
	t.Run("fail/expired access token", func(t *testing.T) {
		f := newVCI(t)
		tok := f.token(t, f.offer(t, OfferRequest{}), nil).AccessToken
		f.clock.Add(DefaultAccessTokenTTL + time.Second)
		_, err := f.vci.Credential(ctx, tok, f.credentialRequest(f.ach.ID+"_ldp_vc", h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidToken)
	})
	t.Run("fail/configuration not offered", func(t *testing.T) {
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(f.ach.ID+"_jwt_vc_json", h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeUnknownCredentialConfiguration)
	})
	t.Run("fail/unknown credential_identifier", func(t *testing.T) {
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), oid4vci.CredentialRequest{CredentialIdentifier: "x",
			Proofs: &oid4vci.Proofs{Type: "jwt", JWT: []string{h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())}}})
		wantCode(t, err, oid4vci.CodeUnknownCredentialIdentifier)
	})
	t.Run("fail/missing proof", func(t *testing.T) {
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), oid4vci.CredentialRequest{CredentialConfigurationID: configID})
		wantCode(t, err, oid4vci.CodeInvalidProof)
	})
	t.Run("fail/over batch size", func(t *testing.T) {
		n := f.nonce(t)
		var proofs []string
		for i := 0; i < 4; i++ {
			proofs = append(proofs, newHolder(t, keys.EdDSA).proof(t, vciIssuer, n, f.clock.Now()))
		}
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, proofs...))
		wantCode(t, err, oid4vci.CodeInvalidProof)
	})
	t.Run("fail/proof for another audience", func(t *testing.T) {
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, h.proof(t, "https://other.example", f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidProof)
	})
	t.Run("fail/unknown nonce", func(t *testing.T) {
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, h.proof(t, vciIssuer, "made-up", f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidNonce)
	})
	t.Run("fail/replayed nonce", func(t *testing.T) {
		n := f.nonce(t)
		if _, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, h.proof(t, vciIssuer, n, f.clock.Now()))); err != nil {
			t.Fatal(err)
		}
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, h.proof(t, vciIssuer, n, f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidNonce)
	})
	t.Run("fail/second request on one token", func(t *testing.T) {
		tok := newToken(t, OfferRequest{})
		if _, err := f.vci.Credential(ctx, tok, f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now()))); err != nil {
			t.Fatal(err)
		}
		_, err := f.vci.Credential(ctx, tok, f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeCredentialRequestDenied)
	})
	t.Run("fail/same key twice in a batch", func(t *testing.T) {
		n := f.nonce(t)
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, h.proof(t, vciIssuer, n, f.clock.Now()), h.proof(t, vciIssuer, n, f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidProof)
	})
	t.Run("fail/same key under two kids in a batch", func(t *testing.T) {
		// kid "did#frag", the bare DID and a did:jwk of the same key all
		// name one key: the batch must not issue it two credentials.
		bare := holder{key: h.key, did: h.did, kid: h.did}
		jwkDID, err := did.JWKDID(h.key.Public())
		if err != nil {
			t.Fatal(err)
		}
		asJWK := holder{key: h.key, did: jwkDID, kid: jwkDID + "#0"}
		for name, other := range map[string]holder{"bare DID": bare, "did:jwk": asJWK} {
			n := f.nonce(t)
			_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, h.proof(t, vciIssuer, n, f.clock.Now()), other.proof(t, vciIssuer, n, f.clock.Now())))
			if e := (*oid4vci.Error)(nil); !errors.As(err, &e) || e.Code != oid4vci.CodeInvalidProof || !strings.Contains(e.Description, "repeats a key") {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("fail/encryption requested", func(t *testing.T) {
		r := f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now()))
		r.ResponseEncryption = json.RawMessage(`{"jwk":{},"enc":"A128GCM"}`)
		_, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), r)
		wantCode(t, err, oid4vci.CodeInvalidEncryptionParameters)
	})
	t.Run("fail/DID recipient, proof of another DID", func(t *testing.T) {
		other := newHolder(t, keys.EdDSA)
		tok := newToken(t, OfferRequest{Recipients: []Recipient{{DID: other.did}}})
		_, err := f.vci.Credential(ctx, tok, f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidProof)
		resp, err := f.vci.Credential(ctx, tok, f.credentialRequest(configID, other.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
		if err != nil || subjectID(t, resp.Credentials[0].Credential) != other.did {
			t.Fatalf("the recipient DID's own proof: %v", err)
		}
	})
	t.Run("ok/batch of proofs sharing a nonce", func(t *testing.T) {
		n := f.nonce(t)
		a, b := newHolder(t, keys.EdDSA), newHolder(t, keys.ES256)
		resp, err := f.vci.Credential(ctx, newToken(t, OfferRequest{}), f.credentialRequest(configID, a.proof(t, vciIssuer, n, f.clock.Now()), b.proof(t, vciIssuer, n, f.clock.Now())))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Credentials) != 2 || subjectID(t, resp.Credentials[0].Credential) != a.did || subjectID(t, resp.Credentials[1].Credential) != b.did {
			t.Fatalf("batch response %+v", resp)
		}
	})
}

func TestOID4VCIDeferredAndNotification(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	o := f.offer(t, OfferRequest{Deferred: true})
	tok := f.token(t, o, nil)
	if tok.ExpiresIn <= int64(DefaultAccessTokenTTL/time.Second) {
		t.Errorf("a deferred offer's token lives %ds, want until the offer expires", tok.ExpiresIn)
	}
	h := newHolder(t, keys.EdDSA)
	resp, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc", h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
	if err != nil || resp.TransactionID == "" || resp.Interval < 1 || resp.Credentials != nil {
		t.Fatalf("deferred credential response %+v %v", resp, err)
	}
	pending, err := f.vci.Deferred(ctx, tok.AccessToken, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	if err != nil || pending.TransactionID != resp.TransactionID {
		t.Fatalf("before approval: %+v %v", pending, err)
	}
	_, err = f.vci.Deferred(ctx, tok.AccessToken, oid4vci.DeferredRequest{TransactionID: "nope"})
	wantCode(t, err, oid4vci.CodeInvalidTransactionID)
	if err := f.vci.ApproveOffer(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	done, err := f.vci.Deferred(ctx, tok.AccessToken, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	if err != nil || len(done.Credentials) != 1 || subjectID(t, done.Credentials[0].Credential) != h.did {
		t.Fatalf("after approval: %+v %v", done, err)
	}
	_, err = f.vci.Deferred(ctx, tok.AccessToken, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	wantCode(t, err, oid4vci.CodeInvalidTransactionID)

	// Notifications are recorded once per event on the credential.
	for i := 0; i < 2; i++ {
		if err := f.vci.Notify(ctx, tok.AccessToken, oid4vci.NotificationRequest{NotificationID: done.NotificationID, Event: oid4vci.EventCredentialAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	err = f.vci.Notify(ctx, tok.AccessToken, oid4vci.NotificationRequest{NotificationID: "nope", Event: oid4vci.EventCredentialAccepted})
	wantCode(t, err, oid4vci.CodeInvalidNotificationID)
	err = f.vci.Notify(ctx, "bad", oid4vci.NotificationRequest{NotificationID: done.NotificationID, Event: oid4vci.EventCredentialAccepted})
	wantCode(t, err, oid4vci.CodeInvalidToken)
	var cred struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(done.Credentials[0].Credential, &cred)
	events, err := f.vci.Notifications(ctx, cred.ID)
	if err != nil || len(events) != 1 || events[0].Event != oid4vci.EventCredentialAccepted {
		t.Fatalf("notifications %+v %v", events, err)
	}

	// approveAfter releases the credential by itself.
	o2 := f.offer(t, OfferRequest{Deferred: true, ApproveAfter: "30s"})
	tok2 := f.token(t, o2, nil)
	resp2, err := f.vci.Credential(ctx, tok2.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc", h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(31 * time.Second)
	if done, err := f.vci.Deferred(ctx, tok2.AccessToken, oid4vci.DeferredRequest{TransactionID: resp2.TransactionID}); err != nil || len(done.Credentials) != 1 {
		t.Fatalf("after approveAfter: %+v %v", done, err)
	}
}

func TestOID4VCIAuthorizationCodeFlow(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	o := f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}, Recipients: []Recipient{{Email: "Learner@Example.org"}}})
	if o.CredentialOffer.Grants.PreAuthorizedCode != nil || o.CredentialOffer.Grants.AuthorizationCode.IssuerState == "" {
		t.Fatalf("grants %+v", o.CredentialOffer.Grants)
	}
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	q := url.Values{"response_type": {"code"}, "client_id": {"wallet"}, "redirect_uri": {"https://wallet.example/cb?x=1"},
		"code_challenge": {oid4vci.S256Challenge(verifier)}, "code_challenge_method": {"S256"}, "state": {"st-1"},
		"issuer_state": {o.CredentialOffer.Grants.AuthorizationCode.IssuerState}}
	step, err := f.vci.StartAuthorization(ctx, q, "")
	if err != nil || step.Stage != StageEmail || step.Achievement != f.ach.Name {
		t.Fatalf("start: %+v %v", step, err)
	}
	// A wrong address sends nothing and looks the same.
	if s2, err := f.vci.SendAuthorizationCode(ctx, step.SessionID, "someone@example.org"); err != nil || s2.Stage != StageCode {
		t.Fatalf("wrong email: %+v %v", s2, err)
	}
	if _, n := f.mailer.last(); n != 0 {
		t.Fatal("a code was mailed to an address that is not the recipient's")
	}
	if _, err := f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org "); err != nil {
		t.Fatal(err)
	}
	mail, n := f.mailer.last()
	code := regexp.MustCompile(`\d{6}`).FindString(mail.Body)
	if n != 1 || code == "" || mail.To != "Learner@Example.org" {
		t.Fatalf("mail %+v", mail)
	}
	if s3, err := f.vci.CompleteAuthorization(ctx, step.SessionID, "000000x"); err != nil || s3.Redirect != "" || !strings.Contains(s3.Message, "attempts left") {
		t.Fatalf("wrong code: %+v %v", s3, err)
	}
	done, err := f.vci.CompleteAuthorization(ctx, step.SessionID, code)
	if err != nil || done.Redirect == "" {
		t.Fatalf("right code: %+v %v", done, err)
	}
	ru, _ := url.Parse(done.Redirect)
	if ru.Host != "wallet.example" || ru.Query().Get("x") != "1" || ru.Query().Get("state") != "st-1" || ru.Query().Get("iss") != vciIssuer {
		t.Fatalf("redirect %s", done.Redirect)
	}
	tr := oid4vci.TokenRequest{GrantType: oid4vci.GrantTypeAuthorizationCode, Code: ru.Query().Get("code"), ClientID: "wallet",
		RedirectURI: "https://wallet.example/cb?x=1", CodeVerifier: strings.Repeat("a", 43)}
	_, err = f.vci.Token(ctx, tr)
	wantCode(t, err, oid4vci.CodeInvalidGrant) // wrong verifier, and the code is now used
	// Start over: a second session, the right verifier this time.
	step, _ = f.vci.StartAuthorization(ctx, q, "")
	_, _ = f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org")
	mail, _ = f.mailer.last()
	done, err = f.vci.CompleteAuthorization(ctx, step.SessionID, regexp.MustCompile(`\d{6}`).FindString(mail.Body))
	if err != nil {
		t.Fatal(err)
	}
	ru, _ = url.Parse(done.Redirect)
	tr.Code, tr.CodeVerifier = ru.Query().Get("code"), verifier
	tr.ClientID = ""
	_, err = f.vci.Token(ctx, tr)
	wantCode(t, err, oid4vci.CodeInvalidClient)
	step, _ = f.vci.StartAuthorization(ctx, q, "")
	_, _ = f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org")
	mail, _ = f.mailer.last()
	done, _ = f.vci.CompleteAuthorization(ctx, step.SessionID, regexp.MustCompile(`\d{6}`).FindString(mail.Body))
	ru, _ = url.Parse(done.Redirect)
	tr.Code, tr.ClientID = ru.Query().Get("code"), "wallet"
	tok, err := f.vci.Token(ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	h := newHolder(t, keys.EdDSA)
	resp, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc", h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
	if err != nil || subjectID(t, resp.Credentials[0].Credential) != h.did {
		t.Fatalf("credential: %v", err)
	}
	// The offer is redeemed: a new authorization is refused.
	step, err = f.vci.StartAuthorization(ctx, q, "")
	if err != nil || !strings.Contains(step.Redirect, "error=access_denied") {
		t.Fatalf("after redemption: %+v %v", step, err)
	}
}

func TestOID4VCIAuthorizationRefusals(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	q := url.Values{"response_type": {"code"}, "client_id": {"wallet"}, "redirect_uri": {"https://wallet.example/cb"},
		"code_challenge": {oid4vci.S256Challenge(strings.Repeat("v", 43))}, "code_challenge_method": {"S256"}, "issuer_state": {"unknown"}}
	// Unknown issuer_state: shown, never redirected (no open redirector).
	if step, err := f.vci.StartAuthorization(ctx, q, ""); err == nil || step.Redirect != "" {
		t.Fatalf("unknown issuer_state: %+v %v", step, err)
	}
	o := f.offer(t, OfferRequest{Grants: []string{GrantAuthorizationCode}})
	q.Set("issuer_state", o.CredentialOffer.Grants.AuthorizationCode.IssuerState)
	q.Set("code_challenge_method", "plain")
	if step, err := f.vci.StartAuthorization(ctx, q, ""); err != nil || !strings.Contains(step.Redirect, "error=invalid_request") {
		t.Fatalf("plain PKCE: %+v %v", step, err)
	}
	q.Set("code_challenge_method", "S256")
	step, err := f.vci.StartAuthorization(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.vci.SendAuthorizationCode(ctx, step.SessionID, "learner@example.org")
	for i := 0; i < emailAttempts; i++ {
		step, err = f.vci.CompleteAuthorization(ctx, step.SessionID, "bad")
		if err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(step.Redirect, "error=access_denied") {
		t.Fatalf("after %d wrong codes: %+v", emailAttempts, step)
	}
	if _, err := f.vci.OfferByReference(ctx, "nope"); err == nil {
		t.Error("an unknown offer reference was served")
	}
	if _, err := f.vci.CreateOffers(ctx, OfferRequest{AchievementID: f.ach.ID, Recipients: []Recipient{{DID: newHolder(t, keys.EdDSA).did}}, Grants: []string{GrantAuthorizationCode}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("authorization_code offer to a DID: %v", err)
	}
}

func TestOID4VCIMetadata(t *testing.T) {
	f := newVCI(t)
	md, err := f.vci.Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if md.CredentialIssuer != vciIssuer || md.NonceEndpoint != vciIssuer+OID4VCIPathNonce || md.BatchCredentialIssuance.BatchSize != 3 {
		t.Errorf("metadata %+v", md)
	}
	ldp, jwt := md.CredentialConfigurationsSupported[f.ach.ID+"_ldp_vc"], md.CredentialConfigurationsSupported[f.ach.ID+"_jwt_vc_json"]
	if ldp.Format != "ldp_vc" || len(ldp.CredentialDefinition.Context) != 3 || jwt.Format != "jwt_vc_json" || jwt.CredentialDefinition.Context != nil {
		t.Errorf("configurations %+v %+v", ldp, jwt)
	}
	if d := ldp.CredentialMetadata.Display[0]; d.Name != f.ach.Name || d.Logo == nil || d.Logo.URI != f.ach.Image.ID {
		t.Errorf("display %+v", d)
	}
	if _, err := f.svc.cfg.Identity.Rotate(context.Background(), keys.ES256); err != nil {
		t.Fatal(err)
	}
	md, _ = f.vci.Metadata(context.Background())
	if _, ok := md.CredentialConfigurationsSupported[f.ach.ID+"_ldp_vc"]; ok {
		t.Error("ldp_vc is advertised while the issuer key is P-256")
	}
}
