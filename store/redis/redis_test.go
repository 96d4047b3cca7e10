// Tests and benchmarks for the Redis store. The store tests need a real
// Redis, never a mock: set ACCOLADE_TEST_REDIS_URL (make test and CI do).
// Without it, or when that Redis does not answer, they skip with one line
// saying how to provide one (sharedtest.Redis); with CI=true they fail.
// For example:
//
//	ACCOLADE_TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test -race -count=1 ./store/redis
//	ACCOLADE_TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench . -benchmem ./store/redis
//
// Every store gets its own key prefix, accolade-test-<random>, and deletes
// every key under it when its test ends, so runs can share one database.
// URL parsing, error classification and slot tests need no server.
package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/storetest"
)

// testURL returns the Redis URL for tests, $ACCOLADE_TEST_REDIS_URL; without
// a Redis that answers there, sharedtest.Redis stops the test.
func testURL(t testing.TB) string {
	t.Helper()
	return sharedtest.Redis(t)
}

// randomPrefix returns a fresh key prefix for one store.
func randomPrefix() string {
	return "accolade-test-" + strings.ToLower(rand.Text())
}

// newDB opens a store on the test Redis under prefix and, when the test
// ends, deletes every key under prefix (through its own client, so that it
// works even if the test closed db) and closes db.
func newDB(t testing.TB, prefix string) *DB {
	t.Helper()
	rawURL := testURL(t)
	db, err := Open(t.Context(), rawURL, Options{Prefix: prefix})
	if err != nil {
		t.Fatalf("Open %s: %v", rawURL, err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := deletePrefix(ctx, rawURL, prefix); err != nil {
			t.Errorf("delete keys under %s: %v", prefix, err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// deletePrefix removes every key a store with prefix can write, on every
// master when rawURL names a cluster. SCAN MATCH treats only * ? [ ] and \
// as special, and a prefix cannot contain them.
func deletePrefix(ctx context.Context, rawURL, prefix string) error {
	co, err := parseURL(rawURL)
	if err != nil {
		return err
	}
	rdb := co.newClient()
	defer rdb.Close()
	del := func(ctx context.Context, c *goredis.Client) error {
		for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
			it := c.Scan(ctx, 0, pattern, 1000).Iterator()
			pipe := c.Pipeline()
			for it.Next(ctx) {
				// One key per UNLINK: on a cluster node a multi-key UNLINK
				// across slots fails with CROSSSLOT.
				pipe.Unlink(ctx, it.Val())
			}
			if err := it.Err(); err != nil {
				return err
			}
			if pipe.Len() > 0 {
				if _, err := pipe.Exec(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if cc, ok := rdb.(*goredis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, del)
	}
	return del(ctx, rdb.(*goredis.Client))
}

// countKeys returns how many keys exist under prefix.
func countKeys(t *testing.T, prefix string) int {
	t.Helper()
	co, err := parseURL(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := co.newClient()
	defer rdb.Close()
	n := 0
	for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
		it := rdb.Scan(t.Context(), 0, pattern, 1000).Iterator()
		for it.Next(t.Context()) {
			n++
		}
		if err := it.Err(); err != nil {
			t.Fatalf("SCAN %s: %v", pattern, err)
		}
	}
	return n
}

func TestRedisConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return newDB(t, randomPrefix())
	})
}

// urlSummary is what TestRedisURLForms compares: the parts of the go-redis
// options that the URL decides.
type urlSummary struct {
	Kind             string
	Addrs            []string
	Master           string
	DB               int
	Username         string
	Password         string
	SentinelUsername string
	SentinelPassword string
	TLS              bool
	TLSServerName    string
	DialTimeout      time.Duration
	ReadTimeout      time.Duration
}

func summarize(t *testing.T, co clientOptions) urlSummary {
	t.Helper()
	var s urlSummary
	var ctxTimeout bool
	switch {
	case co.single != nil:
		o := co.single
		s = urlSummary{Kind: "single", Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password,
			DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout}
		if o.TLSConfig != nil {
			s.TLS, s.TLSServerName = true, o.TLSConfig.ServerName
		}
		ctxTimeout = o.ContextTimeoutEnabled
	case co.failover != nil:
		o := co.failover
		s = urlSummary{Kind: "sentinel", Addrs: o.SentinelAddrs, Master: o.MasterName, DB: o.DB,
			Username: o.Username, Password: o.Password, SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout}
		if o.TLSConfig != nil {
			s.TLS, s.TLSServerName = true, o.TLSConfig.ServerName
		}
		ctxTimeout = o.ContextTimeoutEnabled
	case co.cluster != nil:
		o := co.cluster
		s = urlSummary{Kind: "cluster", Addrs: o.Addrs, Username: o.Username, Password: o.Password,
			DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout}
		if o.TLSConfig != nil {
			s.TLS, s.TLSServerName = true, o.TLSConfig.ServerName
		}
		ctxTimeout = o.ContextTimeoutEnabled
	default:
		t.Fatalf("parseURL returned no options")
	}
	if !ctxTimeout {
		t.Errorf("ContextTimeoutEnabled is off, want on for every form")
	}
	return s
}

func TestRedisURLForms(t *testing.T) {
	for _, c := range []struct {
		name string
		url  string
		want urlSummary
	}{
		{"ok/plain", "redis://127.0.0.1:6379/0",
			urlSummary{Kind: "single", Addrs: []string{"127.0.0.1:6379"}}},
		{"ok/plain-defaults", "redis://cache",
			urlSummary{Kind: "single", Addrs: []string{"cache:6379"}}},
		{"ok/plain-user-password-db-options", "redis://app:p%40ss@cache.internal:6380/3?dial_timeout=2s&read_timeout=1",
			urlSummary{Kind: "single", Addrs: []string{"cache.internal:6380"}, DB: 3, Username: "app", Password: "p@ss",
				DialTimeout: 2 * time.Second, ReadTimeout: time.Second}},
		{"ok/plain-password-only", "redis://hunter2@cache:6379/1",
			urlSummary{Kind: "single", Addrs: []string{"cache:6379"}, DB: 1, Password: "hunter2"}},
		{"ok/plain-ipv6", "redis://[::1]:6379/2",
			urlSummary{Kind: "single", Addrs: []string{"[::1]:6379"}, DB: 2}},
		{"ok/tls", "rediss://cache.example:6380/0",
			urlSummary{Kind: "single", Addrs: []string{"cache.example:6380"}, TLS: true, TLSServerName: "cache.example"}},
		{"ok/sentinel-one", "redis+sentinel://s1:26379/mymaster",
			urlSummary{Kind: "sentinel", Addrs: []string{"s1:26379"}, Master: "mymaster"}},
		{"ok/sentinel-many-default-port-db-password", "redis+sentinel://hunter2@s1:26379,s2,[::1]:26380/mymaster/4",
			urlSummary{Kind: "sentinel", Addrs: []string{"s1:26379", "s2:26379", "[::1]:26380"}, Master: "mymaster", DB: 4,
				Password: "hunter2"}},
		{"ok/sentinel-credentials-options", "redis+sentinel://app:pw@s1/accolade-master/0?sentinel_username=sen&sentinel_password=spw&dial_timeout=1s",
			urlSummary{Kind: "sentinel", Addrs: []string{"s1:26379"}, Master: "accolade-master", Username: "app", Password: "pw",
				SentinelUsername: "sen", SentinelPassword: "spw", DialTimeout: time.Second}},
		{"ok/sentinel-tls", "rediss+sentinel://s1:26379,s2:26379/m",
			urlSummary{Kind: "sentinel", Addrs: []string{"s1:26379", "s2:26379"}, Master: "m", TLS: true}},
		{"ok/cluster", "redis+cluster://n1:7000,n2:7001,n3",
			urlSummary{Kind: "cluster", Addrs: []string{"n1:7000", "n2:7001", "n3:6379"}}},
		{"ok/cluster-one-slash", "redis+cluster://n1:7000/",
			urlSummary{Kind: "cluster", Addrs: []string{"n1:7000"}}},
		{"ok/cluster-tls-auth-options", "rediss+cluster://app:pw@n1:7000,n2:7001?read_timeout=2s",
			urlSummary{Kind: "cluster", Addrs: []string{"n1:7000", "n2:7001"}, Username: "app", Password: "pw",
				TLS: true, ReadTimeout: 2 * time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			co, err := parseURL(c.url)
			if err != nil {
				t.Fatalf("parseURL(%q): %v", c.url, err)
			}
			if diff := cmp.Diff(c.want, summarize(t, co), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("parseURL(%q) mismatch (-want +got):\n%s", c.url, diff)
			}
		})
	}

	// Every failing URL that holds the password hunter2 must not echo it.
	for _, c := range []struct{ name, url string }{
		{"fail/empty", ""},
		{"fail/no-scheme", "127.0.0.1:6379"},
		{"fail/other-scheme", "bolt:///var/lib/accolade.db"},
		{"fail/http", "http://u:hunter2@cache:6379/0"},
		{"fail/unix-not-offered", "unix:///run/redis.sock"},
		{"fail/bad-port", "redis://u:hunter2@cache:port/0"},
		{"fail/bad-escape", "redis://u:hunter2%zz@cache:6379/0"},
		{"fail/bad-db", "redis://u:hunter2@cache:6379/zero"},
		{"fail/two-path-segments", "redis://cache:6379/1/2"},
		{"fail/unknown-option", "redis://u:hunter2@cache:6379/0?colour=blue"},
		{"fail/context-timeout-option", "redis://cache:6379/0?context_timeout_enabled=false"},
		{"fail/fragment", "redis://u:hunter2@cache:6379/0#x"},
		{"fail/sentinel-no-master", "redis+sentinel://hunter2@s1:26379"},
		{"fail/sentinel-slash-only", "redis+sentinel://s1:26379/"},
		{"fail/sentinel-three-segments", "redis+sentinel://s1/m/1/2"},
		{"fail/sentinel-bad-db", "redis+sentinel://hunter2@s1/m/x"},
		{"fail/sentinel-negative-db", "redis+sentinel://s1/m/-1"},
		{"fail/sentinel-master-name-option", "redis+sentinel://s1/m?master_name=other"},
		{"fail/sentinel-addr-option", "redis+sentinel://s1/m?addr=s2:26379"},
		{"fail/sentinel-password-option", "redis+sentinel://s1/m?password=hunter2"},
		{"fail/sentinel-empty-host", "redis+sentinel://hunter2@s1,,s2/m"},
		{"fail/sentinel-no-host", "redis+sentinel:///m"},
		{"fail/sentinel-unknown-option", "redis+sentinel://u:hunter2@s1/m?colour=blue"},
		{"fail/cluster-path", "redis+cluster://n1:7000/0"},
		{"fail/cluster-port-range", "redis+cluster://hunter2@n1:99999"},
		{"fail/cluster-port-text", "redis+cluster://n1:abc,n2:7001"},
		{"fail/cluster-addr-option", "redis+cluster://n1:7000?addr=n2:7001"},
		{"fail/cluster-unknown-option", "redis+cluster://u:hunter2@n1:7000?colour=blue"},
	} {
		t.Run(c.name, func(t *testing.T) {
			co, err := parseURL(c.url)
			if err == nil {
				t.Fatalf("parseURL(%q) = %+v, want an error", c.url, summarize(t, co))
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("parseURL error %q repeats the password", err)
			}
		})
	}
}

func TestRedisOpenRefusesBadPrefix(t *testing.T) {
	for _, p := range []string{"a:b", "{accolade}", "acc}", "a b", "a*", "ä"} {
		t.Run(p, func(t *testing.T) {
			// Port 1 is never reached: the prefix is checked first.
			db, err := Open(t.Context(), "redis://127.0.0.1:1/0", Options{Prefix: p})
			if err == nil {
				db.Close()
				t.Fatalf("Open with prefix %q succeeded, want an error", p)
			}
			if errors.Is(err, store.ErrUnavailable) {
				t.Errorf("Open with prefix %q: got %v, want a prefix error before any connection", p, err)
			}
		})
	}
}

func TestRedisUnavailable(t *testing.T) {
	start := time.Now()
	db, err := Open(t.Context(), "redis://127.0.0.1:1/0", Options{})
	elapsed := time.Since(start)
	if err == nil {
		db.Close()
		t.Fatalf("Open of 127.0.0.1:1 succeeded")
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open: got %v, want ErrUnavailable", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Open: got %v, want the cause (connection refused) still wrapped", err)
	}
	if elapsed > openTimeout+time.Second {
		t.Errorf("Open gave up after %v, want at most about %v", elapsed, openTimeout)
	}

	// A cancelled ctx is reported as such, not as unavailability.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Open(ctx, "redis://127.0.0.1:1/0", Options{}); !errors.Is(err, context.Canceled) || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open with cancelled ctx: got %v, want context.Canceled only", err)
	}
}

// TestRedisOpenWrongPassword checks that a server that answers with an
// authentication error is not reported as unavailable, and that the error
// does not repeat the password.
func TestRedisOpenWrongPassword(t *testing.T) {
	co, err := parseURL(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:6379"
	if co.single != nil {
		addr = co.single.Addr
	}
	rawURL := "redis://no-such-user:hunter2@" + addr + "/0"
	db, err := Open(t.Context(), rawURL, Options{Prefix: randomPrefix()})
	if err == nil {
		db.Close()
		t.Fatalf("Open as an unknown user succeeded")
	}
	if errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open with wrong credentials: got %v, want an error other than ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open error %q repeats the password", err)
	}
}

func TestRedisErrorClassification(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		name            string
		err             error
		wantNotFound    bool
		wantUnavailable bool
	}{
		{"nil-reply", goredis.Nil, true, false},
		{"nil-reply-wrapped", fmt.Errorf("hook: %w", goredis.Nil), true, false},
		{"connection-refused", refused, false, true},
		{"connection-refused-wrapped", fmt.Errorf("dial: %w", refused), false, true},
		{"connection-reset", os.NewSyscallError("read", syscall.ECONNRESET), false, true},
		{"broken-pipe", syscall.EPIPE, false, true},
		{"eof", io.EOF, false, true},
		{"unexpected-eof", fmt.Errorf("read reply: %w", io.ErrUnexpectedEOF), false, true},
		{"net-timeout", &net.DNSError{Err: "i/o timeout", Name: "cache", IsTimeout: true}, false, true},
		{"net-closed", net.ErrClosed, false, true},
		{"client-closed", goredis.ErrClosed, false, true},
		{"pool-timeout", goredis.ErrPoolTimeout, false, true},
		{"pool-exhausted", goredis.ErrPoolExhausted, false, true},
		{"deadline", context.DeadlineExceeded, false, true},
		{"caller-cancelled", context.Canceled, false, false},
		{"cross-slot", goredis.ErrCrossSlot, false, false},
		{"other", errors.New("ERR wrong number of arguments"), false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := wrap("get from profiles", c.err)
			if errors.Is(got, store.ErrNotFound) != c.wantNotFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %t, want %t", got, !c.wantNotFound, c.wantNotFound)
			}
			if errors.Is(got, store.ErrUnavailable) != c.wantUnavailable {
				t.Errorf("errors.Is(%v, ErrUnavailable) = %t, want %t", got, !c.wantUnavailable, c.wantUnavailable)
			}
			if !c.wantNotFound && !errors.Is(got, c.err) {
				t.Errorf("%v does not wrap its cause %v", got, c.err)
			}
			if !strings.HasPrefix(got.Error(), "redis: get from profiles: ") {
				t.Errorf("error %q does not name the operation", got)
			}
		})
	}
	if wrap("op", nil) != nil {
		t.Errorf("wrap(nil) is not nil")
	}
}

