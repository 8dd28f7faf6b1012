package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pgtest"
)

func TestBadFlashSaleConfigFailsClearly(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"SHOP_GROUP_COMMIT=yes":             `SHOP_GROUP_COMMIT=\"yes\": want on (the default) or off`,
		"SHOP_SOLD_OUT_FAST_PATH=1":         `SHOP_SOLD_OUT_FAST_PATH=\"1\": want on (the default) or off`,
		"SHOP_GROUP_COMMIT_WINDOW=1s":       `SHOP_GROUP_COMMIT_WINDOW=\"1s\": want a duration from 0 to 50ms`,
		"SHOP_GROUP_COMMIT_WINDOW=soon":     `SHOP_GROUP_COMMIT_WINDOW=\"soon\"`,
		"SHOP_GROUP_COMMIT_MAX_BATCH=0":     `SHOP_GROUP_COMMIT_MAX_BATCH=\"0\": want an integer from 1 to 1000`,
		"SHOP_GROUP_COMMIT_MAX_BATCH=lots":  `SHOP_GROUP_COMMIT_MAX_BATCH=\"lots\"`,
		"SHOP_GROUP_COMMIT_MAX_BATCH=10000": `SHOP_GROUP_COMMIT_MAX_BATCH=\"10000\"`,
	} {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			cmd, out := shopCmd([]string{env, "DATABASE_URL=postgres://u@127.0.0.1:1/shop"}, "serve")
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, 1, exit.ExitCode())
			assert.Contains(t, out.String(), want)
		})
	}
}

// buyer is one shopper's session on one or more instances (the session lives in the database).
type buyer struct{ c *http.Client }

func newBuyer(t *testing.T, base string, n int) buyer {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := buyer{c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	body := fmt.Sprintf(`{"email":"flash%d@example.com","password":"correct horse battery","name":"Buyer"}`, n)
	res, err := b.c.Post(base+"/api/auth/register", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	return b
}

// order places one order on base; the jar's cookie is for 127.0.0.1, so it goes to either port.
func (b buyer) order(t *testing.T, base, productID, key string) (int, []byte) {
	req, err := http.NewRequest(http.MethodPost, base+"/api/orders", strings.NewReader(
		`{"items":[{"product_id":"`+productID+`","quantity":1}]}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := b.c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, body
}

// Two `shop serve` processes (two batchers, two sold-out sets) on one database race for one
// product: exactly its stock is sold, every other order gets 409, and a cancellation on one
// instance reopens the product on the other.
func TestTwoServeProcessesRaceForOneProduct(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	migrate, migrateOut := shopCmd([]string{"DATABASE_URL=" + dbURL}, "migrate")
	require.NoError(t, migrate.Run(), migrateOut.String())
	const stock = 40
	db, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer db.Close(ctx)
	var productID string
	require.NoError(t, db.QueryRow(ctx, `INSERT INTO products (sku, name, price_cents, stock, category)
		VALUES ('FLASH-1', 'Flash T-shirt', 1999, $1, 'apparel') RETURNING id::text`, stock).Scan(&productID))

	bases := make([]string, 2)
	// The second instance groups with other knobs: each instance batches by its own settings.
	knobs := [][]string{nil, {"SHOP_GROUP_COMMIT_WINDOW=0s", "SHOP_GROUP_COMMIT_MAX_BATCH=4"}}
	for i := range bases {
		addr := freeAddr(t)
		cmd, out := shopCmd(append([]string{"DATABASE_URL=" + asAppRole(t, dbURL), "SHOP_ADDR=" + addr,
			"SHOP_HASH_CONCURRENCY=2", "SHOP_REGISTER_LIMIT=1000", "SHOP_WORKERS=0"}, knobs[i]...), "serve")
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitHealthy(t, addr, out)
		bases[i] = "http://" + addr
	}
	buyers := make([]buyer, 8)
	for i := range buyers {
		buyers[i] = newBuyer(t, bases[i%2], i)
	}
	var created, refused atomic.Int64
	var mu sync.Mutex
	var orderIDs []string
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			b := buyers[g%len(buyers)]
			for i := range 6 {
				base := bases[(g+i)%2]
				status, body := b.order(t, base, productID, fmt.Sprintf("race-%d-%d", g, i))
				switch status {
				case http.StatusCreated:
					created.Add(1)
					var o struct{ ID string }
					assert.NoError(t, json.Unmarshal(body, &o))
					mu.Lock()
					orderIDs = append(orderIDs, o.ID)
					mu.Unlock()
				case http.StatusConflict:
					refused.Add(1)
					assert.Contains(t, string(body), `"insufficient_stock"`)
					assert.Contains(t, string(body), `"available":0`)
				default:
					t.Errorf("order on %s: %d %s", base, status, body)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(stock), created.Load(), "exactly the stock is sold")
	assert.Equal(t, int64(16*6-stock), refused.Load())
	var left, sold int
	require.NoError(t, db.QueryRow(ctx, `SELECT stock, (SELECT coalesce(sum(quantity), 0) FROM order_items)
		FROM products WHERE id = $1`, productID).Scan(&left, &sold))
	assert.Equal(t, 0, left)
	assert.Equal(t, stock, sold)

	// Sold out on both; cancelling an order through instance 1 reopens it on instance 0.
	var owner int
	var cancelID string
	require.NoError(t, db.QueryRow(ctx, `SELECT o.id::text, substring(u.email FROM 'flash([0-9]+)@')::int
		FROM orders o JOIN users u ON u.id = o.user_id LIMIT 1`).Scan(&cancelID, &owner))
	b := buyers[owner]
	status, _ := b.order(t, bases[0], productID, "after-1")
	require.Equal(t, http.StatusConflict, status)
	req, err := http.NewRequest(http.MethodPost, bases[1]+"/api/orders/"+cancelID+"/cancel", nil)
	require.NoError(t, err)
	res, err := b.c.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	deadline := time.Now().Add(5 * time.Second)
	for n := 0; ; n++ {
		status, body := b.order(t, bases[0], productID, fmt.Sprintf("after-cancel-%d", n))
		if status == http.StatusCreated {
			break
		}
		require.Equal(t, http.StatusConflict, status, string(body))
		require.True(t, time.Now().Before(deadline), "the cancellation did not reopen the product on the other instance")
		time.Sleep(20 * time.Millisecond)
	}
}
