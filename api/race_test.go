package api

// TestStatusRaceHTTP is the HTTP form of the issuer's status-change race
// tests (issue 14): on bbolt, through the router, revoke, suspend,
// unsuspend, bulk revoke and re-issue race on the same credentials. Run it
// alone with
//
//	go test -race -count=1 -run 'TestStatusRaceHTTP' ./api/
//
// -short runs fewer rounds.

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// httpCall is one request of a round and its answer.
type httpCall struct {
	cred   int
	action string // revoke, suspend, unsuspend, bulk or reissue
	reason string
	code   int
	state  string // status.state of a 200 answer
	failed []string
}

func TestStatusRaceHTTP(t *testing.T) {
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	f := newFixture(t, "http://localhost:8080", nil)
	type cred struct {
		purpose, start string
	}
	creds := []cred{{"suspension", "suspended"}, {"suspension", "active"}, {"revocation", "active"}}
	actions := []string{"revoke", "suspend", "unsuspend", "unsuspend", "suspend", "bulk", "reissue"}
	const workers, callsEach = 6, 2
	broken, reported := 0, 0
	kinds := map[string]int{}
	start := time.Now()
	for round := range rounds {
		a := createAchievement(t, f)
		recs := make([]issuedWithStatus, len(creds))
		for i, c := range creds {
			w := f.do("POST", "/api/v1/credentials", testToken, fmt.Sprintf(`{"achievementId":%q,"recipient":{"email":"r%d@example.org"},"format":"jwt_vc","statusPurpose":%q}`, a.ID, round, c.purpose))
			if w.Code != http.StatusCreated {
				t.Fatalf("issue: %d %s", w.Code, w.Body)
			}
			_ = json.Unmarshal(w.Body.Bytes(), &recs[i])
			if c.start == "suspended" {
				if w := f.do("POST", "/api/v1/credentials/"+recs[i].ID+"/suspend", testToken, `{"reason":"start"}`); w.Code != 200 {
					t.Fatalf("suspend: %d %s", w.Code, w.Body)
				}
			}
		}
		var (
			mu  sync.Mutex
			log []httpCall
			wg  sync.WaitGroup
		)
		gate, stop := make(chan struct{}), make(chan struct{})
		watched := make(chan []string, 1)
		go func() { // once seen revoked, never seen otherwise
			seen, cameBack := make([]bool, len(recs)), make([]bool, len(recs))
			var bad []string
			<-gate
			for done := false; !done; {
				select {
				case <-stop:
					done = true
				default:
				}
				for i, r := range recs {
					st := stateOver(f, r.ID)
					if seen[i] && st != "revoked" && !cameBack[i] {
						cameBack[i] = true
						bad = append(bad, fmt.Sprintf("came back: credential %d: seen revoked, then %s", i, st))
					}
					seen[i] = seen[i] || st == "revoked"
				}
				time.Sleep(20 * time.Microsecond)
			}
			watched <- bad
		}()
		for w := range workers {
			wg.Go(func() {
				<-gate
				for k := range callsEach {
					c := httpCall{cred: pickN(len(recs)), action: actions[pickN(len(actions))], reason: fmt.Sprintf("w%d-%d", w, k)}
					id := recs[c.cred].ID
					var resp *httpResult
					switch c.action {
					case "bulk":
						resp = asResult(f.do("POST", "/api/v1/credentials/revoke", testToken, fmt.Sprintf(`{"achievementId":%q,"reason":%q}`, a.ID, c.reason)))
						var res struct {
							Failed []string `json:"failed"`
						}
						_ = json.Unmarshal(resp.body, &res)
						c.failed = res.Failed
					case "reissue":
						resp = asResult(f.do("POST", "/credentials/issue", testToken, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],
"type":["VerifiableCredential"],"id":"`+id+`","validFrom":"2024-01-01T00:00:00Z","credentialSubject":{"id":"did:example:holder"}},"options":{"format":"jwt_vc"}}`))
					default:
						resp = asResult(f.do("POST", "/api/v1/credentials/"+id+"/"+c.action, testToken, `{"reason":"`+c.reason+`"}`))
						var out issuedWithStatus
						_ = json.Unmarshal(resp.body, &out)
						c.state = out.Status.State
					}
					c.code = resp.code
					if c.action == "reissue" && c.code == http.StatusCreated {
						c.code = 200
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

		var problems []string
		bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
		for i, r := range recs {
			st := stateOver(f, r.ID)
			lw := f.do("GET", "/status/"+r.Status.ListID, "", "")
			if lw.Code != 200 {
				bad("error: credential %d: GET its status list: %d", i, lw.Code)
				continue
			}
			if set := bit(t, lw.Body.Bytes(), r.Status.Index); set != (st != "active") {
				bad("disagree: credential %d: record %s but published bit set=%v", i, st, set)
			}
			var audit struct {
				Items []struct {
					Action string `json:"action"`
					Reason string `json:"reason"`
				} `json:"items"`
			}
			_ = json.Unmarshal(f.do("GET", "/api/v1/credentials/"+r.ID+"/audit", testToken, "").Body.Bytes(), &audit)
			chain := creds[i].start
			for _, e := range audit.Items {
				if e.Reason == "start" {
					continue
				}
				next, ok := transition(chain, e.Action)
				if !ok {
					bad("audit: credential %d: audit has %s after %s", i, e.Action, chain)
				}
				chain = next
			}
			if chain != st {
				bad("audit: credential %d: audit trail ends %s, record says %s", i, chain, st)
			}
			for _, c := range log {
				switch {
				case c.code >= 500 || c.code != 200 && c.code != http.StatusConflict:
					bad("error: %s answered %d", c.action, c.code)
				case c.action == "bulk" && c.code == 200 && !contains(c.failed, r.ID) && st != "revoked":
					bad("revoke lost: credential %d: bulk revoke answered 200 without it failing, but the record is %s", i, st)
				case c.cred != i || c.code != 200:
				case c.action == "reissue":
					bad("status lost: credential %d: re-issue over a credential with a status entry answered 200", i)
				case c.action == "revoke" && st != "revoked":
					bad("revoke lost: credential %d: revoke answered 200 but the record is %s", i, st)
				case c.action != "bulk" && c.state != map[string]string{"revoke": "revoked", "suspend": "suspended", "unsuspend": "active"}[c.action]:
					bad("ack: credential %d: %s answered 200 with state %q", i, c.action, c.state)
				}
			}
		}
		problems = append(problems, <-watched...)
		if len(problems) > 0 {
			broken++
			if reported++; reported <= 10 {
				t.Errorf("round %d: %s", round, strings.Join(problems, "; "))
			}
			seen := map[string]bool{}
			for _, p := range problems {
				kind, _, _ := strings.Cut(p, ":")
				if !seen[kind] {
					seen[kind] = true
					kinds[kind]++
				}
			}
		}
	}
	t.Logf("%d rounds in %v", rounds, time.Since(start).Round(time.Millisecond))
	if broken > 0 {
		t.Errorf("%d of %d rounds broke an invariant; rounds per kind of problem: %v", broken, rounds, kinds)
	}
}

// stateOver reads GET /api/v1/credentials/{id} and returns its status.state
// ("(none)" if it has no status, the HTTP status if it failed).
func stateOver(f *fixture, id string) string {
	w := f.do("GET", "/api/v1/credentials/"+id, testToken, "")
	if w.Code != 200 {
		return fmt.Sprint("HTTP ", w.Code)
	}
	var rec struct {
		Status *struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rec); err != nil || rec.Status == nil {
		return "(none)"
	}
	return rec.Status.State
}

// transition returns the state action leads to from state, and whether the
// action is a change allowed there.
func transition(state, action string) (string, bool) {
	switch {
	case state == "revoked":
		return state, false
	case action == "revoke":
		return "revoked", true
	case action == "suspend":
		return "suspended", state == "active"
	case action == "unsuspend":
		return "active", state == "suspended"
	}
	return state, false
}

func asResult(w *httptest.ResponseRecorder) *httpResult {
	return &httpResult{code: w.Code, hdr: w.Header(), body: w.Body.Bytes()}
}

func pickN(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return int(v.Int64())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestUnsupportedByStorageIsAProblem: a store that cannot change a status
// atomically (Redis Cluster) says so with a 501 problem, not a 500.
func TestUnsupportedByStorageIsAProblem(t *testing.T) {
	p := toProblem(fmt.Errorf("revoke: redis: transition status: %w", errors.ErrUnsupported))
	if p.Status != http.StatusNotImplemented || !strings.Contains(p.Detail, "Redis Cluster") {
		t.Errorf("problem %+v, want a 501 naming Redis Cluster", p)
	}
}
