package issuer

// Status-change race tests (issue 14): revoke, suspend, unsuspend and
// re-issue run concurrently on the same credentials, round after round, on
// every store (mem, bolt, and the real Redis at ACCOLADE_TEST_REDIS_URL,
// default redis://127.0.0.1:6379/0), and every round checks that what was
// acknowledged holds, that the status bit and the record agree and that a
// revoked credential never comes back. Run them alone with
//
//	go test -race -count=1 -run 'TestStatusRace' ./issuer/
//
// -short runs fewer rounds; ACCOLADE_TEST_RACE_ROUNDS=N runs N on each store.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/store/redis"
)

// raceStore is what the race tests need of a store: what the issuer and
// its identity need.
type raceStore = testStore

func TestStatusRaceMem(t *testing.T) {
	st := mem.New(mem.Options{})
	// Two services (two nodes) on one store.
	runStatusRace(t, raceRounds(2000), newServiceOn(t, st), newServiceOn(t, st))
}

func TestStatusRaceBolt(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "race.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	runStatusRace(t, raceRounds(1000), newServiceOn(t, db))
}

// TestStatusRaceRedis runs two services, each with its own Redis client
// (two processes, as far as Redis can tell), on one key prefix.
func TestStatusRaceRedis(t *testing.T) {
	url, prefix := testRedis(t)
	a, b := openRedis(t, url, prefix), openRedis(t, url, prefix)
	runStatusRace(t, raceRounds(1000), newServiceOn(t, a), newServiceOn(t, b))
}

// raceRounds is n, a tenth of it with -short, or the number in
// $ACCOLADE_TEST_RACE_ROUNDS for a longer soak.
func raceRounds(n int) int {
	if v, err := strconv.Atoi(os.Getenv("ACCOLADE_TEST_RACE_ROUNDS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return n / 10
	}
	return n
}

// testRedis returns the test Redis URL and a fresh key prefix whose keys
// are deleted when the test ends. Without a Redis to use (see
// sharedtest.Redis) the test skips with one line, or fails when CI=true.
func testRedis(t *testing.T) (string, string) {
	t.Helper()
	url := sharedtest.Redis(t)
	prefix := "accolade-test-" + strings.ToLower(rand.Text()[:12])
	t.Cleanup(func() {
		opts, err := goredis.ParseURL(url)
		if err != nil {
			t.Error(err)
			return
		}
		c := goredis.NewClient(opts)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
			it := c.Scan(ctx, 0, pattern, 1000).Iterator()
			for it.Next(ctx) {
				c.Unlink(ctx, it.Val())
			}
			if err := it.Err(); err != nil {
				t.Errorf("delete keys under %s: %v", prefix, err)
			}
		}
	})
	return url, prefix
}