// TestRedisServerErrorsClassified has a real server send the replies that
// mean "not now", through a script that returns them as errors.
func TestRedisServerErrorsClassified(t *testing.T) {
	db := newDB(t, randomPrefix())
	for _, c := range []struct {
		reply           string
		wantUnavailable bool
	}{
		{"LOADING Redis is loading the dataset in memory", true},
		{"READONLY You can't write against a read only replica.", true},
		{"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", true},
		{"CLUSTERDOWN The cluster is down", true},
		{"TRYAGAIN Multiple keys request during rehashing of slot", true},
		{"ERR max number of clients reached", true},
		{"WRONGTYPE Operation against a key holding the wrong kind of value", false},
		{"NOPERM this user has no permissions", false},
	} {
		t.Run(strings.Fields(c.reply)[0], func(t *testing.T) {
			raw := db.rdb.Eval(t.Context(), "return redis.error_reply(ARGV[1])", nil, c.reply).Err()
			if raw == nil {
				t.Fatalf("script returned no error")
			}
			got := wrap("put in profiles", raw)
			if errors.Is(got, store.ErrUnavailable) != c.wantUnavailable {
				t.Errorf("reply %q: errors.Is(%v, ErrUnavailable) = %t, want %t", c.reply, got, !c.wantUnavailable, c.wantUnavailable)
			}
			if errors.Is(got, store.ErrNotFound) || errors.Is(got, store.ErrConflict) {
				t.Errorf("reply %q: got %v, want no not-found or conflict", c.reply, got)
			}
		})
	}
}

