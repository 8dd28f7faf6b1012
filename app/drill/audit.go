package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopstack/shopstack/app/postgres"
)

// audit reads the books back through a fresh pool (the setup pool's connections did not
// survive the restart) and reconciles them with every answer the buyers got.
func (d *drill) audit(ctx context.Context) (report, error) {
	store, err := postgres.Open(ctx, d.cfg.DatabaseURL, 2, slog.New(slog.DiscardHandler))
	if err != nil {
		return report{}, err
	}
	defer store.Close()
	db, err := readBooks(ctx, store)
	if err != nil {
		return report{}, err
	}
	return reconcile(d.requests, d.products, db), nil
}

func readBooks(ctx context.Context, store *postgres.Store) (books, error) {
	db := books{Stock: map[string]int{}, Orders: map[string]dbOrder{}, Keys: map[keyID]string{}}
	pool := store.Pool()
	err := each(ctx, pool, `SELECT id::text, stock FROM products`, func(rows pgx.Rows) error {
		var id string
		var stock int
		err := rows.Scan(&id, &stock)
		db.Stock[id] = stock
		return err
	})
	if err == nil {
		err = each(ctx, pool, `SELECT id::text, user_id::text, status FROM orders`, func(rows pgx.Rows) error {
			var id string
			o := dbOrder{Lines: map[string]int{}}
			err := rows.Scan(&id, &o.UserID, &o.Status)
			db.Orders[id] = o
			return err
		})
	}
	if err == nil {
		err = each(ctx, pool, `SELECT order_id::text, product_id::text, quantity FROM order_items`, func(rows pgx.Rows) error {
			var order, product string
			var qty int
			err := rows.Scan(&order, &product, &qty)
			if o, ok := db.Orders[order]; ok {
				o.Lines[product] += qty
			}
			return err
		})
	}
	if err == nil {
		err = each(ctx, pool, `SELECT user_id::text, key, coalesce(order_id::text, '') FROM idempotency_keys`, func(rows pgx.Rows) error {
			var k keyID
			var order string
			err := rows.Scan(&k.UserID, &k.Key, &order)
			db.Keys[k] = order
			return err
		})
	}
	return db, err
}

// each runs a query and calls scan for every row.
func each(ctx context.Context, pool *pgxpool.Pool, sql string, scan func(pgx.Rows) error) error {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return fmt.Errorf("read %q: %w", sql, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("read %q: %w", sql, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %q: %w", sql, err)
	}
	return nil
}

// printLogLevels counts the service's log lines by level: an outage should show as a
// handful of warnings, not an error per request.
func printLogLevels(w io.Writer, path string) {
	f, err := os.Open(path) //nolint:gosec // the log the drill itself wrote, named by the operator's -log
	if err != nil {
		fmt.Fprintf(w, "service log: %v\n", err)
		return
	}
	defer f.Close()
	levels := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l struct{ Level string }
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Level != "" {
			levels[l.Level]++
		}
	}
	fmt.Fprintf(w, "\nservice log %s: %d INFO, %d WARN, %d ERROR lines\n", path, levels["INFO"], levels["WARN"], levels["ERROR"])
}
