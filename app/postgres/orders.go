package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

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

// placeAttempts bounds the optimistic attempts when a product's price changes between the
// unlocked read and the conditional decrement (an admin edit racing the order). Later attempts
// read with row locks (in product-id order), so the price cannot change under them.
const (
	placeAttempts  = 3
	lockedAttempts = 2
)

// errRetry asks PlaceOrder to run the transaction again: a price or currency changed under it.
var errRetry = errors.New("a product changed while the order was being placed")

// PlaceOrder is the order transaction, in two round trips. A product row stays locked from its
// decrement to the commit only, and never across a round trip to this process:
//
//  1. claimAndRead: BEGIN, claim the (user, Idempotency-Key) row and read the products (sku,
//     name, price, currency), pipelined, before any product lock. A concurrent request with the
//     same key waits on the key's unique index until the first commits, then replays its stored
//     response;
//  2. priceLines, then render: the order is rendered in Go, so its response can be stored with it;
//  3. writeAndDecrement: one pipelined batch: insert the order row and store the response (no
//     product lock), then a single-statement conditional decrement per line, in product-id
//     order (the order req.Lines is in) so two multi-line orders cannot deadlock; the last
//     line's decrement also inserts the order's lines, only if it succeeded; then COMMIT. Each
//     decrement also requires the price and currency that were read, so the order is charged
//     what the product costs at the moment its stock is taken. A decrement that matches no row
//     raises the named condition order_line_short (SQLSTATE SH409), which aborts the
//     transaction, so PostgreSQL skips the pipelined COMMIT;
//  4. shortfall: if any line did not decrement, nothing was sold: the transaction is rolled
//     back and the shortfall is read, without locks; if nothing is short, a price changed (or
//     stock came back), and the order is retried. After placeAttempts, attempts lock the rows
//     as they read them, and then decide a shortfall from that read, before writing, so they
//     always answer.
//
// Concurrent orders for the same product are grouped (groupcommit.go, ordersgroup.go): an
// order that finds nobody to group with takes this path at once; two or more share one
// transaction. Orders for a product known to be sold out are refused without one (soldout.go).
func (s *Store) PlaceOrder(ctx context.Context, userID, key string, req shop.OrderRequest,
	render func(shop.Order) ([]byte, error)) (shop.IdempotentResult, error) {
	if len(req.Lines) == 0 {
		return shop.IdempotentResult{}, shop.Errorf(shop.CodeInvalidInput, "an order needs at least one line")
	}
	if ids := s.soldOut.soldOutLines(req.ProductIDs()); len(ids) > 0 {
		return s.refuseSoldOut(ctx, userID, key, req, ids)
	}
	if s.group == nil {
		return s.placeOrderSingle(ctx, userID, key, req, render)
	}
	return s.placeGrouped(ctx, &pendingOrder{userID: userID, key: key, req: req, render: render})
}

// placeOrderSingle places one order in a transaction of its own (steps 1 to 4 above), and
// records the products a refusal found sold out.
func (s *Store) placeOrderSingle(ctx context.Context, userID, key string, req shop.OrderRequest,
	render func(shop.Order) ([]byte, error)) (shop.IdempotentResult, error) {
	epoch := s.soldOut.begin()
	for attempt := 1; ; attempt++ {
		res, err := s.placeOrder(ctx, userID, key, req, render, attempt > placeAttempts)
		if errors.Is(err, errShort) {
			err = s.shortfall(ctx, req)
		}
		if !errors.Is(err, errRetry) || attempt == placeAttempts+lockedAttempts {
			s.markSoldOut(epoch, err)
			return res, err
		}
	}
}

// placeOrder is one attempt of the order transaction, on a connection of its own; whatever the
// attempt leaves uncommitted is rolled back when the connection goes back to the pool.
func (s *Store) placeOrder(ctx context.Context, userID, key string, req shop.OrderRequest,
	render func(shop.Order) ([]byte, error), lock bool) (shop.IdempotentResult, error) {
	orderID, err := newUUID()
	if err != nil {
		return shop.IdempotentResult{}, fmt.Errorf("place order: %w", err)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return shop.IdempotentResult{}, mapError("place order: acquire connection", err)
	}
	defer s.releaseTx(ctx, conn)
	res, err := s.orderTx(ctx, conn, orderID, userID, key, req, render, lock)
	if err != nil && !errors.Is(err, errShort) {
		return shop.IdempotentResult{}, mapError("place order", err)
	}
	return res, err
}

