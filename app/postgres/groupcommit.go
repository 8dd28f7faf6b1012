package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/shopstack/shopstack/app/shop"
)

// Defaults and bounds of group commit (see WithGroupCommit).
const (
	DefaultGroupWindow   = time.Millisecond
	MaxGroupWindow       = 50 * time.Millisecond
	DefaultGroupMaxBatch = 128
	MaxGroupMaxBatch     = 1000
)

// GroupCommit configures the grouping of concurrent orders for the same product into one
// transaction.
type GroupCommit struct {
	// Off places every order in a transaction of its own (the path before group commit).
	Off bool
	// Window is how long a group's leader waits for more orders, when the previous group of its
	// product had more than one order (a hot product), before it takes the orders waiting. A
	// lone buyer never waits. 0 takes what is waiting at once. Default DefaultGroupWindow.
	Window time.Duration
	// MaxBatch caps the orders of one group transaction. Default DefaultGroupMaxBatch.
	MaxBatch int
}

// WithGroupCommit sets how orders are grouped. Default: on, DefaultGroupWindow,
// DefaultGroupMaxBatch; out-of-range values keep the defaults (cmd/shop validates them first).
func WithGroupCommit(g GroupCommit) Option {
	return func(s *Store) {
		if g.Off {
			s.group = nil
			return
		}
		if g.Window >= 0 && g.Window <= MaxGroupWindow {
			s.group.window = g.Window
		}
		if g.MaxBatch >= 1 && g.MaxBatch <= MaxGroupMaxBatch {
			s.group.maxBatch = g.MaxBatch
		}
	}
}

// WithSoldOutFastPath turns the in-process sold-out set (soldout.go) on or off. Default on.
func WithSoldOutFastPath(on bool) Option {
	return func(s *Store) {
		if !on {
			s.soldOut = nil
		} else if s.soldOut == nil {
			s.soldOut = newSoldOut()
		}
	}
}

// pendingOrder is one PlaceOrder call waiting in a group.
type pendingOrder struct {
	userID, key string
	req         shop.OrderRequest
	render      func(shop.Order) ([]byte, error)

	// Set by the leader, under the batcher's lock, when the order joins a group transaction;
	// from then on the order is answered, whatever happens to its own request's context.
	taken bool
	wake  chan struct{} // closed when lead, res/err or fallback is set
	lead  bool          // this order's goroutine runs the next group
	// fallback asks the order's own goroutine to place it in a transaction of its own: the
	// group transaction failed for a reason other than stock.
	fallback bool
	res      shop.IdempotentResult
	err      error
	woken    bool // wake is closed: a leader's order was woken to lead, then is answered
}

// signal wakes o's goroutine, once.
func (o *pendingOrder) signal() {
	if !o.woken {
		o.woken = true
		close(o.wake)
	}
}

// answer settles o and wakes its goroutine.
func (o *pendingOrder) answer(res shop.IdempotentResult, err error) {
	o.res, o.err = res, err
	o.signal()
}

// productQueue holds the orders waiting for one lead product (an order's lowest product id, its
// first lock). busy while a leader is collecting or running a group.
type productQueue struct {
	pending   []*pendingOrder
	busy      bool
	lastBatch int
	full      chan struct{} // closed when pending reaches maxBatch while a leader waits
}

// batcher groups PlaceOrder calls by lead product. The first caller for an idle product leads
// at once; callers arriving while its group runs queue up, and when it ends, the first of them
// leads the next group with all that queued (up to maxBatch). So a lone buyer goes straight
// through and a hot product's groups grow with its queue, without a timer on the way.
type batcher struct {
	window   time.Duration
	maxBatch int

	mu     sync.Mutex
	queues map[string]*productQueue
}

func newBatcher() *batcher {
	return &batcher{window: DefaultGroupWindow, maxBatch: DefaultGroupMaxBatch, queues: make(map[string]*productQueue)}
}