// TestRedisClosed checks that a closed store reports unavailability and
// that no error message repeats a token or document ID.
func TestRedisClosed(t *testing.T) {
	db := newDB(t, randomPrefix())
	ctx := t.Context()
	const secret = "pre-authorized-code-s3cr3t"
	if err := db.PutToken(ctx, "code", secret, []byte("v"), time.Minute); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	if err := db.Create(ctx, "credentials", secret, []byte("v")); err != nil {
		t.Fatalf("Create: %v", err)
	}
	errs := map[string]error{
		"PutToken conflict": db.PutToken(ctx, "code", secret, []byte("v"), time.Minute),
		"Create conflict":   db.Create(ctx, "credentials", secret, []byte("v")),
	}
	_, errs["GetToken missing"] = db.GetToken(ctx, "code", secret+"-other")
	_, errs["Get missing"] = db.Get(ctx, "credentials", secret+"-other")

	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	closed := map[string]error{
		"Ping": db.Ping(ctx),
		"Put":  db.Put(ctx, "credentials", secret, []byte("v")),
	}
	_, closed["GetToken"] = db.GetToken(ctx, "code", secret)
	_, closed["TakeToken"] = db.TakeToken(ctx, "code", secret)
	_, closed["Get"] = db.Get(ctx, "credentials", secret)
	_, closed["List"] = db.List(ctx, "credentials", secret, 10)
	_, closed["Next"] = db.Next(ctx, "credentials")
	for op, err := range closed {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s after Close: got %v, want ErrUnavailable", op, err)
		}
		errs[op+" after Close"] = err
	}
	for op, err := range errs {
		if err == nil {
			t.Errorf("%s: got nil error", op)
			continue
		}
		for _, leak := range []string{secret, enc(secret)} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: error %q contains the ID", op, err)
			}
		}
	}
}

