package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopstack/shopstack/app/shop"
)

// groupTimeout bounds a group transaction. It does not end with the leader's request: the
// group answers other requests too.
const groupTimeout = 15 * time.Second

// GroupStats counts how orders were placed, for the tests and the benchmark.
type GroupStats struct {
	// Groups is the number of group transactions committed, GroupedOrders the orders they
	// answered (placed, refused or replayed).
	Groups, GroupedOrders int64
	// Singles is the number of orders that found nobody to group with and took the
	// one-order path; Fallbacks the group transactions that failed and were placed one by one.
	Singles, Fallbacks int64
	// SoldOutRefusals is the number of orders refused from the sold-out set, without a
	// transaction.
	SoldOutRefusals int64
}

type groupCounters struct {
	groups, grouped, singles, fallbacks, soldOut atomic.Int64
}

// GroupStats returns the counters since the Store was opened.
func (s *Store) GroupStats() GroupStats {
	c := &s.stats
	return GroupStats{Groups: c.groups.Load(), GroupedOrders: c.grouped.Load(), Singles: c.singles.Load(),
		Fallbacks: c.fallbacks.Load(), SoldOutRefusals: c.soldOut.Load()}
}

// groupEntry is one order of a group transaction as it is decided.
type groupEntry struct {
	o        *pendingOrder
	dup      bool // a second request with the same key in this group: it goes after the group
	claimed  bool
	number   int64   // the order's number, taken from order_number_seq with the claim
	address  *string // the order's shipping address as JSON (nil: none)
	order    shop.Order
	body     []byte
	accepted bool
	err      error // the order's refusal (stock, unknown product, currency), decided before writing
}

// placeGroup places a group of orders in one transaction (groupTx) and answers each; if that
// transaction fails for any reason, every order of the group is placed on its own instead, so
// one bad order cannot fail the others. The answers leave after the commit.
// locked is called once the group holds its rows (see runGroup).
func (s *Store) placeGroup(ctx context.Context, group []*pendingOrder, locked func()) {
	epoch := s.soldOut.begin()
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupTimeout)
	defer cancel()
	entries, soldOut, err := s.groupTx(gctx, group, locked)
	if err != nil {
		s.stats.fallbacks.Add(1)
		// A database outage is logged once, by the API (its one WARN line); each order of the group
		// meets it again on its own path and answers unavailable.
		level := slog.LevelWarn
		if unreachable(err) {
			level = slog.LevelDebug
		}
		s.log.Log(ctx, level, "group commit failed; placing its orders one by one", "orders", len(group), "err", err)
		for _, o := range group {
			o.fallback = true
			o.signal()
		}
		return
	}
	if slices.ContainsFunc(entries, func(e *groupEntry) bool { return e.accepted }) {
		s.stats.groups.Add(1) // a group that accepted nothing was rolled back (writeGroup)
	}
	s.stats.grouped.Add(int64(len(group)))
	s.soldOut.mark(epoch, soldOut...)
	for _, e := range entries {
		switch {
		case e.dup || !e.claimed:
			// A key in use (by this group or another request): the per-order path replays it.
			e.o.fallback = true
			e.o.signal()
		case e.accepted:
			e.o.answer(shop.IdempotentResult{Status: http.StatusCreated, Body: e.body}, nil)
		default:
			e.o.answer(shop.IdempotentResult{}, mapError("place order", e.err))
		}
	}
}

// groupTx is the group transaction, in two round trips like the one-order path:
//
//  1. BEGIN, claim every key in one statement, and lock the products of every order, in
//     product-id order (the order every transaction of this service locks them in), pipelined;
//  2. in Go, from that locked read: each order in arrival order takes its lines' stock if every
//     line can be served (first come, first served; all or nothing per order), else it is
//     refused with its shortfall; then one pipeline inserts the accepted orders, their lines and
//     responses, releases the refused orders' keys, decrements each product once, and commits.
//
// The rows stay locked across the round trip to this process, once for the whole group.
// soldOut is the products left with no stock.
func (s *Store) groupTx(ctx context.Context, group []*pendingOrder, locked func()) ([]*groupEntry, []string, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.releaseTx(ctx, conn)
	entries, read, err := claimGroup(ctx, conn, group)
	if err != nil {
		return nil, nil, err
	}
	locked()
	now := s.now().UTC().Truncate(time.Microsecond)
	remaining := maps.Clone(read.stock)
	for _, e := range entries {
		if e.dup || !e.claimed {
			continue
		}
		e.allocate(read, remaining, now, s.payments)
	}
	if err := writeGroup(ctx, conn, entries, now, read.stock, remaining, s.hook); err != nil {
		return nil, nil, err
	}
	var soldOut []string
	for id, n := range remaining {
		if n == 0 {
			soldOut = append(soldOut, id)
		}
	}
	return entries, soldOut, nil
}

