package status_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/status"
)

const listURL = "https://badges.example.org/status/1"

// mkList returns a signed list credential at listURL issued by testIssuer,
// valid on 2025-06-01, after tweak has edited it.
func mkList(tb testing.TB, purpose, encoded string, tweak func(doc, subject map[string]any)) []byte {
	tb.Helper()
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	doc := status.ListCredential(listURL, testIssuer, purpose, encoded, from, from.Add(24*time.Hour), 0)
	if tweak != nil {
		tweak(doc, doc["credentialSubject"].(map[string]any))
	}
	return signed(tb, doc)
}

// entryWith returns a revocation entry for index in listURL after tweak.
func entryWith(index string, tweak func(map[string]any)) map[string]any {
	e := map[string]any{
		"id":                   listURL + "#" + index,
		"type":                 status.TypeBitstringStatusListEntry,
		"statusPurpose":        status.PurposeRevocation,
		"statusListIndex":      index,
		"statusListCredential": listURL,
	}
	if tweak != nil {
		tweak(e)
	}
	return e
}

func purpose(p string) func(map[string]any) {
	return func(e map[string]any) { e["statusPurpose"] = p }
}

func TestCheckStatus(t *testing.T) {
	t.Parallel()
	revoked := encode(t, bitsWith(t, status.MinEntries, 0, 94567, 131071))
	msgBits := make([]byte, status.MinEntries/4) // 2-bit entries
	msgBits[1] = 0x13                            // entry 5 = 1, entry 7 = 3
	messages := []any{
		map[string]any{"status": "0x0", "message": "pending_review"},
		map[string]any{"status": "0x1", "message": "accepted"},
		map[string]any{"status": "0x2", "message": "rejected"},
		map[string]any{"status": "0x3", "message": "undefined"},
	}
	unsignedList, err := json.Marshal(status.ListCredential(listURL, testIssuer, "revocation", revoked, time.Time{}, time.Time{}, 0))
	if err != nil {
		t.Fatal(err)
	}
	twoBit := func(e map[string]any) {
		e["statusPurpose"] = status.PurposeMessage
		e["statusSize"] = float64(2)
		e["statusMessage"] = messages
	}

	tests := []struct {
		name     string
		list     []byte // served at listURL
		fetchErr error
		verify   func(context.Context, []byte) (map[string]any, string, error)
		entry    map[string]any
		cred     func(map[string]any)
		want     error    // nil: passes
		wantText []string // substrings of the error message
	}{
		{name: "ok/not revoked", list: mkList(t, "revocation", revoked, nil), entry: entryWith("94566", nil)},
		{name: "ok/REC index 0 unset list", list: mkList(t, "revocation", encode(t, make([]byte, status.MinEntries/8)), nil), entry: entryWith("0", nil)},
		{
			name: "fail/revoked", list: mkList(t, "revocation", revoked, nil), entry: entryWith("94567", nil),
			want: status.ErrRevoked, wantText: []string{"revoked: bit 94567 of " + listURL + " is set"},
		},
		{name: "fail/revoked first", list: mkList(t, "revocation", revoked, nil), entry: entryWith("0", nil), want: status.ErrRevoked},
		{name: "fail/revoked last", list: mkList(t, "revocation", revoked, nil), entry: entryWith("131071", nil), want: status.ErrRevoked},
		{
			name: "fail/suspended", list: mkList(t, "suspension", revoked, nil), entry: entryWith("94567", purpose("suspension")),
			want: status.ErrSuspended, wantText: []string{"suspended: bit 94567"},
		},
		{name: "ok/suspension unset", list: mkList(t, "suspension", revoked, nil), entry: entryWith("1", purpose("suspension"))},
		{name: "ok/refresh set is not a failure", list: mkList(t, "refresh", revoked, nil), entry: entryWith("94567", purpose("refresh"))},
		{name: "ok/message set is not a failure", list: mkList(t, "message", encode(t, msgBits), nil), entry: entryWith("7", twoBit)},
		{
			name:  "ok/list with several purposes",
			list:  mkList(t, "revocation", revoked, func(_, s map[string]any) { s["statusPurpose"] = []any{"revocation", "suspension"} }),
			entry: entryWith("94567", purpose("suspension")), want: status.ErrSuspended,
		},
		{
			name: "fail/2-bit revocation", list: mkList(t, "revocation", encode(t, msgBits), nil),
			entry: entryWith("7", func(e map[string]any) { twoBit(e); e["statusPurpose"] = "revocation" }),
			want:  status.ErrRevoked, wantText: []string{"entry 7 of " + listURL + ` has status 0x3 ("undefined")`},
		},
		{
			name: "ok/issuer as a string", list: mkList(t, "revocation", revoked, nil), entry: entryWith("5", nil),
			cred: func(c map[string]any) { c["issuer"] = testIssuer },
		},

		// The list.
		{
			name: "fail/bad multibase prefix", list: mkList(t, "revocation", "x"+revoked[1:], nil), entry: entryWith("5", nil),
			want: status.ErrMalformed, wantText: []string{"multibase"},
		},
		{name: "fail/invalid base64", list: mkList(t, "revocation", "u$$$"+revoked[4:], nil), entry: entryWith("5", nil), want: status.ErrMalformed},
		{name: "fail/not gzip", list: mkList(t, "revocation", "uAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil), entry: entryWith("5", nil), want: status.ErrMalformed},
		{
			name: "fail/encodedList missing",
			list: mkList(t, "revocation", revoked, func(_, s map[string]any) { delete(s, "encodedList") }), entry: entryWith("5", nil), want: status.ErrMalformed,
		},
		{
			name: "fail/too short", list: mkList(t, "revocation", encode(t, make([]byte, status.MinEntries/8-1)), nil), entry: entryWith("5", nil),
			want: status.ErrListLength, wantText: []string{"131064 entries"},
		},
		{
			name: "fail/too short for 2-bit entries", list: mkList(t, "message", revoked, nil), entry: entryWith("5", twoBit),
			want: status.ErrListLength,
		},
		{
			name: "fail/wrong purpose", list: mkList(t, "revocation", revoked, nil), entry: entryWith("5", purpose("suspension")),
			want: status.ErrVerification, wantText: []string{"not the entry's purpose suspension"},
		},
		{name: "fail/bad proof", list: mkList(t, "revocation", revoked, nil), verify: failVerify, entry: entryWith("5", nil), want: status.ErrVerification, wantText: []string{"signature invalid"}},
		{name: "fail/unsigned list", list: unsignedList, entry: entryWith("5", nil), want: status.ErrVerification},
		{
			name:  "fail/issuer mismatch",
			list:  mkList(t, "revocation", revoked, func(d, _ map[string]any) { d["issuer"] = "did:web:evil.example" }),
			entry: entryWith("5", nil), want: status.ErrVerification, wantText: []string{"issued by did:web:evil.example"},
		},
		{
			name: "fail/credential without issuer", list: mkList(t, "revocation", revoked, nil), entry: entryWith("5", nil),
			cred: func(c map[string]any) { delete(c, "issuer") }, want: status.ErrVerification,
		},
		{
			name:  "fail/expired list",
			list:  mkList(t, "revocation", revoked, func(d, _ map[string]any) { d["validUntil"] = "2025-06-01T11:59:59Z" }),
			entry: entryWith("5", nil), want: status.ErrVerification, wantText: []string{"expired"},
		},
		{
			name:  "fail/list not yet valid",
			list:  mkList(t, "revocation", revoked, func(d, _ map[string]any) { d["validFrom"] = "2025-06-01T12:00:01Z" }),
			entry: entryWith("5", nil), want: status.ErrVerification,
		},
		{
			name:  "fail/bad validUntil",
			list:  mkList(t, "revocation", revoked, func(d, _ map[string]any) { d["validUntil"] = "tomorrow" }),
			entry: entryWith("5", nil), want: status.ErrMalformed,
		},
		{
			name:  "fail/not a BitstringStatusListCredential",
			list:  mkList(t, "revocation", revoked, func(d, _ map[string]any) { d["type"] = []any{"VerifiableCredential"} }),
			entry: entryWith("5", nil), want: status.ErrVerification,
		},
		{
			name:  "fail/subject not a BitstringStatusList",
			list:  mkList(t, "revocation", revoked, func(_, s map[string]any) { s["type"] = "StatusList2021" }),
			entry: entryWith("5", nil), want: status.ErrVerification,
		},
		{
			name:  "fail/list statusPurpose a number",
			list:  mkList(t, "revocation", revoked, func(_, s map[string]any) { s["statusPurpose"] = float64(1) }),
			entry: entryWith("5", nil), want: status.ErrMalformed,
		},
		{
			name:  "fail/list ttl a string",
			list:  mkList(t, "revocation", revoked, func(_, s map[string]any) { s["ttl"] = "300000" }),
			entry: entryWith("5", nil), want: status.ErrMalformed,
		},
		{name: "fail/unreachable", fetchErr: errors.New("dial tcp: connection refused"), entry: entryWith("5", nil), want: status.ErrRetrieval, wantText: []string{"connection refused"}},
		{name: "fail/not found", entry: entryWith("5", nil), want: status.ErrRetrieval},

		// The entry.
		{
			name: "fail/index out of range", list: mkList(t, "revocation", revoked, nil), entry: entryWith("131072", nil),
			want: status.ErrRange, wantText: []string{"index 131072"},
		},
		{name: "fail/index beyond int", list: mkList(t, "revocation", revoked, nil), entry: entryWith("99999999999999999999999", nil), want: status.ErrRange},
		{
			name: "fail/index as a number", list: mkList(t, "revocation", revoked, nil),
			entry: entryWith("5", func(e map[string]any) { e["statusListIndex"] = float64(5) }),
			want:  status.ErrMalformed, wantText: []string{"statusListIndex must be a string of decimal digits, not a number"},
		},
		{name: "fail/index negative", entry: entryWith("-1", nil), want: status.ErrMalformed},
		{name: "fail/index with sign", entry: entryWith("+1", nil), want: status.ErrMalformed},
		{name: "fail/index with exponent", entry: entryWith("1e3", nil), want: status.ErrMalformed},
		{name: "fail/index empty", entry: entryWith("", nil), want: status.ErrMalformed},
		{name: "fail/index missing", entry: entryWith("5", func(e map[string]any) { delete(e, "statusListIndex") }), want: status.ErrMalformed},
		{name: "fail/purpose missing", entry: entryWith("5", func(e map[string]any) { delete(e, "statusPurpose") }), want: status.ErrMalformed},
		{name: "fail/purpose an array", entry: entryWith("5", func(e map[string]any) { e["statusPurpose"] = []any{"revocation"} }), want: status.ErrMalformed},
		{name: "fail/list URL missing", entry: entryWith("5", func(e map[string]any) { delete(e, "statusListCredential") }), want: status.ErrMalformed},
		{name: "fail/list URL relative", entry: entryWith("5", func(e map[string]any) { e["statusListCredential"] = "/status/1" }), want: status.ErrMalformed},
		{name: "fail/list URL scheme", entry: entryWith("5", func(e map[string]any) { e["statusListCredential"] = "ftp://x.example/1" }), want: status.ErrRetrieval},
		{name: "fail/id is the list URL", entry: entryWith("5", func(e map[string]any) { e["id"] = listURL }), want: status.ErrMalformed},
		{name: "fail/statusSize 0", entry: entryWith("5", func(e map[string]any) { e["statusSize"] = float64(0) }), want: status.ErrMalformed},
		{name: "fail/statusSize fraction", entry: entryWith("5", func(e map[string]any) { e["statusSize"] = 1.5 }), want: status.ErrMalformed},
		{name: "fail/statusSize 2 without messages", entry: entryWith("5", func(e map[string]any) { e["statusSize"] = float64(2) }), want: status.ErrMalformed},
		{
			name:  "fail/statusMessage too short",
			entry: entryWith("5", func(e map[string]any) { twoBit(e); e["statusMessage"] = messages[:3] }), want: status.ErrMalformed,
		},
		{
			name: "fail/statusMessage without 0x",
			entry: entryWith("5", func(e map[string]any) {
				twoBit(e)
				e["statusMessage"] = []any{messages[0], messages[1], messages[2], map[string]any{"status": "3", "message": "x"}}
			}),
			want: status.ErrMalformed,
		},
		{name: "fail/statusReference a number", entry: entryWith("5", func(e map[string]any) { e["statusReference"] = float64(1) }), want: status.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer()
			if tt.list != nil {
				srv.put(listURL, tt.list)
			}
			if tt.fetchErr != nil {
				srv.fail(listURL, tt.fetchErr)
			}
			verify := fakeVerify
			if tt.verify != nil {
				verify = tt.verify
			}
			c := status.NewChecker(status.CheckerConfig{Fetch: srv.Fetch, VerifyList: verify, Now: newClock().Now})
			doc := cred(tt.entry)
			if tt.cred != nil {
				tt.cred(doc)
			}
			handled, err := c.CheckStatus(context.Background(), doc, tt.entry)
			if !handled {
				t.Error("handled = false")
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckStatus = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckStatus = %v, want %v", err, tt.want)
			}
			var se *status.Error
			if !errors.As(err, &se) {
				t.Fatalf("%T is not a *status.Error", err)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestCheckResult(t *testing.T) {
	t.Parallel()
	srv := newServer()
	vec := readJSON(t, "generated-vectors.json")["message_2bit"].(map[string]any)
	srv.put(listURL, mkList(t, "message", vec["encodedList"].(string), nil))
	c := newChecker(srv, newClock())
	entry := entryWith("100000", func(e map[string]any) {
		e["statusPurpose"] = status.PurposeMessage
		e["statusSize"] = float64(2)
		e["statusMessage"] = vec["statusMessage"]
	})
	got, err := c.Check(context.Background(), cred(entry), entry)
	if err != nil {
		t.Fatal(err)
	}
	want := status.Result{
		Type: status.TypeBitstringStatusListEntry, Purpose: "message", URL: listURL,
		Index: 100000, Size: 2, Status: 2, Message: "rejected",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	if got.Err() != nil {
		t.Errorf("Result.Err = %v, want nil for purpose message", got.Err())
	}
}

func TestErrorFields(t *testing.T) {
	t.Parallel()
	srv := newServer()
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries, 94567)))
	c := newChecker(srv, newClock())
	check := func(index string) *status.Error {
		t.Helper()
		e := entryWith(index, nil)
		_, err := c.CheckStatus(context.Background(), cred(e), e)
		var se *status.Error
		if !errors.As(err, &se) {
			t.Fatalf("CheckStatus(%s) = %v, want *status.Error", index, err)
		}
		return se
	}
	se := check("94567")
	if se.Code != status.CodeRevoked || se.Index != 94567 || se.URL != listURL || se.Purpose != "revocation" || se.ProblemType() != "" {
		t.Errorf("revoked: %+v, problem type %q", se, se.ProblemType())
	}
	se = check("131072")
	if se.Code != status.CodeRange || se.Index != 131072 || se.URL != listURL ||
		se.ProblemType() != "https://www.w3.org/ns/credentials/status-list#RANGE_ERROR" {
		t.Errorf("range: %+v, problem type %q", se, se.ProblemType())
	}
	if errors.Is(se, status.ErrRevoked) {
		t.Error("a RANGE_ERROR matches ErrRevoked")
	}
}

func TestCheckUnsupported(t *testing.T) {
	t.Parallel()
	c := newChecker(newServer(), newClock())
	for _, entry := range []map[string]any{
		{"id": "https://x.example/s#1", "type": "CredentialStatusList2017"},
		{"id": "https://x.example/s#1"},
		{"type": []any{"Other"}},
	} {
		handled, err := c.CheckStatus(context.Background(), cred(entry), entry)
		if handled || err != nil {
			t.Errorf("CheckStatus(%v) = %v, %v; want false, nil", entry, handled, err)
		}
		if _, err := c.Check(context.Background(), cred(entry), entry); !errors.Is(err, status.ErrUnsupported) {
			t.Errorf("Check(%v) = %v, want ErrUnsupported", entry, err)
		}
	}
}

func TestCheckerWithoutDependencies(t *testing.T) {
	t.Parallel()
	srv := newServer()
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)))
	e := entryWith("5", nil)
	for name, tt := range map[string]struct {
		cfg  status.CheckerConfig
		want error
	}{
		"no Fetch":      {status.CheckerConfig{VerifyList: fakeVerify}, status.ErrRetrieval},
		"no VerifyList": {status.CheckerConfig{Fetch: srv.Fetch}, status.ErrVerification},
	} {
		tt.cfg.Now = newClock().Now
		if _, err := status.NewChecker(tt.cfg).CheckStatus(context.Background(), cred(e), e); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
}

func TestRECExample1Entries(t *testing.T) {
	t.Parallel()
	doc := readJSON(t, "rec-example1-credential-with-entries.json")
	// REC example 3 is the list at status/3; status/4 is ours, with the
	// example's suspension index set.
	list3 := readJSON(t, "rec-example3-statuslist-credential-unsigned.json")
	srv := newServer()
	srv.put("https://example.com/credentials/status/3", signed(t, list3))
	list4 := status.ListCredential("https://example.com/credentials/status/4", "did:example:12345", status.PurposeSuspension,
		encode(t, bitsWith(t, status.MinEntries, 23452)), time.Date(2024, 4, 5, 0, 0, 0, 0, time.UTC), time.Time{}, time.Minute)
	srv.put("https://example.com/credentials/status/4", signed(t, list4))
	c := newChecker(srv, newClock())
	entries := doc["credentialStatus"].([]any)
	want := []error{nil, status.ErrSuspended}
	for i, e := range entries {
		handled, err := c.CheckStatus(context.Background(), doc, e.(map[string]any))
		if !handled || !errors.Is(err, want[i]) || (want[i] == nil && err != nil) {
			t.Errorf("entry %d: %v, %v; want %v", i, handled, err, want[i])
		}
	}
}

// ---- cache ----

func TestCacheTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ttl     any // the list's ttl, nil for none
		until   string
		cfgTTL  time.Duration
		stillAt time.Duration // no refetch at this age
		againAt time.Duration // refetched at this age
	}{
		{name: "configured TTL", stillAt: 5*time.Minute - time.Second, againAt: 5 * time.Minute},
		{name: "shorter configured TTL", cfgTTL: time.Minute, stillAt: 59 * time.Second, againAt: time.Minute},
		{name: "list ttl smaller wins", ttl: float64(60000), stillAt: 59 * time.Second, againAt: time.Minute},
		{name: "list ttl larger loses", ttl: float64(3600000), stillAt: 4 * time.Minute, againAt: 5 * time.Minute},
		{name: "list ttl floored at one second", ttl: float64(0), stillAt: 999 * time.Millisecond, againAt: time.Second},
		{name: "validUntil before TTL", until: "2025-06-01T12:02:00Z", stillAt: 2*time.Minute - time.Second, againAt: 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, clk := newServer(), newClock()
			body := mkList(t, "revocation", encode(t, bitsWith(t, status.MinEntries)), func(d, s map[string]any) {
				if tt.ttl != nil {
					s["ttl"] = tt.ttl
				}
				if tt.until != "" {
					d["validUntil"] = tt.until
				}
			})
			srv.put(listURL, body)
			c := status.NewChecker(status.CheckerConfig{Fetch: srv.Fetch, VerifyList: fakeVerify, Now: clk.Now, TTL: tt.cfgTTL})
			e := entryWith("5", nil)
			check := func(wantFetches int) {
				t.Helper()
				if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
					t.Fatal(err)
				}
				if n := srv.count(listURL); n != wantFetches {
					t.Fatalf("%d fetches, want %d", n, wantFetches)
				}
			}
			check(1)
			check(1)
			clk.advance(tt.stillAt)
			check(1)
			clk.advance(tt.againAt - tt.stillAt)
			if tt.until != "" {
				// The issuer has published a fresh list by now.
				srv.put(listURL, mkList(t, "revocation", encode(t, bitsWith(t, status.MinEntries)), nil))
			}
			check(2)
		})
	}
}