// crc16 is CRC-16/XMODEM, the checksum Redis Cluster uses for key slots.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// hashTag returns the part of key Redis Cluster hashes: the text between
// the first '{' and the next '}', if that is not empty, else the whole key.
func hashTag(key string) string {
	if s := strings.IndexByte(key, '{'); s >= 0 {
		if e := strings.IndexByte(key[s+1:], '}'); e > 0 {
			return key[s+1 : s+1+e]
		}
	}
	return key
}

func keySlot(key string) int {
	return int(crc16(hashTag(key)) % 16384)
}

func TestRedisKeysStayInOneSlot(t *testing.T) {
	// The slot function against the vectors of the Redis Cluster
	// specification and go-redis's own tests.
	if got := crc16("123456789"); got != 0x31C3 {
		t.Fatalf("crc16(123456789) = %#x, want 0x31c3", got)
	}
	for key, want := range map[string]int{"123456789": 12739, "{}foo": 9500, "foo{}": 5542, "foo{}{bar}": 8363} {
		if got := keySlot(key); got != want {
			t.Errorf("keySlot(%q) = %d, want %d", key, got, want)
		}
	}
	if keySlot("{user1000}.following") != keySlot("{user1000}.followers") {
		t.Errorf("keys with the same hash tag got different slots")
	}

	db := &DB{prefix: "accolade-test-slots"}
	seen := map[string]string{}
	for _, name := range []string{"credentials", "profiles", "a:b", "{x}", "}{", "a}b{c", "{", "é", strings.Repeat("long", 64)} {
		keys := db.docKeys(name)
		if len(keys) != 2 {
			t.Fatalf("docKeys(%q) returned %d keys, want 2", name, len(keys))
		}
		wantTag := db.prefix + ":d:" + enc(name)
		for _, k := range keys {
			if got := hashTag(k); got != wantTag {
				t.Errorf("hash tag of %q for collection %q: got %q, want %q", k, name, got, wantTag)
			}
		}
		if s0, s1 := keySlot(keys[0]), keySlot(keys[1]); s0 != s1 {
			t.Errorf("collection %q: keys %q and %q hash to slots %d and %d", name, keys[0], keys[1], s0, s1)
		}
		if other, dup := seen[keys[0]]; dup {
			t.Errorf("collections %q and %q share the key %q", other, name, keys[0])
		}
		seen[keys[0]] = name
	}
}

