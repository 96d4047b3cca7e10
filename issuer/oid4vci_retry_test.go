package issuer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
)

var errFault = errors.New("injected store fault")

// fault makes an operation fail: the calls after the first After succeed
// fail Times times. Ops are "put:<kind>", "take:<kind>" (tokens) and
// "apply:<collection>" (batched writes).
type fault struct {
	Op           string
	After, Times int
}

// faultStore is a mem store that fails the operations its faults name.
type faultStore struct {
	*mem.Store
	mu     sync.Mutex
	faults []*fault
	hits   int
}

func (s *faultStore) trip(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Op != op || f.Times == 0 {
			continue
		}
		if f.After > 0 {
			f.After--
			continue
		}
		f.Times--
		s.hits++
		return errFault
	}
	return nil
}

func (s *faultStore) inject(f ...fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range f {
		s.faults = append(s.faults, &f[i])
	}
}

func (s *faultStore) PutToken(ctx context.Context, kind, id string, value []byte, ttl time.Duration) error {
	if err := s.trip("put:" + kind); err != nil {
		return err
	}
	return s.Store.PutToken(ctx, kind, id, value, ttl)
}

func (s *faultStore) TakeToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := s.trip("take:" + kind); err != nil {
		return nil, err
	}
	return s.Store.TakeToken(ctx, kind, id)
}

func (s *faultStore) Apply(ctx context.Context, writes []store.Write) error {
	for _, w := range writes {
		if err := s.trip("apply:" + w.Collection); err != nil {
			return err
		}
	}
	return s.Store.Apply(ctx, writes)
}

var _ store.Batcher = (*faultStore)(nil)