func TestCacheSeesRevocationAfterTTL(t *testing.T) {
	t.Parallel()
	srv, clk := newServer(), newClock()
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)))
	c := newChecker(srv, clk)
	e := entryWith("42", nil)
	if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
		t.Fatal(err)
	}
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries, 42)))
	if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
		t.Fatalf("within TTL: %v, want the cached list", err)
	}
	clk.advance(status.DefaultTTL)
	if _, err := c.CheckStatus(context.Background(), cred(e), e); !errors.Is(err, status.ErrRevoked) {
		t.Fatalf("after TTL: %v, want ErrRevoked", err)
	}
}

func TestForgetRefetchesAtOnce(t *testing.T) {
	t.Parallel()
	srv, clk := newServer(), newClock()
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)))
	c := newChecker(srv, clk)
	e := entryWith("42", nil)
	if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
		t.Fatal(err)
	}
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries, 42)))
	c.Forget("https://other.example/status/1") // another list: no effect
	if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
		t.Fatalf("another list forgotten: %v, want the cached list", err)
	}
	c.Forget(listURL)
	if _, err := c.CheckStatus(context.Background(), cred(e), e); !errors.Is(err, status.ErrRevoked) {
		t.Fatalf("after Forget: %v, want ErrRevoked", err)
	}
	if n := srv.count(listURL); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
}

