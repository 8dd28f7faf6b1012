package shop

import (
	"context"
	"fmt"
	"time"
)

// PasswordHasher computes and verifies password hashes. Argon2id is the service's; tests wrap
// it to watch how many run at once.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Check(encoded, password string) bool
}

// Argon2id is the PasswordHasher of HashPassword and CheckPassword.
type Argon2id struct{}

// Hash implements PasswordHasher with HashPassword.
func (Argon2id) Hash(password string) (string, error) { return HashPassword(password) }

// Check implements PasswordHasher with CheckPassword.
func (Argon2id) Check(encoded, password string) bool { return CheckPassword(encoded, password) }

// HashMemory is the memory one argon2id hash or check holds while it runs (19 MiB).
const HashMemory = argonMemory * 1024

// DefaultHashWait is how long a request waits for a hashing slot before it is answered
// CodeBusy: long enough to ride out a burst of logins, short enough that a flood of
// registrations is turned away before its requests pile up.
const DefaultHashWait = 2 * time.Second

// busyRetryAfter is the Retry-After of CodeBusy: a slot frees every few tens of milliseconds.
const busyRetryAfter = time.Second

// HashConcurrency is the default bound of a BoundedHasher: as many hashes as fit in a quarter
// of memLimit (the rest is for the heap's other uses, the garbage collector's headroom over the
// hashes' 19 MiB each, the pool and the request buffers), and at most one per CPU but one. An
// argon2id hash with one lane is CPU-bound: more hashes than CPUs only make each slower while it
// holds its memory longer, and hashes on every CPU leave the health check and every other
// request waiting for a core (measured in app/bench: with 2 CPUs, a bound of 2 put the health
// check's median at 30 to 40 ms during a registration burst, a bound of 1 kept it under 1 ms).
// A memLimit of 0 means unknown. The bound is at least 1.
func HashConcurrency(memLimit uint64, cpus int) int {
	n := max(cpus-1, 1)
	if memLimit == 0 {
		return n
	}
	fits := memLimit / 4 / HashMemory
	for n > 1 && uint64(n) > fits {
		n--
	}
	return n
}

// BoundedHasher runs a PasswordHasher at most Limit() at a time, so that concurrent logins and
// registrations cannot hold more memory than the bound allows. A request that finds every slot
// taken waits up to its wait, then fails with CodeBusy (503 with Retry-After).
type BoundedHasher struct {
	hasher PasswordHasher
	slots  chan struct{}
	wait   time.Duration
}

// NewBoundedHasher bounds h to limit (at least 1) concurrent hashes and checks; a request
// waits at most wait for a slot.
func NewBoundedHasher(h PasswordHasher, limit int, wait time.Duration) *BoundedHasher {
	return &BoundedHasher{hasher: h, slots: make(chan struct{}, max(limit, 1)), wait: wait}
}

// Limit is the number of hashes and checks that may run at once.
func (b *BoundedHasher) Limit() int { return cap(b.slots) }

// Hash hashes password in a slot.
func (b *BoundedHasher) Hash(ctx context.Context, password string) (string, error) {
	if err := b.acquire(ctx); err != nil {
		return "", err
	}
	defer b.release()
	return b.hasher.Hash(password)
}

// Check verifies password against encoded in a slot.
func (b *BoundedHasher) Check(ctx context.Context, encoded, password string) (bool, error) {
	if err := b.acquire(ctx); err != nil {
		return false, err
	}
	defer b.release()
	return b.hasher.Check(encoded, password), nil
}

func (b *BoundedHasher) acquire(ctx context.Context) error {
	select {
	case b.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case b.slots <- struct{}{}:
		return nil
	case <-t.C:
		return &Error{Code: CodeBusy, Message: "the server is busy; try again in a moment", RetryAfter: busyRetryAfter}
	case <-ctx.Done():
		return fmt.Errorf("wait for a password hashing slot: %w", ctx.Err())
	}
}

func (b *BoundedHasher) release() { <-b.slots }
