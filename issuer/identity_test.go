package issuer

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/store/mem"
)

func newTestIdentity(t *testing.T, st IdentityStore, kek *keys.KEK, publicURL string) *Identity {
	t.Helper()
	id, err := NewIdentity(IdentityConfig{Store: st, KEK: kek, PublicURL: publicURL, ProfileName: "Test Issuer"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func kek(t *testing.T, b byte) *keys.KEK {
	t.Helper()
	k, err := keys.NewKEK(bytes.Repeat([]byte{b}, keys.KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestBootstrapOnceThenReuse(t *testing.T) {
	ctx := context.Background()
	st := mem.New(mem.Options{})
	id := newTestIdentity(t, st, kek(t, 1), "http://localhost:8080")
	created, err := id.Bootstrap(ctx)
	if err != nil || !created {
		t.Fatalf("first Bootstrap = %v, %v; want created", created, err)
	}
	first, _ := id.Summary(ctx)

	again := newTestIdentity(t, st, kek(t, 1), "http://localhost:8080")
	created, err = again.Bootstrap(ctx)
	if err != nil || created {
		t.Fatalf("second Bootstrap = %v, %v; want reuse", created, err)
	}
	second, _ := again.Summary(ctx)
	if first.DID != second.DID || first.ActiveKey.PublicKeyMultibase != second.ActiveKey.PublicKeyMultibase {
		t.Errorf("identity changed: %+v vs %+v", first, second)
	}
	if _, err := st.Get(ctx, collProfiles, DefaultProfileID); err != nil {
		t.Errorf("default profile missing: %v", err)
	}
	// did:key for an http loopback public URL, did:web for https.
	if first.DID != first.ActiveKey.DIDKey {
		t.Errorf("auto DID method on http: %s, want the did:key", first.DID)
	}
}

func TestBootstrapWithWrongKEKFails(t *testing.T) {
	ctx := context.Background()
	st := mem.New(mem.Options{})
	if _, err := newTestIdentity(t, st, kek(t, 1), "http://localhost:8080").Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := newTestIdentity(t, st, kek(t, 2), "http://localhost:8080").Bootstrap(ctx)
	if !errors.Is(err, keys.ErrWrongKEK) {
		t.Fatalf("Bootstrap with another KEK = %v, want keys.ErrWrongKEK", err)
	}
}

func TestConcurrentBootstrapMakesOneIdentity(t *testing.T) {
	ctx := context.Background()
	st := mem.New(mem.Options{})
	var wg sync.WaitGroup
	dids := make([]string, 8)
	for i := range dids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := newTestIdentity(t, st, kek(t, 1), "https://badges.example.org")
			if _, err := id.Bootstrap(ctx); err != nil {
				t.Error(err)
				return
			}
			s, _ := id.ActiveSigner(ctx)
			dids[i] = s.VerificationMethod
		}()
	}
	wg.Wait()
	for _, d := range dids {
		if d != dids[0] {
			t.Fatalf("nodes disagree on the signing key: %v", dids)
		}
	}
	if n, _ := st.Count(ctx, collKeys); n != 1 {
		t.Errorf("%d keys stored, want 1 (losers must drop theirs)", n)
	}
}

func TestRotateKeepsOldKeysVerifiable(t *testing.T) {
	ctx := context.Background()
	st := mem.New(mem.Options{})
	id := newTestIdentity(t, st, kek(t, 1), "https://badges.example.org")
	if _, err := id.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := id.ActiveSigner(ctx)
	msg := []byte("signed before rotation")
	sig, err := old.Key.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	info, err := id.Rotate(ctx, keys.ES256)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := id.ActiveSigner(ctx)
	if cur.VerificationMethod != "did:web:badges.example.org#key-2" || cur.Key.Alg() != keys.ES256 || info.ID != "key-2" {
		t.Fatalf("after rotation: %+v %+v", cur, info)
	}
	doc, err := id.WebDocument(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The old key still resolves for assertions and verifies what it signed.
	vm, err := doc.Method(old.VerificationMethod, "assertionMethod")
	if err != nil {
		t.Fatalf("old key gone from the DID document: %v", err)
	}
	pub, err := vm.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Verify(keys.EdDSA, pub, msg, sig); err != nil {
		t.Errorf("old signature no longer verifies: %v", err)
	}
	ks, _ := id.Keys(ctx)
	if len(ks) != 2 || ks[0].Status != KeyRetired || ks[1].Status != KeyActive {
		t.Errorf("keys after rotation: %+v", ks)
	}
	// The document resolves the way a did:web resolver would see it.
	if _, err := did.Parse(doc.ID); err != nil {
		t.Errorf("document id %q: %v", doc.ID, err)
	}
}
