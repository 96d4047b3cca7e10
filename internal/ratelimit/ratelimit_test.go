package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait < time.Second || wait > 20*time.Second {
		t.Fatalf("fourth attempt: %v, wait %v", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key is limited")
	}
	now = now.Add(20 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("no token after one interval")
	}
	var none *Limiter
	if ok, _ := none.Allow("a"); !ok || New(0, time.Minute, nil) != nil {
		t.Error("a nil limiter limits")
	}
}