func openRedis(t *testing.T, url, prefix string) *redis.DB {
	t.Helper()
	db, err := redis.Open(t.Context(), url, redis.Options{Prefix: prefix})
	if err != nil {
		t.Fatalf("Redis at %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newServiceOn(t testing.TB, st raceStore) *Service {
	t.Helper()
	return newServiceAt(t, st, "https://badges.example.org")
}

// raceCall is one acknowledged or refused call of a round.
type raceCall struct {
	cred   int
	action string // revoke, suspend, unsuspend or reissue
	reason string // unique per call, so the audit trail names it
	err    error
	state  string // state of the record the call returned
	rsn    string // reason on the record the call returned
}

// raceCreds are the credentials of one round: a suspended one and an
// active one on a suspension list, an active one on a revocation list.
var raceCreds = []struct {
	purpose, start string
}{
	{PurposeSuspension, StateSuspended},
	{PurposeSuspension, StateActive},
	{PurposeRevocation, StateActive},
}

// runStatusRace runs rounds of concurrent status changes through nodes
// (services sharing one store) and fails with how many rounds broke an
// invariant.
func runStatusRace(t *testing.T, rounds int, nodes ...*Service) {
	ctx := context.Background()
	s0 := nodes[0]
	a := newAchievement(t, s0)
	const workers, callsEach = 6, 3
	actions := []string{ActionRevoke, ActionSuspend, ActionUnsuspend, ActionUnsuspend, ActionSuspend, "reissue"}
	var broken, reported atomic.Int64
	kinds := map[string]int{} // rounds with a problem of each kind
	fail := func(round int, format string, args ...any) {
		if reported.Add(1) <= 10 {
			t.Errorf("round %d: "+format, append([]any{round}, args...)...)
		}
	}
	start := time.Now()
	var calls, acked atomic.Int64
	for round := range rounds {
		recs := make([]Issued, len(raceCreds))
		for i, c := range raceCreds {
			rec, err := s0.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: fmt.Sprint("r", round, "@example.org")},
				Format: FormatJWT, StatusPurpose: c.purpose})
			if err != nil {
				t.Fatal(err)
			}
			if c.start == StateSuspended {
				if rec, err = s0.ChangeStatus(ctx, rec.ID, ActionSuspend, StatusChange{Reason: "start"}); err != nil {
					t.Fatal(err)
				}
			}
			recs[i] = rec
		}
		var (
			mu  sync.Mutex
			log []raceCall
			wg  sync.WaitGroup
		)
		gate := make(chan struct{})
		stop := make(chan struct{})
		// A watcher reads the records while the calls run: once it has seen
		// a credential revoked it must never see it otherwise.
		watched := make(chan []string, 1)
		go func() {
			seen, cameBack := make([]bool, len(recs)), make([]bool, len(recs))
			var bad []string
			<-gate
			for done := false; !done; {
				select {
				case <-stop:
					done = true // one last look
				default:
				}
				for i, r := range recs {
					got, err := nodes[i%len(nodes)].Credential(ctx, r.ID)
					if err != nil {
						bad = append(bad, fmt.Sprintf("credential %d: read: %v", i, err))
						continue
					}
					st := stateOf(got)
					if seen[i] && st != StateRevoked && !cameBack[i] {
						cameBack[i] = true
						bad = append(bad, fmt.Sprintf("came back: credential %d: seen revoked, then %s", i, st))
					}
					seen[i] = seen[i] || st == StateRevoked
				}
				time.Sleep(20 * time.Microsecond) // leave the CPUs to the calls
			}
			watched <- bad
		}()
		for w := range workers {
			node := nodes[w%len(nodes)]
			wg.Go(func() {
				<-gate
				for k := range callsEach {
					c := raceCall{cred: pick(len(recs)), action: actions[pick(len(actions))], reason: fmt.Sprintf("w%d-%d", w, k)}
					id := recs[c.cred].ID
					var rec Issued
					if c.action == "reissue" {
						c.err = reissue(ctx, node, id)
					} else {
						rec, c.err = node.ChangeStatus(ctx, id, c.action, StatusChange{Reason: c.reason})
						c.state, c.rsn = stateOf(rec), reasonOf(rec)
					}
					mu.Lock()
					log = append(log, c)
					mu.Unlock()
				}
			})
		}
		close(gate)
		wg.Wait()
		close(stop)
		calls.Add(int64(len(log)))
		for _, c := range log {
			if c.err == nil {
				acked.Add(1)
			}
		}
		problems := append(checkRound(ctx, s0, recs, log), <-watched...)
		if len(problems) > 0 {
			broken.Add(1)
			fail(round, "%s", strings.Join(problems, "; "))
			seenKinds := map[string]bool{}
			for _, p := range problems {
				kind, _, _ := strings.Cut(p, ":")
				if !seenKinds[kind] {
					seenKinds[kind] = true
					kinds[kind]++
				}
			}
		}
	}
	t.Logf("%d rounds, %d calls (%d acknowledged) in %v", rounds, calls.Load(), acked.Load(), time.Since(start).Round(time.Millisecond))
	if n := broken.Load(); n > 0 {
		t.Errorf("%d of %d rounds broke an invariant; rounds per kind of problem: %v", n, rounds, kinds)
	}
}

