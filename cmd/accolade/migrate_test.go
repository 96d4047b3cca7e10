package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/store/redis"
	"github.com/accolade-badges/accolade/store/storetest"
)

// The migrate tests use the real Redis of the other Redis tests
// (ACCOLADE_TEST_REDIS_URL, default redis://127.0.0.1:6379/0), each under
// its own key prefix that redisPrefix deletes afterwards. Run them with
//
//	go test -count=1 -race -run 'Migrate' ./cmd/accolade
//
// and the timing benchmark with
//
//	go test -run '^$' -bench Migrate -benchtime 1x ./cmd/accolade

// migrateCmd runs "accolade migrate args…" in-process.
func migrateCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env, out, errb := testEnv(map[string]string{"ACCOLADE_DATA_DIR": t.TempDir()})
	code = run(context.Background(), env, append([]string{"migrate"}, args...))
	return code, out.String(), errb.String()
}

// httpJSON sends a request with the admin token and decodes a JSON reply.
func httpJSON(t *testing.T, method, url, token string, body string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if v != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode
}

// issuedRecord is the part of an issued credential's record the test reads.
type issuedRecord struct {
	ID            string `json:"id"`
	Format        string `json:"format"`
	AchievementID string `json:"achievementId"`
	Status        struct {
		ListID string `json:"listId"`
		Index  int    `json:"index"`
		State  string `json:"state"`
	} `json:"status"`
	Credential json.RawMessage `json:"credential"`
}

// listedCredentials returns every credential record the server lists, by
// ID, as raw JSON.
func listedCredentials(t *testing.T, base, token string) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	cursor := ""
	for {
		var page struct {
			Items []json.RawMessage `json:"items"`
			Next  *string           `json:"next"`
		}
		if code := httpJSON(t, "GET", base+"/api/v1/credentials?limit=500&cursor="+cursor, token, "", &page); code != 200 {
			t.Fatalf("list credentials: %d", code)
		}
		for _, raw := range page.Items {
			var r issuedRecord
			_ = json.Unmarshal(raw, &r)
			out[r.ID] = raw
		}
		if page.Next == nil {
			return out
		}
		cursor = *page.Next
	}
}