// claimGroupSQL claims every key of the group as claimKeySQL claims one, in (user, key) order so
// that two groups claiming overlapping keys cannot deadlock.
const claimGroupSQL = `
	INSERT INTO idempotency_keys (user_id, key, request_hash)
	SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ORDER BY 1, 2
	ON CONFLICT (user_id, key) DO UPDATE
		SET request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL,
		    order_id = NULL, created_at = now()
		WHERE idempotency_keys.created_at < now() - $4::interval
	RETURNING user_id::text, key`

// claimGroup is the first round trip.
func claimGroup(ctx context.Context, conn *pgxpool.Conn, group []*pendingOrder) ([]*groupEntry, *productsRead, error) {
	entries := make([]*groupEntry, len(group))
	byKey := make(map[[2]string]*groupEntry, len(group))
	var users, keys, hashes, ids []string
	for i, o := range group {
		e := &groupEntry{o: o}
		entries[i] = e
		k := [2]string{o.userID, o.key}
		if _, ok := byKey[k]; ok {
			e.dup = true
			continue
		}
		byKey[k] = e
		users, keys, hashes = append(users, o.userID), append(keys, o.key), append(hashes, o.req.Fingerprint())
		ids = append(ids, o.req.ProductIDs()...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	read := newProductsRead(len(ids))
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(claimGroupSQL, users, keys, hashes, IdempotencyTTL).Query(func(rows pgx.Rows) error {
		var k [2]string
		_, err := pgx.ForEachRow(rows, []any{&k[0], &k[1]}, func() error {
			if e := byKey[k]; e != nil {
				e.claimed = true
			}
			return nil
		})
		return err
	})
	b.Queue(lockedProductsSQL, ids).Query(read.scan)
	// One order number per distinct key, in arrival order; a refused order's number is a gap,
	// as it is when a one-order transaction rolls back.
	b.Queue(groupNumbersSQL, len(users)).Query(func(rows pgx.Rows) error {
		var n int64
		i := 0
		_, err := pgx.ForEachRow(rows, []any{&n}, func() error {
			for i < len(entries) && entries[i].dup {
				i++
			}
			if i == len(entries) {
				return errors.New("more order numbers than orders")
			}
			entries[i].number = n
			i++
			return nil
		})
		return err
	})
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, err
	}
	return entries, read, nil
}

// allocate decides e from the locked read and what the earlier orders of the group left: it
// prices the order and takes its stock from remaining, or records in e.err why it is refused
// (stock, an unknown product, mixed currencies) or cannot be placed (its id or its response
// cannot be made). Either way it is this order's answer alone; the group goes on.
func (e *groupEntry) allocate(read *productsRead, remaining map[string]int, now time.Time, pay paymentPolicy) {
	orderID, err := newUUID()
	if err != nil {
		e.err = fmt.Errorf("place order: %w", err)
		return
	}
	var order shop.Order
	if order, e.err = read.priceLines(orderID, e.o.req); e.err != nil {
		return
	}
	order.Number = shop.OrderNumber(e.number)
	var short []shop.Shortfall
	for _, l := range e.o.req.Lines {
		if avail := remaining[l.ProductID]; avail < l.Quantity {
			short = append(short, shop.Shortfall{ProductID: l.ProductID, Requested: l.Quantity, Available: avail})
		}
	}
	if len(short) > 0 {
		e.err = &shop.Error{Code: shop.CodeInsufficientStock, Message: "not enough stock for every line; nothing was ordered", Details: short}
		return
	}
	order.CreatedAt = now
	pay.start(&order)
	if order.ShippingAddress != nil {
		a, err := json.Marshal(order.ShippingAddress)
		if err != nil {
			e.err = fmt.Errorf("place order: shipping address: %w", err)
			return
		}
		e.address = new(string(a))
	}
	if e.body, e.err = e.o.render(order); e.err != nil {
		e.err = fmt.Errorf("render order: %w", e.err)
		return
	}
	for _, l := range e.o.req.Lines {
		remaining[l.ProductID] -= l.Quantity
	}
	e.order, e.accepted = order, true
}

const (
	groupNumbersSQL = `SELECT nextval('order_number_seq') FROM generate_series(1, $1::int)`
	insertOrdersSQL = `
		INSERT INTO orders (id, user_id, status, total_cents, currency, created_at, number, shipping_address,
		                    payment_provider, expires_at)
		SELECT o.id, o.user_id, o.status, o.total, o.currency, $5, o.number, o.address::jsonb, o.provider, o.expires
		FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $6::bigint[], $7::text[], $8::text[],
		            $9::text[], $10::timestamptz[])
			AS o(id, user_id, total, currency, number, address, status, provider, expires)`
	storeResponsesSQL = `
		UPDATE idempotency_keys k SET status_code = 201, response_body = r.body, order_id = r.order_id
		FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::uuid[]) AS r(user_id, key, body, order_id)
		WHERE k.user_id = r.user_id AND k.key = r.key`
	releaseKeysSQL = `
		DELETE FROM idempotency_keys k USING unnest($1::uuid[], $2::text[]) AS r(user_id, key)
		WHERE k.user_id = r.user_id AND k.key = r.key`
	insertItemsSQL = `
		INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents)
		SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::bigint[])`
	// takeStockSQL decrements each product once for the whole group, by what it sold.
	takeStockSQL = `
		UPDATE products p SET stock = p.stock - t.sold
		FROM unnest($1::uuid[], $2::int[]) AS t(id, sold) WHERE p.id = t.id`
)

// groupWrite gathers the columns of the second round trip.
type groupWrite struct {
	orderIDs, userIDs, currencies, keys []string
	totals, numbers                     []int64
	addresses                           []*string // the shipping address as JSON, nil for none
	statuses                            []string
	providers                           []*string    // the payment provider, nil for none
	expires                             []*time.Time // when an unpaid order expires, nil for none
	bodies                              [][]byte
	relUsers, relKeys                   []string
	itOrder, itProduct, itSKU, itName   []string
	itQty                               []int
	itPrice                             []int64
}

func (w *groupWrite) add(e *groupEntry) {
	if !e.accepted {
		w.relUsers, w.relKeys = append(w.relUsers, e.o.userID), append(w.relKeys, e.o.key)
		return
	}
	o := e.order
	w.orderIDs, w.userIDs, w.totals, w.currencies = append(w.orderIDs, o.ID), append(w.userIDs, e.o.userID),
		append(w.totals, o.TotalCents), append(w.currencies, o.Currency)
	w.keys, w.bodies = append(w.keys, e.o.key), append(w.bodies, e.body)
	w.numbers, w.addresses = append(w.numbers, shop.OrderSeq(o.Number)), append(w.addresses, e.address)
	w.statuses, w.providers, w.expires = append(w.statuses, o.Status), append(w.providers, paymentProvider(o)),
		append(w.expires, paymentExpiresAt(o))
	for _, it := range o.Items {
		w.itOrder, w.itProduct, w.itSKU, w.itName = append(w.itOrder, o.ID), append(w.itProduct, it.ProductID),
			append(w.itSKU, it.SKU), append(w.itName, it.Name)
		w.itQty, w.itPrice = append(w.itQty, it.Quantity), append(w.itPrice, it.UnitPriceCents)
	}
}

// writeGroup is the second round trip: every write of the group and its COMMIT, in one pipeline.
// A group that accepted nothing is rolled back instead (its claims undone with it). hook, nil
// outside the tests, may fail the group before it writes.
func writeGroup(ctx context.Context, conn *pgxpool.Conn, entries []*groupEntry, now time.Time, stock, remaining map[string]int,
	hook func([]*groupEntry) error) error {
	w := &groupWrite{}
	for _, e := range entries {
		if e.claimed && !e.dup {
			w.add(e)
		}
	}
	if hook != nil {
		if err := hook(entries); err != nil {
			return err
		}
	}
	if len(w.orderIDs) == 0 {
		_, err := conn.Exec(ctx, "ROLLBACK")
		return err
	}
	var soldIDs []string
	var sold []int
	for id, n := range stock {
		if d := n - remaining[id]; d > 0 {
			soldIDs, sold = append(soldIDs, id), append(sold, d)
		}
	}
	b := &pgx.Batch{}
	b.Queue(insertOrdersSQL, w.orderIDs, w.userIDs, w.totals, w.currencies, now, w.numbers, w.addresses,
		w.statuses, w.providers, w.expires)
	b.Queue(storeResponsesSQL, w.userIDs, w.keys, w.bodies, w.orderIDs)
	if len(w.relKeys) > 0 {
		b.Queue(releaseKeysSQL, w.relUsers, w.relKeys)
	}
	b.Queue(insertItemsSQL, w.itOrder, w.itProduct, w.itSKU, w.itName, w.itQty, w.itPrice)
	b.Queue(takeStockSQL, soldIDs, sold)
	b.Queue("COMMIT").Exec(func(tag pgconn.CommandTag) error {
		if tag.String() != "COMMIT" {
			return fmt.Errorf("commit answered %q", tag.String())
		}
		return nil
	})
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("group commit: %w", err)
	}
	return nil
}