func TestCacheErrors(t *testing.T) {
	t.Parallel()
	t.Run("remembered for ErrorTTL", func(t *testing.T) {
		t.Parallel()
		srv, clk := newServer(), newClock()
		srv.fail(listURL, errors.New("connection refused"))
		c := newChecker(srv, clk)
		e := entryWith("5", nil)
		for range 3 {
			if _, err := c.CheckStatus(context.Background(), cred(e), e); !errors.Is(err, status.ErrRetrieval) {
				t.Fatalf("%v, want ErrRetrieval", err)
			}
		}
		if n := srv.count(listURL); n != 1 {
			t.Fatalf("%d fetches within ErrorTTL, want 1", n)
		}
		srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)))
		clk.advance(status.DefaultErrorTTL)
		if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
			t.Fatalf("after ErrorTTL: %v", err)
		}
	})
	t.Run("a shared error names each caller's entry", func(t *testing.T) {
		t.Parallel()
		srv, clk := newServer(), newClock()
		c := newChecker(srv, clk)
		for _, idx := range []string{"5", "6"} {
			e := entryWith(idx, nil)
			_, err := c.CheckStatus(context.Background(), cred(e), e)
			var se *status.Error
			if !errors.As(err, &se) || se.Code != status.CodeRetrieval || se.Index != map[string]int{"5": 5, "6": 6}[idx] {
				t.Fatalf("%v (%+v)", err, se)
			}
		}
	})
	t.Run("negative ErrorTTL", func(t *testing.T) {
		t.Parallel()
		srv, clk := newServer(), newClock()
		c := status.NewChecker(status.CheckerConfig{Fetch: srv.Fetch, VerifyList: fakeVerify, Now: clk.Now, ErrorTTL: -1})
		e := entryWith("5", nil)
		for range 3 {
			_, _ = c.CheckStatus(context.Background(), cred(e), e)
		}
		if n := srv.count(listURL); n != 3 {
			t.Fatalf("%d fetches, want 3", n)
		}
	})
}

