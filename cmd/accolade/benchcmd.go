package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func runBench(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "bench", args, []command{
		{"issue", "load a running server with credential issuing over HTTP and report the rate", runBenchIssue},
	})
}

// benchIssueOptions are the own flags of accolade bench issue.
type benchIssueOptions struct {
	format      string
	concurrency int
	duration    time.Duration
	requests    int
	achievement string
	recipient   string
	verify      int
	asJSON      bool
}

// benchReport is the result of accolade bench issue (printed with --json).
type benchReport struct {
	Server       string         `json:"server"`
	Format       string         `json:"format"`
	Concurrency  int            `json:"concurrency"`
	Requests     int64          `json:"requests"`
	Issued       int64          `json:"issued"`
	Failed       int64          `json:"failed"`
	FailedBy     map[string]int `json:"failedByStatus,omitempty"`
	Seconds      float64        `json:"seconds"`
	PerSecond    float64        `json:"perSecond"`
	LatencyMs    latencyMs      `json:"latencyMs"`
	Verified     int            `json:"verified"`
	VerifyFailed int            `json:"verifyFailed"`
}

type latencyMs struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func runBenchIssue(ctx context.Context, env *environment, args []string) int {
	var o benchIssueOptions
	cfg, code, ok := loadConfig(env, "bench issue", `Issues credentials on a running server over HTTP, from --concurrency clients
with keep-alive connections, for --duration or --requests, and reports the
rate and latency. Each request is a real POST /api/v1/credentials to a
distinct recipient. Afterwards --verify credentials picked from the run are
checked with POST /credentials/verify (proof, schema, status).

The server is --server (default: the public URL); the admin token is
--admin-token / ACCOLADE_ADMIN_TOKEN or DATA_DIR/admin-token. Without
--achievement a benchmark achievement is created.`, args, func(fs *flag.FlagSet) {
		fs.StringVar(&o.format, "format", "ldp_vc", "credential `format`: ldp_vc or jwt_vc_json (jwt_vc is another name for jwt_vc_json)")
		fs.IntVar(&o.concurrency, "concurrency", 32, "parallel clients")
		fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to run")
		fs.IntVar(&o.requests, "requests", 0, "stop after this many requests (0: run for --duration)")
		fs.StringVar(&o.achievement, "achievement", "", "achievement to issue (default: create one)")
		fs.StringVar(&o.recipient, "recipient", "email", "recipient kind: email or did")
		fs.IntVar(&o.verify, "verify", 20, "issued credentials to verify afterwards")
		fs.BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	}, settingsAdminClient)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(env.stderr, "accolade bench issue: %v\n", err)
		return 1
	}
	switch {
	case !validFormat(o.format):
		return fail(fmt.Errorf("--format must be ldp_vc or jwt_vc_json, not %q", o.format))
	case o.recipient != "email" && o.recipient != "did":
		return fail(fmt.Errorf("--recipient must be email or did, not %q", o.recipient))
	case o.concurrency < 1 || o.concurrency > 4096:
		return fail(errors.New("--concurrency must be from 1 to 4096"))
	case o.requests < 0 || o.verify < 0 || o.duration <= 0:
		return fail(errors.New("--requests, --verify and --duration must not be negative"))
	}
	server, token, err := adminTarget(cfg)
	if err != nil {
		return fail(err)
	}
	b := &issueBench{
		base:  strings.TrimSuffix(server, "/"),
		token: token,
		opts:  o,
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: o.concurrency, MaxIdleConnsPerHost: o.concurrency, IdleConnTimeout: time.Minute,
		}},
	}
	rep, err := b.run(ctx, env.stderr)
	if err != nil {
		return fail(err)
	}
	if o.asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printBenchReport(env.stdout, rep)
	}
	if rep.Issued == 0 || rep.VerifyFailed > 0 {
		return 1
	}
	return 0
}

type issueBench struct {
	base, token string
	opts        benchIssueOptions
	http        *http.Client
}

func (b *issueBench) call(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, out, err
}

func (b *issueBench) ensureAchievement(ctx context.Context) (string, error) {
	if b.opts.achievement != "" {
		return b.opts.achievement, nil
	}
	body := []byte(`{"name":"Accolade load test","description":"Issued by accolade bench issue.",` +
		`"criteria":{"narrative":"Attend the load test."},"achievementType":"Badge",` +
		`"tags":["benchmark"],"image":{"id":"https://example.org/badge.png","caption":"Badge"}}`)
	code, out, err := b.call(ctx, http.MethodPost, "/api/v1/achievements", body)
	if err != nil {
		return "", fmt.Errorf("create achievement: %w", err)
	}
	if code != http.StatusCreated {
		return "", fmt.Errorf("create achievement: HTTP %d: %s", code, bytes.TrimSpace(out))
	}
	var a struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &a); err != nil || a.ID == "" {
		return "", fmt.Errorf("create achievement: unexpected answer %s", out)
	}
	return a.ID, nil
}

func (b *issueBench) body(achievement string, n int64) []byte {
	var r string
	if b.opts.recipient == "did" {
		r = `{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}`
	} else {
		r = fmt.Sprintf(`{"email":"attendee-%d@example.org"}`, n)
	}
	return fmt.Appendf(nil, `{"achievementId":%q,"recipient":%s,"format":%q}`, achievement, r, b.opts.format)
}