// statusBit reads entry index of the published status list listID.
func statusBit(t *testing.T, base, listID string, index int) uint64 {
	t.Helper()
	var vc struct {
		CredentialSubject struct {
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if code := httpJSON(t, "GET", base+"/status/"+listID, "", "", &vc); code != 200 {
		t.Fatalf("GET /status/%s: %d", listID, code)
	}
	bits, err := status.Decode(vc.CredentialSubject.EncodedList)
	if err != nil {
		t.Fatalf("decode status list %s: %v", listID, err)
	}
	v, err := status.Get(bits, index, 1)
	if err != nil {
		t.Fatalf("status list %s entry %d: %v", listID, index, err)
	}
	return v
}

// TestMigrateBoltToRedisAndBack moves a real installation from bolt to
// Redis, runs the service on the copy with the same key-encryption key,
// and moves it back to a new bolt file.
func TestMigrateBoltToRedisAndBack(t *testing.T) {
	const token = "migrate-test-admin-token-0"
	prefix := redisPrefix(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	common := map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_LOG_LEVEL": "warn"}

	// 1. An installation on bolt: two achievements, ldp_vc and jwt_vc
	// credentials, one of them revoked.
	s := startServe(t, dataDir, common)
	var identity map[string]any
	if code := httpJSON(t, "GET", s.base+"/api/v1/issuer", token, "", &identity); code != 200 {
		t.Fatalf("GET /api/v1/issuer: %d", code)
	}
	var issued []issuedRecord
	for a := range 2 {
		ach := postJSON(t, s.base+"/api/v1/achievements", token, fmt.Sprintf(`{"name":"Badge %d","description":"d","criteria":{"narrative":"n"}}`, a))
		for i, format := range []string{"ldp_vc", "jwt_vc", "ldp_vc", "jwt_vc"} {
			var rec issuedRecord
			body := fmt.Sprintf(`{"achievementId":%q,"recipient":{"email":"r%d@example.org"},"format":%q}`, ach["id"], i, format)
			if code := httpJSON(t, "POST", s.base+"/api/v1/credentials", token, body, &rec); code != 201 {
				t.Fatalf("issue %s: %d", format, code)
			}
			issued = append(issued, rec)
		}
	}
	revoked := issued[1]
	postStatus(t, s.base+"/api/v1/credentials/"+revoked.ID+"/revoke", token)
	before := listedCredentials(t, s.base, token)
	if len(before) != len(issued) {
		t.Fatalf("listed %d credentials, want %d", len(before), len(issued))
	}
	s.stop(t)

	// 2. Copy it into Redis.
	boltURL := "bolt://" + filepath.ToSlash(filepath.Join(dataDir, "accolade.db"))
	code, out, errOut := migrateCmd(t, "--from", boltURL, "--to", testRedisURL(), "--to-prefix", prefix)
	if code != 0 {
		t.Fatalf("migrate bolt → redis: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"copied docs: ", "copied sequences: ", "copied status lists: 1", "copied tokens: 0", "key-encryption key was not copied"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("migrate progress misses %q:\n%s", want, errOut)
		}
	}
	for _, want := range []string{"docs/credentials", "docs/issuer-keys", "sequences", "status lists", "tokens", "OK: all"} {
		if !strings.Contains(out, want) {
			t.Errorf("verification table misses %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "MISMATCH") {
		t.Errorf("verification found a mismatch:\n%s", out)
	}
	t.Logf("migrate bolt → redis:\n%s%s", errOut, out)

	// 3. The service on Redis, with the bolt installation's KEK file and
	// public URL (the credentials name its status lists).
	redisVars := map[string]string{"ACCOLADE_STORE": testRedisURL(), "ACCOLADE_REDIS_PREFIX": prefix,
		"ACCOLADE_KEK_FILE": filepath.Join(dataDir, "kek"), "ACCOLADE_ADDR": strings.TrimPrefix(s.base, "http://")}
	for k, v := range common {
		redisVars[k] = v
	}
	r := startServe(t, filepath.Join(t.TempDir(), "node"), redisVars)
	var identity2 map[string]any
	if code := httpJSON(t, "GET", r.base+"/api/v1/issuer", token, "", &identity2); code != 200 {
		t.Fatalf("GET /api/v1/issuer on Redis: %d", code)
	}
	if diff := cmp.Diff(identity, identity2); diff != "" {
		t.Errorf("issuer identity changed by the migration (-bolt +redis):\n%s", diff)
	}
	if diff := cmp.Diff(before, listedCredentials(t, r.base, token)); diff != "" {
		t.Errorf("credential listing changed by the migration (-bolt +redis):\n%s", diff)
	}
	used := map[string]bool{}
	for _, rec := range issued {
		var got json.RawMessage
		if code := httpJSON(t, "GET", r.base+"/api/v1/credentials/"+rec.ID, token, "", &got); code != 200 {
			t.Errorf("GET credential %s on Redis: %d", rec.ID, code)
		}
		used[fmt.Sprint(rec.Status.ListID, "#", rec.Status.Index)] = true
		want := uint64(0)
		if rec.ID == revoked.ID {
			want = 1
		}
		if got := statusBit(t, r.base, rec.Status.ListID, rec.Status.Index); got != want {
			t.Errorf("status of %s (list %s, index %d) on Redis = %d, want %d", rec.ID, rec.Status.ListID, rec.Status.Index, got, want)
		}
	}
	// A credential issued after the move verifies with the moved keys and
	// gets a status index no earlier credential has: the allocation
	// bitmaps and sequences moved too.
	var fresh issuedRecord
	body := fmt.Sprintf(`{"achievementId":%q,"recipient":{"email":"new@example.org"},"format":"ldp_vc"}`, issued[0].AchievementID)
	if code := httpJSON(t, "POST", r.base+"/api/v1/credentials", token, body, &fresh); code != 201 {
		t.Fatalf("issue on Redis: %d", code)
	}
	if slot := fmt.Sprint(fresh.Status.ListID, "#", fresh.Status.Index); used[slot] {
		t.Errorf("credential issued after the migration got status index %s, already in use", slot)
	}
	for _, c := range []json.RawMessage{fresh.Credential, issued[0].Credential} {
		var rep map[string]any
		vbody, _ := json.Marshal(map[string]any{"verifiableCredential": c})
		if code := httpJSON(t, "POST", r.base+"/credentials/verify", "", string(vbody), &rep); code != 200 || rep["verified"] != true {
			t.Errorf("verify on Redis: %d %v", code, rep)
		}
	}
	r.stop(t)

	// 4. Back to a new bolt file, then compare that with Redis.
	back := "bolt://" + filepath.ToSlash(filepath.Join(t.TempDir(), "back", "accolade.db"))
	if code, out, errOut := migrateCmd(t, "--from", testRedisURL(), "--from-prefix", prefix, "--to", back); code != 0 {
		t.Fatalf("migrate redis → bolt: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = migrateCmd(t, "--verify-only", "--from", testRedisURL(), "--from-prefix", prefix, "--to", back)
	if code != 0 || !strings.Contains(out, "OK: all") {
		t.Errorf("verify-only redis ↔ new bolt: exit %d\n%s%s", code, out, errOut)
	}
	// The original bolt file lacks the credential issued on Redis.
	code, out, _ = migrateCmd(t, "--verify-only", "--from", boltURL, "--to", back)
	if code != 1 || !regexp.MustCompile(`(?m)^docs/credentials .*MISMATCH$`).MatchString(out) {
		t.Errorf("verify-only old bolt ↔ new bolt: exit %d, want 1 and docs/credentials named:\n%s", code, out)
	}
}

// newBoltFile makes a bolt store file holding a few entries of every kind
// and returns its URL.
func newBoltFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for i := range 5 {
		if err := db.Create(ctx, "credentials", fmt.Sprint("c", i), []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Create(ctx, "credidx-recipient:ü", "c1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Next(ctx, "status-lists"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateList(ctx, "1", 64); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Allocate(ctx, "1", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetStatus(ctx, "1", 3, true); err != nil {
		t.Fatal(err)
	}
	if err := db.PutToken(ctx, "nonce", "n1", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return "bolt://" + filepath.ToSlash(path)
}

// openRedis opens the test Redis under prefix for the test's duration.
func openRedis(t *testing.T, prefix string) *redis.DB {
	t.Helper()
	db, err := redis.Open(t.Context(), testRedisURL(), redis.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateRefuses(t *testing.T) {
	src := newBoltFile(t)
	srcPath := strings.TrimPrefix(src, "bolt://")
	rel, err := filepath.Rel(mustGetwd(t), srcPath)
	if err != nil {
		t.Fatal(err)
	}
	prefix := redisPrefix(t)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"fail/no-to", []string{"--from", src}, 2, "--from and --to are both required"},
		{"fail/same-bolt-file", []string{"--from", src, "--to", "bolt://" + filepath.ToSlash(rel)}, 2, "same store"},
		{"fail/same-redis", []string{"--from", "redis://localhost:6379", "--to", "redis://127.0.0.1:6379/0"}, 2, "same store"},
		{"fail/prefix-on-bolt", []string{"--from", src, "--from-prefix", "x", "--to", testRedisURL()}, 2, "--from-prefix applies to redis"},
		{"fail/unknown-scheme", []string{"--from", "ftp://x", "--to", src}, 2, "want bolt:// or redis://"},
		{"fail/missing-source", []string{"--from", "bolt://" + filepath.ToSlash(filepath.Join(t.TempDir(), "nope.db")), "--to", testRedisURL(), "--to-prefix", prefix}, 1, "no such file"},
		{"fail/empty-source", []string{"--from", testRedisURL(), "--from-prefix", prefix + "-empty", "--to", "bolt://" + filepath.ToSlash(filepath.Join(t.TempDir(), "x.db"))}, 1, "the source holds no data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := migrateCmd(t, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s%s", code, c.code, c.want, out, errOut)
			}
		})
	}

	t.Run("fail/non-empty-target", func(t *testing.T) {
		target := openRedis(t, prefix)
		if err := target.Put(t.Context(), "credentials", "c0", []byte("target's own")); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := migrateCmd(t, "--from", src, "--to", testRedisURL(), "--to-prefix", prefix)
		if code != 1 || !strings.Contains(errOut, "the target is not empty (it holds documents); use --force") {
			t.Errorf("exit %d, want 1 and a refusal:\n%s%s", code, out, errOut)
		}
		if v, _ := target.Get(t.Context(), "credentials", "c0"); string(v) != "target's own" {
			t.Errorf("a refused migration changed the target: %q", v)
		}
		// --force copies over it: the source's values win.
		code, out, errOut = migrateCmd(t, "--force", "--from", src, "--to", testRedisURL(), "--to-prefix", prefix)
		if code != 0 || !strings.Contains(out, "OK: all") {
			t.Errorf("--force: exit %d:\n%s%s", code, out, errOut)
		}
		if v, _ := target.Get(t.Context(), "credentials", "c0"); string(v) != `{"n":0}` {
			t.Errorf("after --force the target holds %q", v)
		}
	})

	t.Run("fail/mismatch-detected", func(t *testing.T) {
		prefix := redisPrefix(t)
		if code, out, errOut := migrateCmd(t, "--from", src, "--to", testRedisURL(), "--to-prefix", prefix); code != 0 {
			t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
		}
		target := openRedis(t, prefix)
		ctx := t.Context()
		for _, c := range []struct {
			kind   string
			tamper func() error
		}{
			{"docs/credentials", func() error { return target.Put(ctx, "credentials", "c3", []byte(`{"n":333}`)) }},
			{"status lists", func() error { _, err := target.SetStatus(ctx, "1", 3, false); return err }},
			{"sequences", func() error { _, err := target.Next(ctx, "status-lists"); return err }},
			{"tokens", func() error { _, err := target.TakeToken(ctx, "nonce", "n1"); return err }},
			{`docs/"new collection"`, func() error { return target.Create(ctx, "new collection", "x", nil) }},
		} {
			if err := c.tamper(); err != nil {
				t.Fatalf("tamper with %s: %v", c.kind, err)
			}
			code, out, errOut := migrateCmd(t, "--verify-only", "--from", src, "--to", testRedisURL(), "--to-prefix", prefix)
			row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.kind) + ` .*MISMATCH$`)
			if code != 1 || !row.MatchString(out) || !strings.Contains(errOut, "MISMATCH in") || !strings.Contains(errOut, c.kind) {
				t.Errorf("after tampering with %s: exit %d, want 1 and the kind named:\n%s%s", c.kind, code, out, errOut)
			}
		}
	})
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestMigrateHelp(t *testing.T) {
	env, out, _ := testEnv(nil)
	if code := run(context.Background(), env, []string{"migrate", "--help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Usage: accolade migrate", "--from", "--to", "--force", "--verify-only", "--from-prefix", "key-encryption key", "DATA_DIR/kek", "ACCOLADE_REDIS_PREFIX"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("migrate --help misses %q", want)
		}
	}
}

// TestMigrateStoresCrossImplementation runs the export conformance subtests
// from bolt into Redis and from Redis into bolt.
func TestMigrateStoresCrossImplementation(t *testing.T) {
	newBolt := func(t *testing.T) store.Store {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "accolade.db"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	newRedis := func(t *testing.T) store.Store { return openRedis(t, redisPrefix(t)) }
	t.Run("bolt-to-redis", func(t *testing.T) { storetest.RunExportBetween(t, newBolt, newRedis) })
	t.Run("redis-to-bolt", func(t *testing.T) { storetest.RunExportBetween(t, newRedis, newBolt) })
}

// BenchmarkMigrate times accolade migrate (copy and verification) for an
// installation of benchCredentials real credentials, half ldp_vc and half
// jwt_vc, each to its own recipient (so each adds an index collection), a
// few revoked: from bolt into Redis, and from Redis into a new bolt file.
// Issuing them is setup and not timed.
func BenchmarkMigrate(b *testing.B) {
	const benchCredentials = 1000
	dataDir := b.TempDir()
	vars := map[string]string{"ACCOLADE_DATA_DIR": dataDir, "ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(b), "ACCOLADE_OFFLINE": "true"}
	cfg, err := config.Load(nil, func(k string) string { return vars[k] })
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ach, err := a.issuer.CreateAchievement(ctx, issuer.AchievementInput{Name: "Bench", Description: "d", Criteria: credential.Criteria{Narrative: "n"}})
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, benchCredentials)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < benchCredentials; i += 8 {
				format := issuer.FormatJWT
				if i%2 == 0 {
					format = issuer.FormatLDP
				}
				rec, err := a.issuer.Issue(ctx, issuer.IssueRequest{AchievementID: ach.ID, Format: format,
					Recipient: issuer.Recipient{Email: fmt.Sprintf("r%d@example.org", i)}})
				if err == nil && i%100 == 0 {
					_, err = a.issuer.ChangeStatus(ctx, rec.ID, issuer.ActionRevoke, issuer.StatusChange{})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
	src := "bolt://" + filepath.ToSlash(filepath.Join(dataDir, "accolade.db"))
	var progress []string
	migrate := func(args ...string) time.Duration {
		env, out, errb := testEnv(map[string]string{"ACCOLADE_DATA_DIR": b.TempDir()})
		start := time.Now()
		if code := run(ctx, env, append([]string{"migrate"}, args...)); code != 0 {
			b.Fatalf("migrate %v: exit %d\n%s%s", args, code, out, errb)
		}
		progress = append(progress, errb.String())
		return time.Since(start)
	}
	var toRedis, toBolt time.Duration
	n := 0
	for b.Loop() {
		prefix := benchPrefix(b)
		toRedis += migrate("--from", src, "--to", testRedisURL(), "--to-prefix", prefix)
		toBolt += migrate("--from", testRedisURL(), "--from-prefix", prefix, "--to", "bolt://"+filepath.ToSlash(filepath.Join(b.TempDir(), "back.db")))
		n++
	}
	var lines []string
	for _, p := range progress[len(progress)-2:] {
		for _, l := range strings.Split(p, "\n") {
			if strings.HasPrefix(l, "copied docs") || strings.HasPrefix(l, "verified") {
				lines = append(lines, l)
			}
		}
	}
	b.Logf("last runs (bolt → redis, then redis → bolt):\n%s", strings.Join(lines, "\n"))
	b.ReportMetric(float64(toRedis.Milliseconds())/float64(n), "ms-bolt-to-redis")
	b.ReportMetric(float64(toBolt.Milliseconds())/float64(n), "ms-redis-to-bolt")
}

// benchPrefix is redisPrefix for a benchmark: a fresh key prefix whose
// keys are deleted when the benchmark ends.
func benchPrefix(b *testing.B) string {
	b.Helper()
	sharedtest.Redis(b)
	prefix := "accolade-test-" + strings.ToLower(rand.Text()[:12])
	b.Cleanup(func() {
		opts, err := goredis.ParseURL(testRedisURL())
		if err != nil {
			b.Error(err)
			return
		}
		c := goredis.NewClient(opts)
		defer c.Close()
		ctx := context.Background()
		for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
			it := c.Scan(ctx, 0, pattern, 1000).Iterator()
			for it.Next(ctx) {
				c.Unlink(ctx, it.Val())
			}
			if err := it.Err(); err != nil {
				b.Error(err)
			}
		}
	})
	return prefix
}