// TestRedisPrefixIsolation uses two prefixes where one starts with the
// other, the case most likely to leak through a careless key pattern.
func TestRedisPrefixIsolation(t *testing.T) {
	ctx := t.Context()
	pa := randomPrefix()
	pb := pa + "x"
	a, b := newDB(t, pa), newDB(t, pb)

	for _, s := range []struct {
		db *DB
		v  string
	}{{a, "in-a"}, {b, "in-b"}} {
		if err := s.db.Create(ctx, "profiles", "p1", []byte(s.v)); err != nil {
			t.Fatalf("Create %s: %v", s.v, err)
		}
		if err := s.db.PutToken(ctx, "nonce", "n1", []byte(s.v), time.Minute); err != nil {
			t.Fatalf("PutToken %s: %v", s.v, err)
		}
		if n, err := s.db.Next(ctx, "credentials"); err != nil || n != 1 {
			t.Fatalf("Next %s: got (%d, %v), want (1, nil)", s.v, n, err)
		}
	}
	if err := a.Delete(ctx, "profiles", "p1"); err != nil {
		t.Fatalf("Delete in a: %v", err)
	}
	if _, err := a.TakeToken(ctx, "nonce", "n1"); err != nil {
		t.Fatalf("TakeToken in a: %v", err)
	}
	if got, err := b.Get(ctx, "profiles", "p1"); err != nil || string(got) != "in-b" {
		t.Errorf("Get in b after Delete in a: got (%q, %v), want (in-b, nil)", got, err)
	}
	if got, err := b.GetToken(ctx, "nonce", "n1"); err != nil || string(got) != "in-b" {
		t.Errorf("GetToken in b after TakeToken in a: got (%q, %v), want (in-b, nil)", got, err)
	}
	if n, err := b.Count(ctx, "profiles"); err != nil || n != 1 {
		t.Errorf("Count in b: got (%d, %v), want (1, nil)", n, err)
	}
	if n, err := a.Count(ctx, "profiles"); err != nil || n != 0 {
		t.Errorf("Count in a: got (%d, %v), want (0, nil)", n, err)
	}

	// The cleanup helper deletes a's keys and none of b's.
	if err := deletePrefix(ctx, testURL(t), pa); err != nil {
		t.Fatalf("deletePrefix: %v", err)
	}
	if n := countKeys(t, pa); n != 0 {
		t.Errorf("%d keys left under %s after deletePrefix", n, pa)
	}
	if got, err := b.Get(ctx, "profiles", "p1"); err != nil || string(got) != "in-b" {
		t.Errorf("Get in b after deleting a's keys: got (%q, %v), want (in-b, nil)", got, err)
	}
	if n, err := b.Next(ctx, "credentials"); err != nil || n != 2 {
		t.Errorf("Next in b after deleting a's keys: got (%d, %v), want (2, nil)", n, err)
	}
}