func (b *issueBench) run(ctx context.Context, progress io.Writer) (benchReport, error) {
	ach, err := b.ensureAchievement(ctx)
	if err != nil {
		return benchReport{}, err
	}
	// One warm-up request: the first issue compiles contexts and schemas.
	if code, out, err := b.call(ctx, http.MethodPost, "/api/v1/credentials", b.body(ach, 0)); err != nil {
		return benchReport{}, fmt.Errorf("warm-up issue: %w", err)
	} else if code != http.StatusCreated {
		return benchReport{}, fmt.Errorf("warm-up issue: HTTP %d: %s", code, bytes.TrimSpace(out))
	}

	runCtx, cancel := context.WithTimeout(ctx, b.opts.duration)
	if b.opts.requests > 0 {
		cancel()
		runCtx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	var (
		next, issued, failed atomic.Int64
		mu                   sync.Mutex
		lat                  []time.Duration
		failedBy             = map[string]int{}
		sample               [][]byte
		sampleEvery          = int64(1)
		wg                   sync.WaitGroup
	)
	if b.opts.requests > 0 && b.opts.verify > 0 {
		sampleEvery = max(1, int64(b.opts.requests/b.opts.verify))
	}
	start := time.Now()
	for range b.opts.concurrency {
		wg.Go(func() {
			var local []time.Duration
			defer func() {
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			}()
			for runCtx.Err() == nil {
				n := next.Add(1)
				if b.opts.requests > 0 && n > int64(b.opts.requests) {
					return
				}
				t := time.Now()
				code, out, err := b.call(runCtx, http.MethodPost, "/api/v1/credentials", b.body(ach, n))
				if err != nil && runCtx.Err() != nil {
					return // cut off by the deadline: not a failure
				}
				local = append(local, time.Since(t))
				if err != nil || code != http.StatusCreated {
					failed.Add(1)
					key := fmt.Sprint(code)
					if err != nil {
						key = "transport"
					}
					mu.Lock()
					failedBy[key]++
					mu.Unlock()
					continue
				}
				issued.Add(1)
				if n%sampleEvery == 0 {
					mu.Lock()
					if len(sample) < b.opts.verify {
						sample = append(sample, out)
					} else if b.opts.verify > 0 {
						sample[int(n/sampleEvery)%b.opts.verify] = out
					}
					mu.Unlock()
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last, lastT := int64(0), start
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				n := issued.Load()
				fmt.Fprintf(progress, "%5.0fs  issued %8d  %7.0f/s  failed %d\n", now.Sub(start).Seconds(), n,
					float64(n-last)/now.Sub(lastT).Seconds(), failed.Load())
				last, lastT = n, now
			}
		}
	}()
	wg.Wait()
	elapsed := time.Since(start)
	close(done)

	rep := benchReport{Server: b.base, Format: b.opts.format, Concurrency: b.opts.concurrency,
		Issued: issued.Load(), Failed: failed.Load(), Seconds: elapsed.Seconds()}
	rep.Requests = rep.Issued + rep.Failed
	rep.PerSecond = float64(rep.Issued) / elapsed.Seconds()
	if len(failedBy) > 0 {
		rep.FailedBy = failedBy
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		q := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		rep.LatencyMs = latencyMs{P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: float64(lat[len(lat)-1].Microseconds()) / 1000}
	}
	for _, out := range sample {
		if err := b.verify(ctx, out); err != nil {
			rep.VerifyFailed++
			fmt.Fprintf(progress, "verify: %v\n", err)
		} else {
			rep.Verified++
		}
	}
	return rep, nil
}

// verify checks one issued credential with the server's verifier.
func (b *issueBench) verify(ctx context.Context, issuedRecord []byte) error {
	var rec struct {
		ID         string          `json:"id"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(issuedRecord, &rec); err != nil || len(rec.Credential) == 0 {
		return fmt.Errorf("issue answer without a credential: %.200s", issuedRecord)
	}
	body, _ := json.Marshal(map[string]any{"verifiableCredential": rec.Credential})
	code, out, err := b.call(ctx, http.MethodPost, "/credentials/verify", body)
	if err != nil {
		return fmt.Errorf("%s: %w", rec.ID, err)
	}
	if code != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %.400s", rec.ID, code, out)
	}
	return nil
}

func printBenchReport(w io.Writer, r benchReport) {
	fmt.Fprintf(w, "server       %s\n", r.Server)
	fmt.Fprintf(w, "format       %s, %d clients\n", r.Format, r.Concurrency)
	fmt.Fprintf(w, "issued       %d in %.1fs: %.0f credentials/s\n", r.Issued, r.Seconds, r.PerSecond)
	fmt.Fprintf(w, "failed       %d", r.Failed)
	for k, v := range r.FailedBy {
		fmt.Fprintf(w, " (%s: %d)", k, v)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "latency ms   p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", r.LatencyMs.P50, r.LatencyMs.P90, r.LatencyMs.P99, r.LatencyMs.Max)
	fmt.Fprintf(w, "verified     %d of %d sampled credentials\n", r.Verified, r.Verified+r.VerifyFailed)
}