func TestCacheEviction(t *testing.T) {
	t.Parallel()
	srv, clk := newServer(), newClock()
	urls := []string{listURL, listURL + "0", listURL + "1"}
	for _, u := range urls {
		srv.put(u, signed(t, status.ListCredential(u, testIssuer, "revocation", encode(t, bitsWith(t, status.MinEntries)), time.Time{}, time.Time{}, 0)))
	}
	c := status.NewChecker(status.CheckerConfig{Fetch: srv.Fetch, VerifyList: fakeVerify, Now: clk.Now, MaxEntries: 2})
	check := func(u string) {
		t.Helper()
		e := status.Entry(u, 1, "revocation")
		if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range urls {
		check(u)
	}
	check(urls[0]) // evicted by urls[2]
	check(urls[2])
	if got, want := []int{srv.count(urls[0]), srv.count(urls[1]), srv.count(urls[2])}, []int{2, 1, 1}; !cmp.Equal(got, want) {
		t.Errorf("fetches %v, want %v", got, want)
	}
}

func TestCacheCollapsesConcurrentMisses(t *testing.T) {
	t.Parallel()
	srv, clk := newServer(), newClock()
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries, 9)))
	srv.gate = make(chan struct{})
	c := newChecker(srv, clk)
	const n = 32
	var (
		wg      sync.WaitGroup
		started sync.WaitGroup
		errs    = make([]error, n)
	)
	started.Add(n)
	for i := range n {
		wg.Go(func() {
			e := entryWith([]string{"9", "10"}[i%2], nil)
			started.Done()
			_, errs[i] = c.CheckStatus(context.Background(), cred(e), e)
		})
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let the callers reach the cache
	close(srv.gate)
	wg.Wait()
	for i, err := range errs {
		if i%2 == 0 && !errors.Is(err, status.ErrRevoked) || i%2 == 1 && err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if got := srv.count(listURL); got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
}

func TestCacheCallerGivesUp(t *testing.T) {
	t.Parallel()
	srv, clk := newServer(), newClock()
	srv.put(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)))
	srv.gate = make(chan struct{})
	c := newChecker(srv, clk)
	e := entryWith("5", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.CheckStatus(ctx, cred(e), e); !errors.Is(err, status.ErrRetrieval) || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want ErrRetrieval wrapping context.Canceled", err)
	}
	// The shared fetch carries on for the next caller.
	close(srv.gate)
	if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
		t.Fatal(err)
	}
	if got := srv.count(listURL); got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
}

