package wallet_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/wallet"
)

// slowCount is a mem store whose Count takes a while, as it does on a
// large bolt collection or across the network: a count-then-write cap
// races in that window.
type slowCount struct{ *mem.Store }

func (s slowCount) Count(ctx context.Context, collection string) (int, error) {
	n, err := s.Store.Count(ctx, collection)
	time.Sleep(20 * time.Millisecond) // the answer is on its way back
	return n, err
}

// TestShareCapUnderConcurrency: a holder 5 links short of the cap asks for
// 40 more at once; exactly 5 are made.
func TestShareCapUnderConcurrency(t *testing.T) {
	e := newEnv(t, func(c *wallet.Config) { c.Store = slowCount{c.Store.(*mem.Store)} })
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	c, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Go")))
	if err != nil {
		t.Fatal(err)
	}
	const room = 5
	for i := range wallet.MaxShares - room {
		if _, err := e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{}); err != nil {
			t.Fatalf("share %d: %v", i, err)
		}
	}
	const callers = 40
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			_, errs[i] = e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{})
		})
	}
	close(start)
	wg.Wait()
	made := 0
	for i, err := range errs {
		switch {
		case err == nil:
			made++
		case errors.Is(err, wallet.ErrInvalid):
		default:
			t.Errorf("share %d: %v", i, err)
		}
	}
	if made != room {
		t.Errorf("%d of %d concurrent share requests were served with room for %d", made, callers, room)
	}
	list, err := e.w.Shares(ctx, h.ID)
	if err != nil || len(list) != wallet.MaxShares {
		t.Errorf("the holder has %d share links (%v), want %d", len(list), err, wallet.MaxShares)
	}
}

// TestShareTokensAtRest: the store keeps no share or session token, and the
// listing shows an ID that opens nothing.
func TestShareTokensAtRest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	c, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Go")))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{})
	if err != nil || sh.Token == "" || sh.ID == "" || sh.URL == "" {
		t.Fatalf("share %+v %v", sh, err)
	}
	var dump strings.Builder
	for d, err := range e.st.ExportDocs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dump, "%s %s %s\n", d.Collection, d.ID, d.Value)
	}
	for tok, err := range e.st.ExportTokens(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dump, "%s %s %s\n", tok.Kind, tok.ID, tok.Value)
	}
	for _, secret := range []string{sh.Token, h.token} {
		sum := sha256.Sum256([]byte(secret))
		for _, form := range []string{secret, hex.EncodeToString(sum[:])} {
			if strings.Contains(dump.String(), form) {
				t.Errorf("the store holds %q", form)
			}
		}
	}
	if _, err := e.w.SharedCredential(ctx, sh.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the listed ID opened the link: %v", err)
	}
	if _, err := e.w.SharedCredential(ctx, sh.Token); err != nil {
		t.Errorf("the token: %v", err)
	}
	if err := e.w.RevokeShare(ctx, h.ID, sh.ID); err != nil {
		t.Errorf("revoke by ID: %v", err)
	}
	if _, err := e.w.SharedCredential(ctx, sh.Token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked link: %v", err)
	}
}

// TestLegacyTokensStillWork: share links and sessions that older versions
// stored under the token, or its unkeyed SHA-256, keep working.
func TestLegacyTokensStillWork(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	c, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Go")))
	if err != nil {
		t.Fatal(err)
	}
	const tok = "legacy-share-token-0123456789abcdefghijklmnopq"
	rec, _ := json.Marshal(map[string]any{"token": tok, "holderId": h.ID, "credentialId": c.ID, "created": time.Now().UTC()})
	if err := e.st.Create(ctx, "wallet-shares", tok, rec); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Create(ctx, "wallet-shareidx:"+h.ID, tok, []byte{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.SharedCredential(ctx, tok); err != nil {
		t.Errorf("a legacy share link: %v", err)
	}
	if list, err := e.w.Shares(ctx, h.ID); err != nil || len(list) != 1 {
		t.Errorf("legacy shares listed: %+v %v", list, err)
	}
	if err := e.w.RevokeShare(ctx, h.ID, tok); err != nil {
		t.Errorf("revoke a legacy link: %v", err)
	}
	if _, err := e.w.SharedCredential(ctx, tok); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked legacy link: %v", err)
	}

	const session = "legacy-session-token-0123456789abcdefghijklmno"
	sum := sha256.Sum256([]byte(session))
	raw, _ := json.Marshal(map[string]any{"holderId": h.ID, "created": time.Now().UTC()})
	if err := e.st.PutToken(ctx, "wallet-session", hex.EncodeToString(sum[:]), raw, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := e.w.Authenticate(ctx, session); err != nil || got.ID != h.ID {
		t.Errorf("a legacy session: %+v %v", got, err)
	}
	if err := e.w.SignOut(ctx, session); err != nil {
		t.Errorf("sign out of a legacy session: %v", err)
	}
	if _, err := e.w.Authenticate(ctx, session); !errors.Is(err, wallet.ErrUnauthorized) {
		t.Errorf("a signed-out legacy session: %v", err)
	}
}