// TestRedisListPageCap checks that a page stops at maxLimit and that Next
// then continues the listing.
func TestRedisListPageCap(t *testing.T) {
	db := newDB(t, randomPrefix())
	ctx := t.Context()
	const n = maxLimit + 5
	pipe := db.rdb.Pipeline()
	for i := range n {
		putScript.Run(ctx, pipe, db.docKeys("big"), fmt.Sprintf("id-%05d", i), "v")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("fill: %v", err)
	}
	p, err := db.List(ctx, "big", "", math.MaxInt)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(p.Records) != maxLimit || p.Next != fmt.Sprintf("id-%05d", maxLimit-1) {
		t.Fatalf("first page: got %d records, Next %q; want %d, %q", len(p.Records), p.Next, maxLimit, fmt.Sprintf("id-%05d", maxLimit-1))
	}
	p, err = db.List(ctx, "big", p.Next, math.MaxInt)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(p.Records) != 5 || p.Next != "" {
		t.Errorf("second page: got %d records, Next %q; want 5, \"\"", len(p.Records), p.Next)
	}
}

func TestRedisCeilMillis(t *testing.T) {
	for _, c := range []struct{ in, want time.Duration }{
		{time.Nanosecond, time.Millisecond},
		{time.Millisecond, time.Millisecond},
		{1500 * time.Microsecond, 2 * time.Millisecond},
		{time.Hour, time.Hour},
		{time.Hour + 1, time.Hour + time.Millisecond},
		{math.MaxInt64, math.MaxInt64},
	} {
		if got := ceilMillis(c.in); got != c.want {
			t.Errorf("ceilMillis(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

// BenchmarkRedisStore runs the shared document, token and batch benchmarks
// (storetest.BenchStore) on the test Redis, each under a fresh prefix.
func BenchmarkRedisStore(b *testing.B) {
	storetest.BenchStore(b, func(b *testing.B) store.Store { return newDB(b, randomPrefix()) })
}

// TestRedisExport runs the export and import conformance subtests.
func TestRedisExport(t *testing.T) {
	storetest.RunExport(t, func(t *testing.T) store.Store { return newDB(t, randomPrefix()) })
}
