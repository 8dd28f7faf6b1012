package postgres

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopstack/shopstack/app/shop"
)

// stockChannel is the LISTEN/NOTIFY channel the products trigger (migration stock_notify)
// signals on when a product's stock goes from 0 to more: a restock, a cancellation, an admin
// adjustment, on any instance.
const stockChannel = "shop_stock"

// soldOut is this instance's set of product ids known to have no stock, so that a flash sale's
// late buyers are refused without a write transaction on the hot row. It is only trusted while
// the listener is connected: a notification missed while it was not would leave a product
// refused after its restock, so losing the connection empties the set and stops new marks until
// LISTEN is back (and empties it again, for what was missed in between).
//
// epoch closes the race between a transaction that read stock 0 and a restock committed after
// that read: a writer takes the epoch before its transaction and marks only if no notification
// (nor reconnection) arrived since, so a reopening is never overwritten by an older read.
type soldOut struct {
	mu        sync.Mutex
	ids       map[string]struct{}
	epoch     uint64
	listening bool
}

func newSoldOut() *soldOut { return &soldOut{ids: make(map[string]struct{})} }

// begin returns the epoch a writer passes to mark after its transaction.
func (s *soldOut) begin() uint64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

// mark records that the products ids had no stock left, as read by a transaction that began at
// epoch.
func (s *soldOut) mark(epoch uint64, ids ...string) {
	if s == nil || len(ids) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listening || s.epoch != epoch {
		return
	}
	for _, id := range ids {
		s.ids[id] = struct{}{}
	}
}

// reopen forgets one product (a notification) or, with id "", every product (a reconnection).
func (s *soldOut) reopen(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	if id == "" {
		clear(s.ids)
		return
	}
	delete(s.ids, id)
}

// setListening empties the set and says whether marks can be trusted from now on.
func (s *soldOut) setListening(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	clear(s.ids)
	s.listening = on
}

// soldOutLines returns the ids among ids known to be sold out.
func (s *soldOut) soldOutLines(ids []string) []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ids) == 0 {
		return nil
	}
	var out []string
	for _, id := range ids {
		if _, ok := s.ids[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// listen keeps one connection of its own (taken from the pool and hijacked, so it has the
// pool's credentials but does not count against it) LISTENing on stockChannel until ctx ends,
// reconnecting with a backoff from 100 ms to 5 s. Losing it costs speed, not correctness, and a
// database outage is already logged once at WARN by the API (outage.go): so the loss is INFO,
// once, and the failed reconnections DEBUG.
func (s *soldOut) listen(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	backoff := 100 * time.Millisecond
	for connected := true; ctx.Err() == nil; {
		start := time.Now()
		err := s.listenOnce(ctx, pool, func() {
			if !connected {
				log.Info("sold-out listener connected again; sold-out fast path on")
			}
			connected = true
		})
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 10*time.Second {
			backoff = 100 * time.Millisecond
		}
		level := slog.LevelDebug
		if connected {
			level = slog.LevelInfo
		}
		connected = false
		log.Log(ctx, level, "sold-out listener has no connection; sold-out fast path off until it is back", "err", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *soldOut) listenOnce(ctx context.Context, pool *pgxpool.Pool, listening func()) error {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer func() {
		s.setListening(false)
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{stockChannel}.Sanitize()); err != nil {
		return err
	}
	s.setListening(true)
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		s.reopen(n.Payload)
	}
}

// markSoldOut records the products that err, a refusal, found with no stock at all.
func (s *Store) markSoldOut(epoch uint64, err error) {
	var se *shop.Error
	if s.soldOut == nil || !errors.As(err, &se) || se.Code != shop.CodeInsufficientStock {
		return
	}
	short, _ := se.Details.([]shop.Shortfall)
	var ids []string
	for _, l := range short {
		if l.Available == 0 {
			ids = append(ids, l.ProductID)
		}
	}
	s.soldOut.mark(epoch, ids...)
}

// liveKeySQL reads a key's stored response, if the key is live (see claimKeySQL).
const liveKeySQL = `
	SELECT request_hash, status_code, response_body FROM idempotency_keys
	WHERE user_id = $1 AND key = $2 AND created_at >= now() - $3::interval`

// refuseSoldOut answers an order naming sold-out products with one indexed read and no write:
// the key's stored response if it has one (a retry of an order placed before the sale ended
// is replayed, not refused), else 409 insufficient_stock for the sold-out lines, with what they
// asked for and available 0, the shape of every other refusal.
func (s *Store) refuseSoldOut(ctx context.Context, userID, key string, req shop.OrderRequest,
	ids []string) (shop.IdempotentResult, error) {
	var hash string
	var status *int
	var body []byte
	err := s.pool.QueryRow(ctx, liveKeySQL, userID, key, IdempotencyTTL).Scan(&hash, &status, &body)
	switch {
	case err == nil && status != nil:
		if hash != req.Fingerprint() {
			return shop.IdempotentResult{}, shop.Errorf(shop.CodeIdempotencyKeyReused,
				"this Idempotency-Key was already used for a different order; use a new key for a new order")
		}
		return shop.IdempotentResult{Status: *status, Body: body, Replay: true}, nil
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return shop.IdempotentResult{}, mapError("place order: read idempotency key", err)
	}
	s.stats.soldOut.Add(1)
	short := make([]shop.Shortfall, 0, len(ids))
	for _, l := range req.Lines {
		if slices.Contains(ids, l.ProductID) {
			short = append(short, shop.Shortfall{ProductID: l.ProductID, Requested: l.Quantity, Available: 0})
		}
	}
	return shop.IdempotentResult{}, &shop.Error{Code: shop.CodeInsufficientStock,
		Message: "not enough stock for every line; nothing was ordered", Details: short}
}
