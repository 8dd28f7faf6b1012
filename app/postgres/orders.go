package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// errShort rolls the order transaction back when a line cannot be served; the shortfall
// details are read after the rollback, without holding any lock.
var errShort = errors.New("an order line is short")

func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// PlaceOrder is the order transaction:
//
//  1. claim the (user, Idempotency-Key) row; a concurrent request with the same key waits here
//     on the unique index until the first commits, then replays its stored response;
//  2. decrement every line with one conditional UPDATE each, in product-id order (the order
//     req.Lines is in), so two multi-line orders cannot deadlock. The statements go out as one
//     pipelined batch: no round trip per line while rows are locked;
//  3. if any line was short, roll back (nothing was decremented) and report the shortfall;
//  4. insert the order, its lines and the stored response in one statement, and commit.
func (s *Store) PlaceOrder(ctx context.Context, userID, key string, req shop.OrderRequest,
	render func(shop.Order) ([]byte, error)) (shop.IdempotentResult, error) {
	if len(req.Lines) == 0 {
		return shop.IdempotentResult{}, shop.Errorf(shop.CodeInvalidInput, "an order needs at least one line")
	}
	orderID, err := newUUID()
	if err != nil {
		return shop.IdempotentResult{}, fmt.Errorf("place order: %w", err)
	}
	fingerprint := req.Fingerprint()
	var result shop.IdempotentResult
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var claimed bool
		err := tx.QueryRow(ctx, `
			INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, key) DO UPDATE
				SET request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL,
				    order_id = NULL, created_at = now()
				WHERE idempotency_keys.created_at < now() - $4::interval
			RETURNING true`, userID, key, fingerprint, IdempotencyTTL).Scan(&claimed)
		if errors.Is(err, pgx.ErrNoRows) {
			return replay(ctx, tx, userID, key, fingerprint, &result)
		}
		if err != nil {
			return err
		}

		batch := &pgx.Batch{}
		order := shop.Order{ID: orderID, Status: shop.StatusPlaced, Items: make([]shop.OrderItem, len(req.Lines))}
		short := false
		for i, l := range req.Lines {
			item := &order.Items[i]
			*item = shop.OrderItem{ProductID: l.ProductID, Quantity: l.Quantity}
			var currency string
			batch.Queue(`
				UPDATE products SET stock = stock - $2
				WHERE id = $1 AND stock >= $2
				RETURNING sku, name, price_cents, currency`, l.ProductID, l.Quantity).
				QueryRow(func(row pgx.Row) error {
					err := row.Scan(&item.SKU, &item.Name, &item.UnitPriceCents, &currency)
					if errors.Is(err, pgx.ErrNoRows) {
						short = true
						return nil
					}
					if err != nil {
						return err
					}
					if order.Currency == "" {
						order.Currency = currency
					} else if order.Currency != currency {
						return shop.Errorf(shop.CodeMixedCurrency, "all products of an order must have the same currency")
					}
					return nil
				})
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		if short {
			return errShort
		}

		ids := make([]string, len(order.Items))
		skus := make([]string, len(order.Items))
		names := make([]string, len(order.Items))
		qtys := make([]int32, len(order.Items))
		prices := make([]int64, len(order.Items))
		for i, it := range order.Items {
			order.TotalCents += it.UnitPriceCents * int64(it.Quantity)
			ids[i], skus[i], names[i], qtys[i], prices[i] = it.ProductID, it.SKU, it.Name, int32(it.Quantity), it.UnitPriceCents
		}
		// The transaction's start time (what now() would say), taken client-side so the response
		// can be rendered before the single insert statement.
		order.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
		body, err := render(order)
		if err != nil {
			return fmt.Errorf("render order: %w", err)
		}
		_, err = tx.Exec(ctx, `
			WITH o AS (
				INSERT INTO orders (id, user_id, status, total_cents, currency, created_at)
				VALUES ($1, $2, 'placed', $3, $4, $5)
			), i AS (
				INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents)
				SELECT $1, * FROM unnest($6::uuid[], $7::text[], $8::text[], $9::int[], $10::bigint[])
			)
			UPDATE idempotency_keys SET status_code = $11, response_body = $12, order_id = $1
			WHERE user_id = $2 AND key = $13`,
			order.ID, userID, order.TotalCents, order.Currency, order.CreatedAt,
			ids, skus, names, qtys, prices, http.StatusCreated, body, key)
		if err != nil {
			return err
		}
		result = shop.IdempotentResult{Status: http.StatusCreated, Body: body}
		return nil
	})
	if errors.Is(err, errShort) {
		return shop.IdempotentResult{}, s.shortfall(ctx, req)
	}
	if err != nil {
		return shop.IdempotentResult{}, mapError("place order", err)
	}
	return result, nil
}

