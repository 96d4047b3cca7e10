package redis

import (
	"testing"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/storetest"
)

func TestRedisTransitionConformance(t *testing.T) {
	testURL(t)
	storetest.RunTransitions(t, func(t *testing.T) store.Store {
		return newDB(t, randomPrefix())
	})
}