func newFaultVCI(t *testing.T) (*vciFixture, *faultStore) {
	t.Helper()
	st := &faultStore{Store: mem.New(mem.Options{})}
	s := newServiceAt(t, st, vciIssuer)
	clock := &testClock{t: time.Now().UTC()}
	vci, err := NewOID4VCI(OID4VCIConfig{Issuer: s, Store: st, PublicURL: vciIssuer,
		Resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, Now: clock.Now, BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	return &vciFixture{svc: s, vci: vci, clock: clock, mailer: &captureMailer{}, ach: newAchievement(t, s)}, st
}

func (f *vciFixture) issuedCount(t *testing.T) int {
	t.Helper()
	page, err := f.svc.Credentials(context.Background(), ListQuery{AchievementID: f.ach.ID})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// TestOID4VCICredentialRetryAfterServerError injects store faults into the
// credential step: the failed request must leave the offer redeemable, the
// retry (same access token, fresh c_nonce) must deliver, exactly one
// credential per proof must exist, and a request after delivery is refused.
func TestOID4VCICredentialRetryAfterServerError(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		holders int
		faults  []fault
	}{
		{name: "credential not stored", holders: 1, faults: []fault{{Op: "apply:" + collCredentials, Times: 1}}},
		{name: "stored, then notification id not stored, then cleanup fails", holders: 1,
			faults: []fault{{Op: "put:" + tokNotification, Times: 1}, {Op: "take:" + tokIssued, Times: 1}}},
		{name: "stored, then delivered mark not stored", holders: 1, faults: []fault{{Op: "put:" + tokIssued, Times: 1}}},
		{name: "batch: second credential not stored", holders: 2, faults: []fault{{Op: "apply:" + collCredentials, After: 1, Times: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, st := newFaultVCI(t)
			configID := f.ach.ID + "_ldp_vc"
			tok := f.token(t, f.offer(t, OfferRequest{}), nil).AccessToken
			var hs []holder
			for range tc.holders {
				hs = append(hs, newHolder(t, keys.EdDSA))
			}
			request := func() oid4vci.CredentialRequest {
				n := f.nonce(t)
				var proofs []string
				for _, h := range hs {
					proofs = append(proofs, h.proof(t, vciIssuer, n, f.clock.Now()))
				}
				return f.credentialRequest(configID, proofs...)
			}
			st.inject(tc.faults...)
			if _, err := f.vci.Credential(ctx, tok, request()); !errors.Is(err, errFault) {
				t.Fatalf("first request: err = %v, want the injected fault", err)
			}
			resp, err := f.vci.Credential(ctx, tok, request())
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if len(resp.Credentials) != tc.holders || resp.NotificationID == "" {
				t.Fatalf("retry response %+v", resp)
			}
			for i, h := range hs {
				if got := subjectID(t, resp.Credentials[i].Credential); got != h.did {
					t.Errorf("credential %d: subject %s, want %s", i, got, h.did)
				}
			}
			if got := f.issuedCount(t); got != tc.holders {
				t.Errorf("%d credentials stored, want %d", got, tc.holders)
			}
			_, err = f.vci.Credential(ctx, tok, request())
			wantCode(t, err, oid4vci.CodeCredentialRequestDenied)
			if got := f.issuedCount(t); got != tc.holders {
				t.Errorf("after a request past delivery: %d credentials stored, want %d", got, tc.holders)
			}
		})
	}
}

// TestOID4VCIDeferredRetryAfterServerError fails the delivery of an
// approved deferred credential after the credential was stored: the next
// poll delivers that same credential, and the transaction then ends.
func TestOID4VCIDeferredRetryAfterServerError(t *testing.T) {
	ctx := context.Background()
	f, st := newFaultVCI(t)
	o := f.offer(t, OfferRequest{Deferred: true})
	tok := f.token(t, o, nil).AccessToken
	h := newHolder(t, keys.EdDSA)
	resp, err := f.vci.Credential(ctx, tok, f.credentialRequest(f.ach.ID+"_ldp_vc", h.proof(t, vciIssuer, f.nonce(t), f.clock.Now())))
	if err != nil || resp.TransactionID == "" {
		t.Fatalf("credential request: %v %+v", err, resp)
	}
	if err := f.vci.ApproveOffer(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	st.inject(fault{Op: "put:" + tokNotification, Times: 1}, fault{Op: "put:" + tokDeferred, Times: 1})
	if _, err := f.vci.Deferred(ctx, tok, oid4vci.DeferredRequest{TransactionID: resp.TransactionID}); !errors.Is(err, errFault) {
		t.Fatalf("first poll: err = %v, want the injected fault", err)
	}
	got, err := f.vci.Deferred(ctx, tok, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	if err != nil || len(got.Credentials) != 1 {
		t.Fatalf("second poll: %v %+v", err, got)
	}
	if n := f.issuedCount(t); n != 1 {
		t.Errorf("%d credentials stored, want 1", n)
	}
	_, err = f.vci.Deferred(ctx, tok, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	wantCode(t, err, oid4vci.CodeInvalidTransactionID)
}

// TestOID4VCIConcurrentCredentialRequests sends many Credential Requests
// on one access token at once: exactly one is served, and exactly one
// credential exists.
func TestOID4VCIConcurrentCredentialRequests(t *testing.T) {
	ctx := context.Background()
	f, _ := newFaultVCI(t)
	configID := f.ach.ID + "_ldp_vc"
	tok := f.token(t, f.offer(t, OfferRequest{}), nil).AccessToken
	const n = 8
	reqs := make([]oid4vci.CredentialRequest, n)
	for i := range reqs {
		h := newHolder(t, keys.EdDSA) // different keys: only one may win
		reqs[i] = f.credentialRequest(configID, h.proof(t, vciIssuer, f.nonce(t), f.clock.Now()))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range reqs {
		wg.Go(func() { _, errs[i] = f.vci.Credential(ctx, tok, reqs[i]) })
	}
	wg.Wait()
	served := 0
	for _, err := range errs {
		var e *oid4vci.Error
		switch {
		case err == nil:
			served++
		case errors.As(err, &e) && (e.Code == oid4vci.CodeCredentialRequestDenied || e.Code == oid4vci.CodeInvalidCredentialRequest):
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if served != 1 {
		t.Errorf("%d requests served, want 1", served)
	}
	if got := f.issuedCount(t); got != 1 {
		t.Errorf("%d credentials stored, want 1", got)
	}
}