// ---- StatusList2021 ----

func list2021(tb testing.TB, url, encoded string, tweak func(doc map[string]any)) []byte {
	tb.Helper()
	doc := map[string]any{
		"@context":     []any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"},
		"id":           url,
		"type":         []any{"VerifiableCredential", "StatusList2021Credential"},
		"issuer":       testIssuer,
		"issuanceDate": "2025-06-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": url + "#list", "type": "StatusList2021", "statusPurpose": "revocation", "encodedList": encoded,
		},
	}
	if tweak != nil {
		tweak(doc)
	}
	return signed(tb, doc)
}

func TestStatusList2021(t *testing.T) {
	t.Parallel()
	enc := encode(t, bitsWith(t, status.MinEntries, 94567))
	entry := func(index string) map[string]any {
		return map[string]any{
			"id": listURL + "#" + index, "type": "StatusList2021Entry", "statusPurpose": "revocation",
			"statusListIndex": index, "statusListCredential": listURL,
		}
	}
	tests := []struct {
		name  string
		list  []byte
		entry map[string]any
		want  error
	}{
		{"ok/not revoked", list2021(t, listURL, enc[1:], nil), entry("94566"), nil},
		{"fail/revoked", list2021(t, listURL, enc[1:], nil), entry("94567"), status.ErrRevoked},
		{"fail/revoked, multibase form", list2021(t, listURL, enc, nil), entry("94567"), status.ErrRevoked},
		{"fail/expired", list2021(t, listURL, enc[1:], func(d map[string]any) { d["expirationDate"] = "2025-06-01T06:00:00Z" }), entry("1"), status.ErrVerification},
		{"fail/a BitstringStatusListCredential", listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)), entry("1"), status.ErrVerification},
		{"fail/too short", list2021(t, listURL, encode(t, make([]byte, 1024))[1:], nil), entry("1"), status.ErrListLength},
		{"fail/not base64", list2021(t, listURL, "H4s!!", nil), entry("1"), status.ErrMalformed},
		{"fail/index as a number", list2021(t, listURL, enc[1:], nil), map[string]any{
			"id": listURL + "#1", "type": "StatusList2021Entry", "statusPurpose": "revocation", "statusListIndex": float64(1), "statusListCredential": listURL,
		}, status.ErrMalformed},
		{"fail/range", list2021(t, listURL, enc[1:], nil), entry("131072"), status.ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer()
			srv.put(listURL, tt.list)
			doc := cred(tt.entry)
			doc["@context"] = []any{"https://www.w3.org/2018/credentials/v1"}
			handled, err := newChecker(srv, newClock()).CheckStatus(context.Background(), doc, tt.entry)
			if !handled || !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("CheckStatus = %v, %v; want %v", handled, err, tt.want)
			}
		})
	}
}