// orderTx runs steps 1 to 3 of PlaceOrder on conn, one named step each.
func (s *Store) orderTx(ctx context.Context, conn *pgxpool.Conn, orderID, userID, key string, req shop.OrderRequest,
	render func(shop.Order) ([]byte, error), lock bool) (shop.IdempotentResult, error) {
	fingerprint := req.Fingerprint()
	claimed, read, err := claimAndRead(ctx, conn, userID, key, fingerprint, req.ProductIDs(), lock)
	if err != nil {
		return shop.IdempotentResult{}, err
	}
	if !claimed {
		return replay(ctx, conn, userID, key, fingerprint)
	}
	order, err := read.priceLines(orderID, req)
	if err != nil {
		return shop.IdempotentResult{}, err
	}
	if lock {
		// The rows are ours until the commit, so what was read is what the decrements will
		// see: a short line is final now. Deciding it here, rather than from a read after the
		// rollback, means stock returned in between (an admin adjustment, a cancel) cannot
		// make a locked attempt end without an answer.
		if err := read.checkStock(req); err != nil {
			return shop.IdempotentResult{}, err
		}
	}
	order.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	s.payments.start(&order)
	body, err := render(order)
	if err != nil {
		return shop.IdempotentResult{}, fmt.Errorf("render order: %w", err)
	}
	if err := writeAndDecrement(ctx, conn, userID, key, order, body); err != nil {
		return shop.IdempotentResult{}, err
	}
	return shop.IdempotentResult{Status: http.StatusCreated, Body: body}, nil
}

const (
	// claimKeySQL claims the key for this request: a new key, or one whose last use expired.
	// It returns no row when the key is live, and then the request is a replay.
	claimKeySQL = `
		INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, key) DO UPDATE
			SET request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL,
			    order_id = NULL, created_at = now()
			WHERE idempotency_keys.created_at < now() - $4::interval
		RETURNING true`
	// productsSQL reads what an order needs of its products: the claim reads it before
	// pricing, the shortfall after a rollback.
	productsSQL = `SELECT id::text, sku, name, price_cents, currency, stock FROM products WHERE id = ANY($1::uuid[])`
	// lockedProductsSQL takes the locks in the sorted order, the same order as every decrement.
	lockedProductsSQL = productsSQL + ` ORDER BY id FOR NO KEY UPDATE`
)

// productsRead is what productsSQL returned, by product id. A product missing from it does not
// exist.
type productsRead struct {
	items      map[string]shop.OrderItem // the line as it would be sold, without its quantity
	currencies map[string]string
	stock      map[string]int
	// number is the order's number, taken from order_number_seq in the same round trip.
	number int64
}

func newProductsRead(n int) *productsRead {
	return &productsRead{
		items:      make(map[string]shop.OrderItem, n),
		currencies: make(map[string]string, n),
		stock:      make(map[string]int, n),
	}
}

func (r *productsRead) scan(rows pgx.Rows) error {
	var it shop.OrderItem
	var cur string
	var stock int
	_, err := pgx.ForEachRow(rows, []any{&it.ProductID, &it.SKU, &it.Name, &it.UnitPriceCents, &cur, &stock}, func() error {
		r.items[it.ProductID], r.currencies[it.ProductID], r.stock[it.ProductID] = it, cur, stock
		return nil
	})
	return err
}

// claimAndRead is the first round trip: BEGIN, the key's claim and the products' read, in one
// pipeline. claimed is false when the key is already in use (a replay).
func claimAndRead(ctx context.Context, conn *pgxpool.Conn, userID, key, fingerprint string, ids []string,
	lock bool) (claimed bool, read *productsRead, err error) {
	read = newProductsRead(len(ids))
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(claimKeySQL, userID, key, fingerprint, IdempotencyTTL).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&claimed)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	sql := productsSQL
	if lock {
		sql = lockedProductsSQL
	}
	b.Queue(sql, ids).Query(read.scan)
	b.Queue("SELECT nextval('order_number_seq')").QueryRow(func(row pgx.Row) error { return row.Scan(&read.number) })
	err = conn.SendBatch(ctx, b).Close()
	return claimed, read, err
}