// submit queues o and returns its queue and whether o's goroutine leads now.
func (b *batcher) submit(o *pendingOrder) (*productQueue, string, bool) {
	lead := o.req.Lines[0].ProductID
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queues[lead]
	if q == nil {
		q = &productQueue{}
		b.queues[lead] = q
	}
	q.pending = append(q.pending, o)
	if q.full != nil && len(q.pending) >= b.maxBatch {
		close(q.full)
		q.full = nil
	}
	if q.busy {
		return q, lead, false
	}
	q.busy = true
	return q, lead, true
}

// withdraw takes o out of its queue if no group has taken it yet, for a request whose context
// ended while it waited. It reports whether it did.
func (b *batcher) withdraw(q *productQueue, o *pendingOrder) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o.taken || o.lead {
		return false
	}
	for i, p := range q.pending {
		if p == o {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			return true
		}
	}
	return false
}

// take waits, for a hot product, up to the window for the group to fill, then takes up to
// maxBatch waiting orders, oldest first.
func (b *batcher) take(q *productQueue) []*pendingOrder {
	b.mu.Lock()
	if b.window > 0 && q.lastBatch > 1 && len(q.pending) < b.maxBatch {
		full := make(chan struct{})
		q.full = full
		b.mu.Unlock()
		t := time.NewTimer(b.window)
		select {
		case <-full:
		case <-t.C:
		}
		t.Stop()
		b.mu.Lock()
		q.full = nil
	}
	defer b.mu.Unlock()
	n := min(len(q.pending), b.maxBatch)
	group := make([]*pendingOrder, n)
	copy(group, q.pending[:n])
	q.pending = append(q.pending[:0:0], q.pending[n:]...)
	for _, o := range group {
		o.taken = true
	}
	q.lastBatch = n
	return group
}

// handOff passes the lead to the oldest waiting order, or marks the queue idle. An idle queue
// is forgotten unless its product was hot, so its window survives between bursts.
func (b *batcher) handOff(q *productQueue, lead string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(q.pending) > 0 {
		next := q.pending[0]
		next.lead = true
		next.signal()
		return
	}
	q.busy = false
	if q.lastBatch <= 1 {
		delete(b.queues, lead)
	}
}

// placeGrouped runs o through the batcher: it either leads a group (and so answers its own
// order with the others) or waits to be answered, to lead, or to fall back.
func (s *Store) placeGrouped(ctx context.Context, o *pendingOrder) (shop.IdempotentResult, error) {
	o.wake = make(chan struct{})
	q, lead, leading := s.group.submit(o)
	if !leading {
		select {
		case <-o.wake:
		case <-ctx.Done():
			if s.group.withdraw(q, o) {
				return shop.IdempotentResult{}, mapError("place order", ctx.Err())
			}
			<-o.wake
		}
	}
	if leading || o.lead {
		s.runGroup(ctx, q, lead)
	}
	if o.fallback {
		return s.placeOrderSingle(ctx, o.userID, o.key, o.req, o.render)
	}
	return o.res, o.err
}

// runGroup takes the waiting orders and places them: one order alone in the transaction of
// today's path (no added cost at one buyer), two or more in one group transaction; then it
// hands the lead on. The leader's own order is the first of the group (it was the oldest
// waiting), and the queue stays busy until the hand-off, so the orders arriving meanwhile
// gather for the next group.
//
// A group hands the lead on as soon as it holds its product rows, not after its commit: the next
// group then sends its claims and its locked read at once, and PostgreSQL hands it the rows the
// moment this group commits, without waiting for this process to be scheduled in between. Its
// read sees this group's decrements, so first come, first served holds across groups too.
func (s *Store) runGroup(ctx context.Context, q *productQueue, lead string) {
	group := s.group.take(q)
	var once sync.Once
	handOff := func() { once.Do(func() { s.group.handOff(q, lead) }) }
	defer handOff()
	if len(group) == 1 {
		s.stats.singles.Add(1)
		o := group[0]
		o.res, o.err = s.placeOrderSingle(ctx, o.userID, o.key, o.req, o.render)
		return
	}
	s.placeGroup(ctx, group, handOff)
}