func replay(ctx context.Context, tx pgx.Tx, userID, key, fingerprint string, result *shop.IdempotentResult) error {
	var hash string
	var status *int
	var body []byte
	err := tx.QueryRow(ctx, `
		SELECT request_hash, status_code, response_body FROM idempotency_keys
		WHERE user_id = $1 AND key = $2`, userID, key).Scan(&hash, &status, &body)
	if err != nil {
		return fmt.Errorf("read idempotency key: %w", err)
	}
	if hash != fingerprint {
		return shop.Errorf(shop.CodeIdempotencyKeyReused,
			"this Idempotency-Key was already used for a different order; use a new key for a new order")
	}
	if status == nil {
		// Unreachable while the row is only ever committed together with its response.
		return errors.New("idempotency key has no stored response")
	}
	*result = shop.IdempotentResult{Status: *status, Body: body, Replay: true}
	return nil
}

// shortfall explains, after the rollback, which lines could not be served.
func (s *Store) shortfall(ctx context.Context, req shop.OrderRequest) error {
	ids := make([]string, len(req.Lines))
	for i, l := range req.Lines {
		ids[i] = l.ProductID
	}
	rows, err := s.pool.Query(ctx, "SELECT id::text, stock FROM products WHERE id = ANY($1::uuid[])", ids)
	if err != nil {
		return mapError("place order: read stock", err)
	}
	stock := map[string]int{}
	var id string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { stock[id] = n; return nil }); err != nil {
		return mapError("place order: read stock", err)
	}
	var unknown []string
	var short []shop.Shortfall
	for _, l := range req.Lines {
		avail, ok := stock[l.ProductID]
		switch {
		case !ok:
			unknown = append(unknown, l.ProductID)
		case avail < l.Quantity:
			short = append(short, shop.Shortfall{ProductID: l.ProductID, Requested: l.Quantity, Available: avail})
		}
	}
	if len(unknown) > 0 {
		return &shop.Error{Code: shop.CodeUnknownProduct, Message: "the order names products that do not exist",
			Details: map[string][]string{"product_ids": unknown}}
	}
	if len(short) == 0 {
		// Stock was returned between the failed decrement and this read: still report it, so
		// the client retries rather than assuming the order was placed.
		for _, l := range req.Lines {
			short = append(short, shop.Shortfall{ProductID: l.ProductID, Requested: l.Quantity, Available: stock[l.ProductID]})
		}
	}
	return &shop.Error{Code: shop.CodeInsufficientStock, Message: "not enough stock for every line; nothing was ordered", Details: short}
}

const orderItemsSQL = `
	SELECT o.id::text, o.status, o.total_cents, o.currency, o.created_at,
	       coalesce(json_agg(json_build_object(
	           'product_id', i.product_id, 'sku', i.sku, 'name', i.name,
	           'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents) ORDER BY i.product_id), '[]')
	FROM orders o JOIN order_items i ON i.order_id = o.id`

func scanOrder(row pgx.Row) (shop.Order, error) {
	var o shop.Order
	err := row.Scan(&o.ID, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt, &o.Items)
	o.CreatedAt = o.CreatedAt.UTC()
	return o, err
}

// ListOrders returns the user's orders, newest first.
func (s *Store) ListOrders(ctx context.Context, userID string) ([]shop.Order, error) {
	rows, err := s.pool.Query(ctx, orderItemsSQL+`
		WHERE o.user_id = $1 GROUP BY o.id ORDER BY o.created_at DESC, o.id LIMIT 200`, userID)
	if err != nil {
		return nil, mapError("list orders", err)
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (shop.Order, error) { return scanOrder(r) })
	return orders, mapError("list orders", err)
}

// GetOrder returns one of the user's orders; another user's order is shop.CodeNotFound.
func (s *Store) GetOrder(ctx context.Context, userID, orderID string) (shop.Order, error) {
	return getOrder(ctx, s.pool, userID, orderID)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func getOrder(ctx context.Context, q querier, userID, orderID string) (shop.Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, orderItemsSQL+`
		WHERE o.id = $1 AND o.user_id = $2 GROUP BY o.id`, orderID, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Order{}, shop.Errorf(shop.CodeNotFound, "no order with this id")
	}
	return o, mapError("get order", err)
}

// CancelOrder marks a placed order cancelled and returns its stock, in one transaction. The
// conditional status update serialises concurrent cancels: the second sees "cancelled" and
// fails, so stock is never returned twice.
func (s *Store) CancelOrder(ctx context.Context, userID, orderID string) (shop.Order, error) {
	var order shop.Order
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE orders SET status = 'cancelled', cancelled_at = now()
			WHERE id = $1 AND user_id = $2 AND status = 'placed'`, orderID, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			if _, err := getOrder(ctx, tx, userID, orderID); err != nil {
				return err
			}
			return shop.Errorf(shop.CodeNotCancellable, "the order is already cancelled")
		}
		// Same lock order as PlaceOrder (product id), one pipelined batch.
		rows, err := tx.Query(ctx, `SELECT product_id::text, quantity FROM order_items WHERE order_id = $1 ORDER BY product_id`, orderID)
		if err != nil {
			return err
		}
		var pid string
		var qty int
		batch := &pgx.Batch{}
		if _, err := pgx.ForEachRow(rows, []any{&pid, &qty}, func() error {
			batch.Queue("UPDATE products SET stock = stock + $2 WHERE id = $1", pid, qty)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		order, err = getOrder(ctx, tx, userID, orderID)
		return err
	})
	if err != nil {
		return shop.Order{}, mapError("cancel order", err)
	}
	return order, nil
}
