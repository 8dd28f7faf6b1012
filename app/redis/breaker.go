package redis

import (
	"sync"
	"time"
)

// breaker is a circuit breaker: after threshold consecutive failures it opens, and the cache
// is skipped (no request waits on it) for coolOff; then one background probe checks the server
// (half-open) and either closes the breaker or opens it for another coolOff.
type breaker struct {
	threshold int
	coolOff   time.Duration
	now       func() time.Time
	probe     func() // run in its own goroutine when the cool-off has passed

	mu       sync.Mutex
	state    state
	failures int
	openedAt time.Time
}

type state int

const (
	closed state = iota
	open
	probing // half-open: the probe is running; requests still skip the cache
)

// allow reports whether a request may use the cache now. An open breaker whose cool-off has
// passed starts the probe and still answers false: requests never wait for it.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case closed:
		return true
	case open:
		if b.now().Sub(b.openedAt) >= b.coolOff {
			b.state = probing
			go b.probe()
		}
	}
	return false
}

// success resets the failure count of a closed breaker.
func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == closed {
		b.failures = 0
	}
}

// failure counts a failed call and reports whether it opened the breaker.
func (b *breaker) failure() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state != closed {
		return false
	}
	b.failures++
	if b.failures < b.threshold {
		return false
	}
	b.state, b.openedAt = open, b.now()
	return true
}

// trip opens a closed breaker now.
func (b *breaker) trip() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == closed {
		b.state, b.openedAt = open, b.now()
	}
}

// probed ends the half-open state: closed when the probe succeeded, open again otherwise.
func (b *breaker) probed(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
	if ok {
		b.state = closed
	} else {
		b.state, b.openedAt = open, b.now()
	}
}

func (b *breaker) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state == closed
}