// priceLines turns the request into the order it places, at the prices and names read.
func (r *productsRead) priceLines(orderID string, req shop.OrderRequest) (shop.Order, error) {
	order := shop.Order{ID: orderID, Number: shop.OrderNumber(r.number), Status: shop.StatusPlaced,
		Items: make([]shop.OrderItem, len(req.Lines)), ShippingAddress: req.ShippingAddress}
	for i, l := range req.Lines {
		it, ok := r.items[l.ProductID]
		if !ok {
			continue
		}
		it.Quantity = l.Quantity
		order.Items[i] = it
		order.TotalCents += it.UnitPriceCents * int64(it.Quantity)
		if cur := r.currencies[l.ProductID]; order.Currency == "" {
			order.Currency = cur
		} else if order.Currency != cur {
			return shop.Order{}, shop.Errorf(shop.CodeMixedCurrency, "all products of an order must have the same currency")
		}
	}
	if err := r.checkKnown(req); err != nil {
		return shop.Order{}, err
	}
	return order, nil
}

// checkKnown fails with every line whose product was not read.
func (r *productsRead) checkKnown(req shop.OrderRequest) error {
	var unknown []string
	for _, l := range req.Lines {
		if _, ok := r.stock[l.ProductID]; !ok {
			unknown = append(unknown, l.ProductID)
		}
	}
	if len(unknown) > 0 {
		return &shop.Error{Code: shop.CodeUnknownProduct, Message: "the order names products that do not exist",
			Details: map[string][]string{"product_ids": unknown}}
	}
	return nil
}

// checkStock fails with every line the stock read cannot serve (after checkKnown).
func (r *productsRead) checkStock(req shop.OrderRequest) error {
	if err := r.checkKnown(req); err != nil {
		return err
	}
	var short []shop.Shortfall
	for _, l := range req.Lines {
		if avail := r.stock[l.ProductID]; avail < l.Quantity {
			short = append(short, shop.Shortfall{ProductID: l.ProductID, Requested: l.Quantity, Available: avail})
		}
	}
	if len(short) > 0 {
		return &shop.Error{Code: shop.CodeInsufficientStock, Message: "not enough stock for every line; nothing was ordered", Details: short}
	}
	return nil
}

const (
	// insertOrderSQL inserts the order row and stores its response on the claimed key.
	insertOrderSQL = `
		WITH o AS (
			INSERT INTO orders (id, user_id, status, total_cents, currency, created_at, number, shipping_address,
			                    payment_provider, expires_at)
			VALUES ($1, $2, $9, $3, $4, $5, $10, $11, $12, $13)
		)
		UPDATE idempotency_keys SET status_code = $6, response_body = $7, order_id = $1
		WHERE user_id = $2 AND key = $8`
	// decrementSQL takes one line's stock, only at the price and currency the order was priced at.
	decrementSQL = `
		UPDATE products SET stock = stock - $2
		WHERE id = $1 AND stock >= $2 AND price_cents = $3 AND currency = $4
		RETURNING 1`
	// lineTakenSQL raises order_line_short when the decrement d matched no row.
	lineTakenSQL = `
		SELECT order_line_taken(count(*)) FROM d`
	takeLineSQL = `WITH d AS (` + decrementSQL + `)` + lineTakenSQL
	// takeLastLineSQL also inserts the order's lines ($6 to $10, one array per column), only if
	// its own decrement succeeded.
	takeLastLineSQL = `WITH d AS (` + decrementSQL + `), l AS (
			INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents)
			SELECT $5, l.* FROM unnest($6::uuid[], $7::text[], $8::text[], $9::int[], $10::bigint[]) AS l
			WHERE EXISTS (SELECT 1 FROM d)
		)` + lineTakenSQL
)

// writeAndDecrement is the second round trip. One pipeline: the order row and the stored
// response first (they touch no product row), then the decrements, then COMMIT. A decrement that
// matches no row raises order_line_short (SQLSTATE SH409) through order_line_taken, which aborts
// the transaction and releases its locks at once; PostgreSQL then skips the rest of the pipeline,
// COMMIT included, so nothing of a short order is ever committed, and this returns errShort. A
// product row therefore stays locked only while PostgreSQL runs the remaining statements and the
// commit, never while a result travels to this process and a command comes back.
func writeAndDecrement(ctx context.Context, conn *pgxpool.Conn, userID, key string, order shop.Order, body []byte) error {
	b := &pgx.Batch{}
	b.Queue(insertOrderSQL,
		order.ID, userID, order.TotalCents, order.Currency, order.CreatedAt, http.StatusCreated, body, key,
		order.Status, shop.OrderSeq(order.Number), order.ShippingAddress, paymentProvider(order), paymentExpiresAt(order))
	n := len(order.Items)
	for _, it := range order.Items[:n-1] {
		b.Queue(takeLineSQL, it.ProductID, it.Quantity, it.UnitPriceCents, order.Currency)
	}
	// The order's lines are inserted only once every product row is ours, by the last
	// decrement's statement: their foreign-key checks take KEY SHARE locks, and taken earlier
	// they would pile every waiting buyer's lock onto a hot product row as one growing MultiXact.
	ids, skus, names := make([]string, n), make([]string, n), make([]string, n)
	qtys, prices := make([]int, n), make([]int64, n)
	for i, it := range order.Items {
		ids[i], skus[i], names[i], qtys[i], prices[i] = it.ProductID, it.SKU, it.Name, it.Quantity, it.UnitPriceCents
	}
	last := order.Items[n-1]
	b.Queue(takeLastLineSQL, last.ProductID, last.Quantity, last.UnitPriceCents, order.Currency,
		order.ID, ids, skus, names, qtys, prices)
	b.Queue("COMMIT").Exec(func(tag pgconn.CommandTag) error {
		if tag.String() != "COMMIT" {
			return fmt.Errorf("commit answered %q", tag.String())
		}
		return nil
	})
	err := conn.SendBatch(ctx, b).Close()
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == sqlstateLineShort {
		return errShort
	}
	return err
}

