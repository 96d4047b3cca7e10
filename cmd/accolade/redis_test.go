package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// testRedisURL is $ACCOLADE_TEST_REDIS_URL. Tests that use it call
// redisPrefix (or benchPrefix) first, which stops them through
// sharedtest.Redis when no Redis answers there.
func testRedisURL() string {
	return os.Getenv(sharedtest.EnvRedis)
}

// redisPrefix returns a fresh key prefix and deletes its keys when the test
// ends; without a Redis to use, sharedtest.Redis stops the test.
func redisPrefix(t *testing.T) string {
	t.Helper()
	sharedtest.Redis(t)
	prefix := "accolade-test-" + strings.ToLower(rand.Text()[:12])
	opts, err := goredis.ParseURL(testRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	client := goredis.NewClient(opts)
	t.Cleanup(func() {
		defer client.Close()
		ctx := context.Background()
		for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
			iter := client.Scan(ctx, 0, pattern, 500).Iterator()
			for iter.Next(ctx) {
				client.Del(ctx, iter.Val())
			}
		}
	})
	return prefix
}

func TestServeRedisStoreKeepsIdentityAcrossRestart(t *testing.T) {
	prefix := redisPrefix(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{"ACCOLADE_STORE": testRedisURL(), "ACCOLADE_REDIS_PREFIX": prefix, "ACCOLADE_ADMIN_TOKEN": "redis-test-admin-token-123"}
	s := startServe(t, dataDir, vars)
	var first map[string]any
	if code, _ := getJSON(t, s.base+"/api/v1/issuer", "redis-test-admin-token-123", &first); code != 200 {
		t.Fatalf("issuer: %d", code)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "accolade.db")); err == nil {
		t.Error("a bolt file was created although the store is Redis")
	}
	s.stop(t)
	vars["ACCOLADE_ADDR"] = strings.TrimPrefix(s.base, "http://")
	s2 := startServe(t, dataDir, vars)
	var second map[string]any
	getJSON(t, s2.base+"/api/v1/issuer", "redis-test-admin-token-123", &second)
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("identity changed across restart on Redis:\n%v\n%v", first, second)
	}
}
