// Package hashtest wraps a shop.PasswordHasher for tests: it counts the hashes and checks that
// run through it, how many run at once, and can hold them until the test lets them finish, so a
// test can look at the service while a known number of them are in flight.
package hashtest

import (
	"sync"
	"time"

	"github.com/shopstack/shopstack/app/shop"
)

// Hasher is a counting, holdable shop.PasswordHasher around another one.
type Hasher struct {
	inner shop.PasswordHasher

	mu                  sync.Mutex
	hashes, checks      int
	inFlight, maxFlight int
	gate                chan struct{} // non-nil while held
}

// New wraps inner (usually shop.Argon2id{}).
func New(inner shop.PasswordHasher) *Hasher { return &Hasher{inner: inner} }

// Hash counts and runs the inner Hash, after waiting while the hasher is held.
func (h *Hasher) Hash(password string) (string, error) {
	defer h.enter(&h.hashes)()
	return h.inner.Hash(password)
}

// Check counts and runs the inner Check, after waiting while the hasher is held.
func (h *Hasher) Check(encoded, password string) bool {
	defer h.enter(&h.checks)()
	return h.inner.Check(encoded, password)
}

// enter counts a call as in flight (a held call is in flight: it holds its slot of the
// bound), waits for the gate, and returns the function that ends the call.
func (h *Hasher) enter(counter *int) func() {
	h.mu.Lock()
	*counter++
	h.inFlight++
	h.maxFlight = max(h.maxFlight, h.inFlight)
	gate := h.gate
	h.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return func() {
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
	}
}

// Hold makes every call from now on wait until Release.
func (h *Hasher) Hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gate == nil {
		h.gate = make(chan struct{})
	}
}

// Release lets the held calls, and every later one, run.
func (h *Hasher) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gate != nil {
		close(h.gate)
		h.gate = nil
	}
}

// Stats returns the calls so far and the most that were in flight at once.
func (h *Hasher) Stats() (hashes, checks, maxInFlight int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hashes, h.checks, h.maxFlight
}

// InFlight returns the calls running or held now.
func (h *Hasher) InFlight() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.inFlight
}

// WaitFor polls until cond holds or timeout passes, and reports whether it held.
func WaitFor(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