// sqlstateLineShort is the condition order_line_taken (migration 002) raises when a line's
// conditional decrement matched no row. It is this service's own code, not a constraint error.
const sqlstateLineShort = "SH409"

// releaseTx ends a transaction the order left open (a replay, a refused or short order, an
// error) and returns the connection to the pool. The rollback gets a context of its own, so a
// cancelled request still gives its connection back clean; if it fails, the pool drops the
// connection, as it does any connection released inside a transaction.
func (s *Store) releaseTx(ctx context.Context, conn *pgxpool.Conn) {
	defer conn.Release()
	if conn.Conn().IsClosed() || conn.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(rbCtx, "ROLLBACK"); err != nil {
		s.log.Warn("place order: rollback failed; the connection is dropped", "err", err)
	}
}

// replay answers a request whose key is already claimed with the response stored for it.
func replay(ctx context.Context, tx querier, userID, key, fingerprint string) (shop.IdempotentResult, error) {
	var hash string
	var status *int
	var body []byte
	err := tx.QueryRow(ctx, `
		SELECT request_hash, status_code, response_body FROM idempotency_keys
		WHERE user_id = $1 AND key = $2`, userID, key).Scan(&hash, &status, &body)
	if err != nil {
		return shop.IdempotentResult{}, fmt.Errorf("read idempotency key: %w", err)
	}
	if hash != fingerprint {
		return shop.IdempotentResult{}, shop.Errorf(shop.CodeIdempotencyKeyReused,
			"this Idempotency-Key was already used for a different order; use a new key for a new order")
	}
	if status == nil {
		// Unreachable while the row is only ever committed together with its response.
		return shop.IdempotentResult{}, errors.New("idempotency key has no stored response")
	}
	return shop.IdempotentResult{Status: *status, Body: body, Replay: true}, nil
}

// shortfall explains, after the rollback, which lines could not be served. It reads the
// products as the claim does, without locks.
func (s *Store) shortfall(ctx context.Context, req shop.OrderRequest) error {
	read := newProductsRead(len(req.Lines))
	rows, err := s.pool.Query(ctx, productsSQL, req.ProductIDs())
	if err == nil {
		err = read.scan(rows)
	}
	if err != nil {
		return mapError("place order: read stock", err)
	}
	if err := read.checkStock(req); err != nil {
		return err
	}
	// Every line has the stock now: the decrement missed because a price changed, or stock
	// was returned in between. Either way a fresh attempt is right.
	return errRetry
}

const orderItemsSQL = `
	SELECT o.id::text, o.number, o.shipping_address, o.status, o.total_cents, o.currency, o.created_at, ` + paymentColumns + `,
	       coalesce(json_agg(json_build_object(
	           'product_id', i.product_id, 'sku', i.sku, 'name', i.name,
	           'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents) ORDER BY i.product_id), '[]')
	FROM orders o JOIN order_items i ON i.order_id = o.id`

func scanOrder(row pgx.Row) (shop.Order, error) {
	var o shop.Order
	var number int64
	var p paymentRow
	dest := append([]any{&o.ID, &number, &o.ShippingAddress, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt}, p.dest()...)
	err := row.Scan(append(dest, &o.Items)...)
	o.CreatedAt, o.Number, o.Payment = o.CreatedAt.UTC(), shop.OrderNumber(number), p.payment()
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
		if err := returnStock(ctx, tx, orderID); err != nil {
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
