package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

var _ shop.AdminStore = (*Store)(nil)

// likeEscaper makes a shopper's text literal inside a LIKE pattern (backslash is the default escape).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// adminProductMatch is the WHERE of GET /api/admin/products: a part of the name or a prefix of
// the SKU ($1, escaped; ” matches all), stock at most $2 (NULL: any).
const adminProductMatch = `($1 = '' OR name ILIKE '%' || $1 || '%' OR sku LIKE upper($1) || '%')
	AND ($2::int IS NULL OR stock <= $2)`

// AdminProducts lists every product matching q by name, then id, keyset-paginated, with the
// number of all matches.
func (s *Store) AdminProducts(ctx context.Context, q shop.AdminProductQuery) (shop.AdminProductPage, error) {
	pattern := likeEscaper.Replace(q.Q)
	page := shop.AdminProductPage{Items: []shop.Product{}}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM products WHERE `+adminProductMatch,
		pattern, q.LowStock).Scan(&page.Total); err != nil {
		return shop.AdminProductPage{}, mapError("admin products: count", err)
	}
	var afterName, afterID *string
	if q.After != nil {
		afterName, afterID = &q.After.Key, &q.After.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+productColumns+` FROM products WHERE `+adminProductMatch+`
		AND ($3::text IS NULL OR (name, id) > ($3, $4::uuid))
		ORDER BY name, id LIMIT $5`, pattern, q.LowStock, afterName, afterID, q.Limit+1)
	if err != nil {
		return shop.AdminProductPage{}, mapError("admin products", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (shop.Product, error) { return scanProduct(r) })
	if err != nil {
		return shop.AdminProductPage{}, mapError("admin products", err)
	}
	if len(items) > q.Limit {
		last := items[q.Limit-1]
		c := shop.KeyCursor{Key: last.Name, ID: last.ID}.Encode()
		page.NextCursor, items = &c, items[:q.Limit]
	}
	page.Items = append(page.Items, items...)
	return page, nil
}

// StockMovements returns a product's recorded stock movements, newest first (at most 200).
func (s *Store) StockMovements(ctx context.Context, productID string) ([]shop.StockMovement, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM products WHERE id = $1)`, productID).Scan(&exists); err != nil {
		return nil, mapError("stock movements", err)
	}
	if !exists {
		return nil, shop.Errorf(shop.CodeNotFound, "no product with this id")
	}
	rows, err := s.pool.Query(ctx, `
		SELECT m.at, m.delta, m.reason, u.email, m.stock_after
		FROM stock_movements m LEFT JOIN users u ON u.id = m.actor_id
		WHERE m.product_id = $1 ORDER BY m.at DESC, m.id DESC LIMIT 200`, productID)
	if err != nil {
		return nil, mapError("stock movements", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (shop.StockMovement, error) {
		var m shop.StockMovement
		err := r.Scan(&m.At, &m.Delta, &m.Reason, &m.ActorEmail, &m.StockAfter)
		m.At = m.At.UTC()
		return m, err
	})
	if out == nil {
		out = []shop.StockMovement{}
	}
	return out, mapError("stock movements", err)
}

// AdminOrders lists every customer's orders, newest first, keyset-paginated by (created_at, id).
func (s *Store) AdminOrders(ctx context.Context, q shop.AdminOrderQuery) (shop.AdminOrderPage, error) {
	var afterAt *time.Time
	var afterID *string
	if q.After != nil {
		micros, _ := strconv.ParseInt(q.After.Key, 10, 64) // checked by ParseAdminOrderQuery
		t := time.UnixMicro(micros)
		afterAt, afterID = &t, &q.After.ID
	}
	rows, err := s.pool.Query(ctx, `
		SELECT o.id::text, o.number, o.shipping_address, o.status, o.total_cents, o.currency, o.created_at,
		       `+paymentColumns+`,
		       (SELECT coalesce(json_agg(json_build_object(
		           'product_id', i.product_id, 'sku', i.sku, 'name', i.name,
		           'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents) ORDER BY i.product_id), '[]')
		        FROM order_items i WHERE i.order_id = o.id),
		       u.email
		FROM orders o JOIN users u ON u.id = o.user_id
		WHERE ($1 = '' OR o.status = $1)
		  AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2, $3::uuid))
		ORDER BY o.created_at DESC, o.id DESC LIMIT $4`, q.Status, afterAt, afterID, q.Limit+1)
	if err != nil {
		return shop.AdminOrderPage{}, mapError("admin orders", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (shop.AdminOrder, error) {
		var o shop.AdminOrder
		var number int64
		var p paymentRow
		dest := append([]any{&o.ID, &number, &o.ShippingAddress, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt}, p.dest()...)
		err := r.Scan(append(dest, &o.Items, &o.CustomerEmail)...)
		o.CreatedAt, o.Number, o.Payment = o.CreatedAt.UTC(), shop.OrderNumber(number), p.payment()
		return o, err
	})
	if err != nil {
		return shop.AdminOrderPage{}, mapError("admin orders", err)
	}
	page := shop.AdminOrderPage{Items: []shop.AdminOrder{}}
	if len(items) > q.Limit {
		last := items[q.Limit-1]
		c := shop.KeyCursor{Key: strconv.FormatInt(last.CreatedAt.UnixMicro(), 10), ID: last.ID}.Encode()
		page.NextCursor, items = &c, items[:q.Limit]
	}
	page.Items = append(page.Items, items...)
	return page, nil
}

// AdminCancelOrder cancels any customer's placed order and returns its stock, in one
// transaction, as CancelOrder does for the customer's own: the conditional status update lets
// only one of two concurrent cancels (the customer's and an admin's) return the stock.
func (s *Store) AdminCancelOrder(ctx context.Context, orderID string) (shop.Order, error) {
	var order shop.Order
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var userID string
		err := tx.QueryRow(ctx, `
			UPDATE orders SET status = 'cancelled', cancelled_at = now()
			WHERE id = $1 AND status = 'placed' RETURNING user_id::text`, orderID).Scan(&userID)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orders WHERE id = $1)`, orderID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return shop.Errorf(shop.CodeNotFound, "no order with this id")
			}
			return shop.Errorf(shop.CodeNotCancellable, "only a placed order can be cancelled here; this one is not")
		}
		if err != nil {
			return err
		}
		if err := returnStock(ctx, tx, orderID); err != nil {
			return err
		}
		order, err = getOrder(ctx, tx, userID, orderID)
		return err
	})
	if err != nil {
		return shop.Order{}, mapError("admin cancel order", err)
	}
	return order, nil
}

// OrderOwner is the id of the customer who placed orderID.
func (s *Store) OrderOwner(ctx context.Context, orderID string) (string, error) {
	var userID string
	err := s.pool.QueryRow(ctx, `SELECT user_id::text FROM orders WHERE id = $1`, orderID).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", shop.Errorf(shop.CodeNotFound, "no order with this id")
	}
	if err != nil {
		return "", mapError("order owner", err)
	}
	return userID, nil
}

// returnStock gives a cancelled order's lines back to stock, one update per line in product-id
// order (the lock order of PlaceOrder, so a cancel and a multi-line order cannot deadlock), in
// one pipelined batch.
func returnStock(ctx context.Context, tx pgx.Tx, orderID string) error {
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
	return tx.SendBatch(ctx, batch).Close()
}