// ---- 1EdTechRevocationList ----

func TestRevocationList(t *testing.T) {
	t.Parallel()
	const rlURL = "https://badges.example.org/revocations"
	entry := map[string]any{"id": rlURL, "type": "1EdTechRevocationList"}
	tests := []struct {
		name     string
		body     string
		fetchErr error
		credID   any
		want     error
	}{
		{"ok/not listed", `{"id":"` + rlURL + `","revokedCredential":[{"id":"urn:uuid:other"}]}`, nil, testCredID, nil},
		{"ok/empty list", `{"id":"` + rlURL + `"}`, nil, testCredID, nil},
		{"fail/listed, revoked absent", `{"revokedCredential":[{"id":"` + testCredID + `","revocationReason":"cheated"}]}`, nil, testCredID, status.ErrRevoked},
		{"fail/listed under the plural", `{"revokedCredentials":[{"id":"` + testCredID + `","revoked":true}]}`, nil, testCredID, status.ErrRevoked},
		{"fail/listed as a bare id", `{"revokedCredential":["` + testCredID + `"]}`, nil, testCredID, status.ErrRevoked},
		{"ok/listed with revoked false", `{"revokedCredential":[{"id":"` + testCredID + `","revoked":false}]}`, nil, testCredID, nil},
		{"fail/unreachable", "", errors.New("connection refused"), testCredID, status.ErrRetrieval},
		{"fail/not JSON", `<html>`, nil, testCredID, status.ErrMalformed},
		{"fail/revoked not a boolean", `{"revokedCredential":[{"id":"x","revoked":"yes"}]}`, nil, testCredID, status.ErrMalformed},
		{"fail/not an array", `{"revokedCredential":{"id":"x"}}`, nil, testCredID, status.ErrMalformed},
		{"fail/credential without id", `{"revokedCredential":[]}`, nil, nil, status.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer()
			if tt.body != "" {
				srv.put(rlURL, []byte(tt.body))
			}
			if tt.fetchErr != nil {
				srv.fail(rlURL, tt.fetchErr)
			}
			doc := cred(entry)
			if tt.credID == nil {
				delete(doc, "id")
			}
			c := newChecker(srv, newClock())
			handled, err := c.CheckStatus(context.Background(), doc, entry)
			if !handled || !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("CheckStatus = %v, %v; want %v", handled, err, tt.want)
			}
			if tt.want == status.ErrRevoked && !strings.Contains(err.Error(), rlURL) { //nolint:errorlint // compares two table values, not an error
				t.Errorf("%q does not name the list", err)
			}
		})
	}
	t.Run("fail/entry without id", func(t *testing.T) {
		e := map[string]any{"type": "1EdTechRevocationList"}
		if _, err := newChecker(newServer(), newClock()).CheckStatus(context.Background(), cred(e), e); !errors.Is(err, status.ErrMalformed) {
			t.Fatalf("%v, want ErrMalformed", err)
		}
	})
}

