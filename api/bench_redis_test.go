package api

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/store/redis"
	goredis "github.com/redis/go-redis/v9"
)

// deleteRedisPrefix removes every key of a test prefix.
func deleteRedisPrefix(tb testing.TB, url, prefix string) {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		tb.Error(err)
		return
	}
	c := goredis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	}
}

// redisFixture runs the API on the test Redis under a fresh key prefix.
func redisFixture(b *testing.B) *fixture {
	b.Helper()
	url := sharedtest.Redis(b)
	prefix := "accolade-test-" + strings.ToLower(rand.Text()[:10])
	db, err := redis.Open(context.Background(), url, redis.Options{Prefix: prefix})
	if err != nil {
		b.Fatalf("Redis at %s: %v", url, err)
	}
	b.Cleanup(func() {
		db.Close()
		deleteRedisPrefix(b, url, prefix)
	})
	return newFixtureOn(b, db, "https://badges.example.org", nil)
}

func BenchmarkIssueHTTPRedisDI(b *testing.B)  { benchmarkIssueOn(b, redisFixture(b), "ldp_vc") }
func BenchmarkIssueHTTPRedisJWT(b *testing.B) { benchmarkIssueOn(b, redisFixture(b), "jwt_vc") }
