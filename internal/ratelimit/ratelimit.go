package ratelimit

import (
	"sync"
	"time"
)

// Limiter is a keyed token bucket: each key holds up to burst tokens,
// refilled one per interval; an attempt takes one. A nil *Limiter allows
// everything. It is safe for concurrent use.
type Limiter struct {
	burst    float64
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the memory of a limiter under a flood of distinct keys;
// full (idle) buckets are dropped first.
const maxBuckets = 100_000

// New allows n attempts per window per key, measured with now (nil means
// time.Now); n <= 0 returns nil, which allows all.
func New(n int, window time.Duration, now func() time.Time) *Limiter {
	if n <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{burst: float64(n), interval: window / time.Duration(n), now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token for key, or says how long until one is available (at
// least a second). An empty key is always allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || key == "" {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.refill(now, l.burst, l.interval)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(l.interval))
	return false, max(wait, time.Second)
}

func (b *bucket) refill(now time.Time, burst float64, interval time.Duration) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(burst, b.tokens+float64(d)/float64(interval))
		b.at = now
	}
}

// sweep drops full buckets, and if none is full, all of them: losing a
// count under a flood is better than unbounded memory.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now, l.burst, l.interval)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