// localLists is a LocalLists serving the lists of a server with a version
// per list, counting the full loads.
type localLists struct {
	srv     *server
	mu      sync.Mutex
	version map[string]uint64
	loads   int
}

func (l *localLists) set(url string, body []byte) {
	l.srv.put(url, body)
	l.mu.Lock()
	l.version[url]++
	l.mu.Unlock()
}

func (l *localLists) StatusListVersion(_ context.Context, url string) (uint64, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.version[url]
	return v, ok, nil
}

func (l *localLists) LocalStatusList(ctx context.Context, url string) ([]byte, uint64, bool, error) {
	l.mu.Lock()
	v, ok := l.version[url]
	l.loads++
	l.mu.Unlock()
	if !ok {
		return nil, 0, false, nil
	}
	b, _, err := l.srv.Fetch(ctx, url, "")
	return b, v, true, err
}

// TestLocalListsNeverStale checks that a list the node publishes itself is
// read from its store and that a cached copy is dropped as soon as the
// list's version changes, well within the TTL (the second node of a
// cluster, which did not make the change, included); lists of others still
// come over Fetch and stay cached for the TTL.
func TestLocalListsNeverStale(t *testing.T) {
	t.Parallel()
	srv, clk := newServer(), newClock()
	remote := newServer()
	local := &localLists{srv: srv, version: map[string]uint64{}}
	local.set(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries)))
	const otherURL = "https://other.example/status/1"
	remote.put(otherURL, listDoc(t, otherURL, "revocation", bitsWith(t, status.MinEntries)))
	c := status.NewChecker(status.CheckerConfig{Fetch: remote.Fetch, VerifyList: fakeVerify, Now: clk.Now, Local: local, TTL: time.Hour})
	e := entryWith("42", nil)
	for range 3 {
		if _, err := c.CheckStatus(context.Background(), cred(e), e); err != nil {
			t.Fatal(err)
		}
	}
	if local.loads != 1 || remote.count(listURL) != 0 {
		t.Fatalf("%d local loads, %d fetches; want 1 and 0 (cached while unchanged)", local.loads, remote.count(listURL))
	}
	local.set(listURL, listDoc(t, listURL, "revocation", bitsWith(t, status.MinEntries, 42)))
	if _, err := c.CheckStatus(context.Background(), cred(e), e); !errors.Is(err, status.ErrRevoked) {
		t.Fatalf("right after the change: %v, want ErrRevoked", err)
	}
	other := entryWith("42", func(m map[string]any) { m["statusListCredential"] = otherURL })
	if _, err := c.CheckStatus(context.Background(), cred(other), other); err != nil {
		t.Fatal(err)
	}
	remote.put(otherURL, listDoc(t, otherURL, "revocation", bitsWith(t, status.MinEntries, 42)))
	if _, err := c.CheckStatus(context.Background(), cred(other), other); err != nil || remote.count(otherURL) != 1 {
		t.Errorf("another issuer's list: %v after %d fetches, want the cached copy", err, remote.count(otherURL))
	}
}