// checkRound checks one round after its calls have all returned.
func checkRound(ctx context.Context, s *Service, recs []Issued, log []raceCall) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i, orig := range recs {
		rec, err := s.Credential(ctx, orig.ID)
		if err != nil {
			bad("error: credential %d: %v", i, err)
			continue
		}
		if rec.Status == nil {
			bad("status lost: credential %d: its record lost its status entry", i)
			continue
		}
		st := rec.Status.State
		set, err := s.cfg.Store.Status(ctx, orig.Status.ListID, orig.Status.Index)
		if err != nil {
			bad("error: credential %d: %v", i, err)
			continue
		}
		if set != (st != StateActive) {
			bad("disagree: credential %d: record %s but bit set=%v", i, st, set)
		}
		audit, err := s.Audit(ctx, orig.ID)
		if err != nil {
			bad("error: credential %d: audit: %v", i, err)
			continue
		}
		// The audit trail, oldest first, is one valid sequence of changes
		// from the state the round started in to the record's.
		chain, inAudit := raceCreds[i].start, map[string]string{}
		if chain == StateSuspended && len(audit) > 0 && audit[0].Reason == "start" {
			audit = audit[1:]
		}
		for _, e := range audit {
			next, ok := applies(chain, e.Action)
			if !ok {
				bad("audit: credential %d: audit has %s after %s", i, e.Action, chain)
			}
			chain = next
			inAudit[e.Reason] = e.Action
		}
		if chain != st {
			bad("audit: credential %d: audit trail ends %s, record says %s", i, chain, st)
		}
		for _, c := range log {
			if c.cred != i {
				continue
			}
			switch {
			case c.action == "reissue":
				if c.err == nil {
					bad("status lost: credential %d: re-issue over a credential with a status entry was acknowledged", i)
				} else if !errors.Is(c.err, ErrStatusConflict) {
					bad("error: credential %d: re-issue: unexpected error %v", i, c.err)
				}
			case c.err != nil:
				if !errors.Is(c.err, ErrStatusConflict) {
					bad("error: credential %d: %s: unexpected error %v", i, c.action, c.err)
				}
			default:
				want := map[string]string{ActionRevoke: StateRevoked, ActionSuspend: StateSuspended, ActionUnsuspend: StateActive}[c.action]
				if c.state != want {
					bad("ack: credential %d: %s acknowledged with state %s", i, c.action, c.state)
				}
				if c.action == ActionRevoke && st != StateRevoked {
					bad("revoke lost: credential %d: revoke acknowledged (%s) but the record is %s", i, c.reason, st)
				}
				if c.rsn == c.reason && inAudit[c.reason] != c.action {
					bad("ack: credential %d: %s %s acknowledged as a change but not in the audit trail", i, c.action, c.reason)
				}
				if c.rsn != c.reason && c.rsn != "" && c.rsn != "start" && inAudit[c.rsn] == "" {
					bad("ack: credential %d: %s acknowledged with a record no audited change made", i, c.action)
				}
			}
		}
	}
	return problems
}

// applies returns the state action leads to from state, and whether the
// action is a change allowed there.
func applies(state, action string) (string, bool) {
	switch {
	case state == StateRevoked:
		return state, false
	case action == ActionRevoke:
		return StateRevoked, true
	case action == ActionSuspend:
		return StateSuspended, state == StateActive
	case action == ActionUnsuspend:
		return StateActive, state == StateSuspended
	}
	return state, false
}

// reissue signs a new credential with the id of an issued one through the
// VC-API path, which keeps the latest issue of an id.
func reissue(ctx context.Context, s *Service, id string) error {
	_, err := s.SignCredential(ctx, map[string]any{
		"@context":          []any{credential.ContextVCv2},
		"type":              []any{credential.TypeVerifiableCredential},
		"id":                id,
		"validFrom":         "2024-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:holder"},
	}, SignOptions{Format: FormatJWT})
	return err
}

func stateOf(rec Issued) string {
	if rec.Status == nil {
		return "(none)"
	}
	return rec.Status.State
}

func reasonOf(rec Issued) string {
	if rec.Status == nil {
		return ""
	}
	return rec.Status.Reason
}

func pick(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return int(v.Int64())
}

// BenchmarkChangeStatus suspends and unsuspends one credential: the cost of
// a status change alone (no list signing), on mem and on bbolt (fsynced).
//
//	go test -run '^$' -bench ChangeStatus -benchmem ./issuer/
func BenchmarkChangeStatus(b *testing.B) {
	stores := map[string]func(b *testing.B) raceStore{
		"mem": func(*testing.B) raceStore { return mem.New(mem.Options{}) },
		"bolt": func(b *testing.B) raceStore {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), bolt.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		},
	}
	for _, name := range []string{"mem", "bolt"} {
		b.Run(name, func(b *testing.B) {
			s := newServiceAt(b, stores[name](b), "https://badges.example.org")
			a := newAchievement(b, s)
			ctx := context.Background()
			rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, StatusPurpose: PurposeSuspension, Format: FormatJWT})
			if err != nil {
				b.Fatal(err)
			}
			actions := []string{ActionSuspend, ActionUnsuspend}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.ChangeStatus(ctx, rec.ID, actions[i%2], StatusChange{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
