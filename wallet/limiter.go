package wallet

import (
	"sync"
	"time"
)

// limiter is a keyed token bucket: each key holds up to burst tokens,
// refilled one per interval; an attempt takes one. It is per process: with
// several nodes, each allows its own share.
type limiter struct {
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

// newLimiter allows n attempts per window per key; n <= 0 allows all.
func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	if n <= 0 {
		return nil
	}
	return &limiter{burst: float64(n), interval: window / time.Duration(n), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says how long until one is available.
func (l *limiter) allow(key string) (bool, time.Duration) {
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
func (l *limiter) sweep(now time.Time) {
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
