package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

// begin checks ctx and the names an operation is given. Every method calls
// it before sending anything, so a cancelled call has no effect.
func begin(ctx context.Context, op string, names ...string) error {
	if err := store.CheckCall(ctx, names...); err != nil {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	return nil
}

// wrap names the operation in err and maps driver errors to the store
// sentinels: redis.Nil becomes store.ErrNotFound, and anything unavailable
// reports becomes store.ErrUnavailable with the cause still wrapped. op
// must never contain a token ID.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, goredis.Nil):
		return fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	case unavailable(err):
		return fmt.Errorf("redis: %s: %w: %w", op, store.ErrUnavailable, err)
	default:
		return fmt.Errorf("redis: %s: %w", op, err)
	}
}

// unavailable reports whether err means that Redis could not be reached or
// could not serve the command right now, as opposed to a reply the caller
// should branch on or a bug. A caller's own cancellation is not
// unavailability; a deadline that ran out while waiting for Redis is.
//
// After a timeout on a write the command may still have been applied: the
// reply, not the request, may be what was lost.
func unavailable(err error) bool {
	if err == nil || errors.Is(err, goredis.Nil) || errors.Is(err, context.Canceled) {
		return false
	}
	for _, target := range []error{
		context.DeadlineExceeded,
		goredis.ErrClosed,        // Close was called
		goredis.ErrPoolTimeout,   // no connection free within PoolTimeout
		goredis.ErrPoolExhausted, // MaxActiveConns reached
		io.EOF,                   // server closed the connection
		io.ErrUnexpectedEOF,
		net.ErrClosed,
		syscall.ECONNREFUSED,
		syscall.ECONNRESET,
		syscall.ECONNABORTED,
		syscall.EPIPE,
		syscall.EHOSTUNREACH,
		syscall.ENETUNREACH,
		syscall.ETIMEDOUT,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	// Dial, DNS, read and write failures, including timeouts.
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	// Server replies that mean "not now": loading the dataset, a replica
	// after failover, a cluster or master that is down, a slot in
	// migration, too many clients.
	return goredis.IsLoadingError(err) ||
		goredis.IsReadOnlyError(err) ||
		goredis.IsClusterDownError(err) ||
		goredis.IsMasterDownError(err) ||
		goredis.IsTryAgainError(err) ||
		goredis.IsMaxClientsError(err)
}
