package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

var (
	store *postgres.Store
	// packageDB is the URL of store's database, for the tests that open a second instance on it.
	packageDB string
)

func TestMain(m *testing.M) {
	pgtest.Main(m, func(dbURL string) {
		packageDB = dbURL
		ctx := context.Background()
		// Every test registers its users from one address: the per-IP limit has its own test.
		s, err := postgres.Open(ctx, dbURL, 16, slog.New(slog.NewJSONHandler(io.Discard, nil)),
			postgres.WithRegistrationLimit(1_000_000, time.Hour))
		if err != nil {
			panic(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			panic(err)
		}
		store = s
	})
}

var seq atomic.Int64

func newUser(t testing.TB) shop.User {
	t.Helper()
	n := seq.Add(1)
	u, _, err := store.Register(context.Background(), shop.Registration{
		Email: fmt.Sprintf("user%d-%d@example.com", n, time.Now().UnixNano()), Password: "correct horse battery", Name: "User"}, "192.0.2.1")
	require.NoError(t, err)
	return u
}

func newProduct(t testing.TB, stock int, price int64) shop.Product {
	t.Helper()
	n := seq.Add(1)
	p, err := store.CreateProduct(context.Background(), shop.NewProduct{
		SKU: fmt.Sprintf("SKU-%d-%d", n, time.Now().UnixNano()%1e9), Name: fmt.Sprintf("Product %d", n),
		PriceCents: price, Currency: "USD", Stock: stock, Category: "test"})
	require.NoError(t, err)
	return p
}

func render(o shop.Order) ([]byte, error) { return json.Marshal(o) }

func order(lines ...shop.OrderLine) shop.OrderRequest {
	body := struct {
		Items []map[string]any `json:"items"`
	}{}
	for _, l := range lines {
		body.Items = append(body.Items, map[string]any{"product_id": l.ProductID, "quantity": l.Quantity})
	}
	raw, _ := json.Marshal(body)
	req, err := shop.ParseOrder(raw)
	if err != nil {
		panic(err)
	}
	return req
}

func key() string { return fmt.Sprintf("key-%d-%d", seq.Add(1), time.Now().UnixNano()) }

func stockOf(t testing.TB, id string) int {
	t.Helper()
	p, err := store.GetProduct(context.Background(), id)
	require.NoError(t, err)
	return p.Stock
}

// adjustCounting applies an admin stock change and adds it to adjusted when it took effect; a
// refusal is only acceptable as stock_would_go_negative.
func adjustCounting(t testing.TB, id string, delta int, adjusted *atomic.Int64) {
	t.Helper()
	_, err := store.AdjustStock(context.Background(), id, delta)
	if err == nil {
		adjusted.Add(int64(delta))
	} else if shop.ErrorCode(err) != shop.CodeStockWouldGoNegative {
		t.Errorf("adjust: %v", err)
	}
}

// assertStockConserved checks the inventory equation after orders raced admin adjustments:
// final = initial + adjusted - sold, and never below zero.
func assertStockConserved(t testing.TB, id string, initial int, adjusted, sold int64) {
	t.Helper()
	final := stockOf(t, id)
	assert.GreaterOrEqual(t, final, 0)
	assert.Equal(t, int64(initial)+adjusted-sold, int64(final))
}

func TestMigrateIsSafeConcurrently(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dbURL, 8, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer s.Close()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	versions := make([]int32, 4)
	for i := range 4 {
		wg.Go(func() { versions[i], errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	files, err := filepath.Glob("migrations/*.sql")
	require.NoError(t, err)
	for i := range 4 {
		require.NoError(t, errs[i])
		assert.Equal(t, int32(len(files)), versions[i], "every migration applied")
	}
	var riverVersions, distinct int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*), count(DISTINCT version) FROM river_migration").Scan(&riverVersions, &distinct))
	assert.Positive(t, riverVersions, "River's migrations ran with the shop's")
	assert.Equal(t, distinct, riverVersions, "each River migration applied once")
}

// The classic oversell: 50 in stock, 40 and 11 ordered at the same moment. Exactly one wins.
func TestConcurrent40Plus11(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	buyerUS, buyerIN := newUser(t), newUser(t)
	for round := range 20 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			p := newProduct(t, 50, 1999)
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, b := range []struct {
				user shop.User
				qty  int
			}{{buyerUS, 40}, {buyerIN, 11}} {
				wg.Go(func() {
					<-start
					_, errs[i] = store.PlaceOrder(ctx, b.user.ID, key(), order(shop.OrderLine{ProductID: p.ID, Quantity: b.qty}), render)
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					assert.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err), "%v", err)
				}
			}
			assert.Equal(t, 1, ok, "exactly one of the two orders succeeds")
			assert.Contains(t, []int{10, 39}, stockOf(t, p.ID))
		})
	}
}

func TestInsufficientStockDetailsAndNothingDecremented(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)
	a, b := newProduct(t, 5, 100), newProduct(t, 2, 100)
	_, err := store.PlaceOrder(ctx, u.ID, key(), order(line(a.ID, 3), line(b.ID, 3)), render)
	require.Error(t, err)
	var e *shop.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, shop.CodeInsufficientStock, e.Code)
	assert.Equal(t, []shop.Shortfall{{ProductID: b.ID, Requested: 3, Available: 2}}, e.Details)
	assert.Equal(t, 5, stockOf(t, a.ID), "the line that fit must not be decremented")
	assert.Equal(t, 2, stockOf(t, b.ID))

	_, err = store.PlaceOrder(ctx, u.ID, key(), order(line("00000000-0000-4000-8000-000000000000", 1)), render)
	assert.Equal(t, shop.CodeUnknownProduct, shop.ErrorCode(err))
}

// The COMMIT travels in the same pipeline as the decrements. A short line must abort the
// transaction before that COMMIT runs, wherever it is in the lock order: after lines that did
// decrement (the last line short), or before lines not yet tried (the first line short). And the
// connection must go back to the pool out of its transaction.
//
// Not parallel: it counts connections idle in a transaction, which a concurrent order between
// its two round trips legitimately is.
func TestShortLineCommitsNothingWhereverItIs(t *testing.T) {
	ctx := context.Background()
	for _, shortFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("short line first in lock order %v", shortFirst), func(t *testing.T) {
			u := newUser(t)
			x, y := newProduct(t, 5, 100), newProduct(t, 5, 100)
			if y.ID < x.ID {
				x, y = y, x // x comes first in product-id (lock) order
			}
			short := y
			if shortFirst {
				short = x
			}
			_, err := store.AdjustStock(ctx, short.ID, -3)
			require.NoError(t, err)
			k := key()
			_, err = store.PlaceOrder(ctx, u.ID, k, order(line(x.ID, 3), line(y.ID, 3)), render)
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, shop.CodeInsufficientStock, e.Code)
			assert.Equal(t, []shop.Shortfall{{ProductID: short.ID, Requested: 3, Available: 2}}, e.Details)
			if shortFirst {
				assert.Equal(t, 2, stockOf(t, x.ID))
				assert.Equal(t, 5, stockOf(t, y.ID))
			} else {
				assert.Equal(t, 5, stockOf(t, x.ID), "the line that decremented must have been rolled back")
				assert.Equal(t, 2, stockOf(t, y.ID))
			}
			orders, err := store.ListOrders(ctx, u.ID)
			require.NoError(t, err)
			assert.Empty(t, orders, "a short order leaves no order row")
			var stuck int
			require.NoError(t, store.Pool().QueryRow(ctx, `
				SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&stuck))
			assert.Zero(t, stuck, "no connection is left inside a transaction")

			// The key was not burned: once stock is back, the same key places the order.
			_, err = store.AdjustStock(ctx, short.ID, 3)
			require.NoError(t, err)
			res, err := store.PlaceOrder(ctx, u.ID, k, order(line(x.ID, 3), line(y.ID, 3)), render)
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, res.Status)
			assert.Equal(t, 2, stockOf(t, x.ID))
			assert.Equal(t, 2, stockOf(t, y.ID))
		})
	}
}

func TestOrderRecordsPricesAtOrderTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)
	a, b := newProduct(t, 10, 250), newProduct(t, 10, 1000)
	res, err := store.PlaceOrder(ctx, u.ID, key(), order(line(a.ID, 2), line(b.ID, 1)), render)
	require.NoError(t, err)
	assert.Equal(t, 201, res.Status)
	var placed shop.Order
	require.NoError(t, json.Unmarshal(res.Body, &placed))
	newPrice := int64(9999)
	_, err = store.UpdateProduct(ctx, a.ID, shop.ProductPatch{PriceCents: &newPrice})
	require.NoError(t, err)
	got, err := store.GetOrder(ctx, u.ID, placed.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1500), got.TotalCents)
	assert.Equal(t, placed, got, "the stored order matches the response")
	assert.Equal(t, 8, stockOf(t, a.ID))
	assert.Equal(t, 9, stockOf(t, b.ID))

	other := newUser(t)
	_, err = store.GetOrder(ctx, other.ID, placed.ID)
	assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err), "another user's order is not found")
	list, err := store.ListOrders(ctx, other.ID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

// Many buyers place random multi-line orders (and cancel some) against small stocks. Every unit
// is accounted for, stock never goes negative, and no deadlock or other error reaches a client.
func TestRandomisedConcurrencyInvariant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const nProducts, initial, buyers, ordersEach = 6, 25, 24, 25
	products := make([]shop.Product, nProducts)
	for i := range products {
		products[i] = newProduct(t, initial, int64(100*(i+1)))
	}
	users := make([]shop.User, 4)
	for i := range users {
		users[i] = newUser(t)
	}
	var placed, short, cancelled atomic.Int64
	var wg sync.WaitGroup
	errCh := make(chan error, buyers*ordersEach)
	for b := range buyers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(b), uint64(time.Now().UnixNano())))
			u := users[b%len(users)]
			for range ordersEach {
				var lines []shop.OrderLine
				for _, i := range r.Perm(nProducts)[:1+r.IntN(3)] {
					lines = append(lines, shop.OrderLine{ProductID: products[i].ID, Quantity: 1 + r.IntN(4)})
				}
				res, err := store.PlaceOrder(ctx, u.ID, key(), order(lines...), render)
				switch {
				case err == nil:
					placed.Add(1)
					if r.IntN(4) == 0 {
						var o shop.Order
						if err := json.Unmarshal(res.Body, &o); err != nil {
							errCh <- err
							continue
						}
						if _, err := store.CancelOrder(ctx, u.ID, o.ID); err != nil {
							errCh <- err
						} else {
							cancelled.Add(1)
						}
					}
				case shop.ErrorCode(err) == shop.CodeInsufficientStock:
					short.Add(1)
				default:
					errCh <- err
				}
			}
		})
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		t.Errorf("unexpected error surfaced to a client: %v", err)
	}
	assert.Positive(t, placed.Load())
	assert.Positive(t, short.Load(), "stocks are small enough that some orders must be short")
	t.Logf("placed %d (cancelled %d), short %d", placed.Load(), cancelled.Load(), short.Load())

	for _, p := range products {
		var remaining, sold int
		require.NoError(t, store.Pool().QueryRow(ctx, `
			SELECT p.stock, coalesce((SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
			                          WHERE i.product_id = p.id AND o.status = 'placed'), 0)
			FROM products p WHERE p.id = $1`, p.ID).Scan(&remaining, &sold))
		assert.GreaterOrEqual(t, remaining, 0)
		assert.Equal(t, initial, remaining+sold, "product %s: initial = remaining + sold", p.SKU)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)

	t.Run("replay returns the first response and decrements once", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 10, 500)
		k := key()
		first, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 3)), render)
		require.NoError(t, err)
		again, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 3)), render)
		require.NoError(t, err)
		assert.False(t, first.Replay)
		assert.True(t, again.Replay)
		assert.Equal(t, first.Status, again.Status)
		assert.JSONEq(t, string(first.Body), string(again.Body))
		assert.Equal(t, 7, stockOf(t, p.ID))
		orders, err := store.ListOrders(ctx, u.ID)
		require.NoError(t, err)
		n := 0
		for _, o := range orders {
			if o.Items[0].ProductID == p.ID {
				n++
			}
		}
		assert.Equal(t, 1, n)
	})

	t.Run("same key with a different body is rejected", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 10, 500)
		k := key()
		_, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 1)), render)
		require.NoError(t, err)
		_, err = store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 2)), render)
		assert.Equal(t, shop.CodeIdempotencyKeyReused, shop.ErrorCode(err))
		assert.Equal(t, 9, stockOf(t, p.ID))
	})

	t.Run("keys are scoped to the user", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 10, 500)
		k := key()
		_, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 1)), render)
		require.NoError(t, err)
		res, err := store.PlaceOrder(ctx, newUser(t).ID, k, order(line(p.ID, 1)), render)
		require.NoError(t, err)
		assert.False(t, res.Replay)
		assert.Equal(t, 8, stockOf(t, p.ID))
	})

	t.Run("concurrent requests with one key make one order", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 100, 500)
		k := key()
		const n = 12
		results := make([]shop.IdempotentResult, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				results[i], errs[i] = store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 2)), render)
			})
		}
		close(start)
		wg.Wait()
		fresh := 0
		for i := range n {
			require.NoError(t, errs[i])
			assert.JSONEq(t, string(results[0].Body), string(results[i].Body))
			if !results[i].Replay {
				fresh++
			}
		}
		assert.Equal(t, 1, fresh)
		assert.Equal(t, 98, stockOf(t, p.ID))
	})

	t.Run("a failed order does not burn the key", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 1, 500)
		k := key()
		_, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 2)), render)
		require.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err))
		_, err = store.AdjustStock(ctx, p.ID, 5)
		require.NoError(t, err)
		res, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 2)), render)
		require.NoError(t, err)
		assert.False(t, res.Replay)
	})

	t.Run("keys expire after 24 hours and are pruned", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 10, 500)
		k := key()
		_, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 1)), render)
		require.NoError(t, err)
		_, err = store.Pool().Exec(ctx, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1 AND key = $2", u.ID, k)
		require.NoError(t, err)
		res, err := store.PlaceOrder(ctx, u.ID, k, order(line(p.ID, 1)), render)
		require.NoError(t, err)
		assert.False(t, res.Replay, "an expired key starts a new order")
		assert.Equal(t, 8, stockOf(t, p.ID))

		_, err = store.Pool().Exec(ctx, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1 AND key = $2", u.ID, k)
		require.NoError(t, err)
		require.NoError(t, store.Prune(ctx))
		var n int
		require.NoError(t, store.Pool().QueryRow(ctx, "SELECT count(*) FROM idempotency_keys WHERE user_id = $1 AND key = $2", u.ID, k).Scan(&n))
		assert.Zero(t, n)
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)

	t.Run("returns stock once, second cancel is not cancellable", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 10, 100)
		res, err := store.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 4)), render)
		require.NoError(t, err)
		var o shop.Order
		require.NoError(t, json.Unmarshal(res.Body, &o))
		require.Equal(t, 6, stockOf(t, p.ID))
		c, err := store.CancelOrder(ctx, u.ID, o.ID)
		require.NoError(t, err)
		assert.Equal(t, shop.StatusCancelled, c.Status)
		assert.Equal(t, 10, stockOf(t, p.ID))
		_, err = store.CancelOrder(ctx, u.ID, o.ID)
		assert.Equal(t, shop.CodeNotCancellable, shop.ErrorCode(err))
		assert.Equal(t, 10, stockOf(t, p.ID))
	})

	t.Run("concurrent cancels return stock once", func(t *testing.T) {
		t.Parallel()
		p, q := newProduct(t, 10, 100), newProduct(t, 10, 100)
		res, err := store.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 4), line(q.ID, 2)), render)
		require.NoError(t, err)
		var o shop.Order
		require.NoError(t, json.Unmarshal(res.Body, &o))
		var ok, notCancellable atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, err := store.CancelOrder(ctx, u.ID, o.ID)
				switch shop.ErrorCode(err) {
				case shop.CodeInternal:
					if err == nil {
						ok.Add(1)
					} else {
						t.Errorf("cancel: %v", err)
					}
				case shop.CodeNotCancellable:
					notCancellable.Add(1)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), ok.Load())
		assert.Equal(t, int32(7), notCancellable.Load())
		assert.Equal(t, 10, stockOf(t, p.ID))
		assert.Equal(t, 10, stockOf(t, q.ID))
	})

	t.Run("another user's order is not found", func(t *testing.T) {
		t.Parallel()
		p := newProduct(t, 10, 100)
		res, err := store.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 1)), render)
		require.NoError(t, err)
		var o shop.Order
		require.NoError(t, json.Unmarshal(res.Body, &o))
		_, err = store.CancelOrder(ctx, newUser(t).ID, o.ID)
		assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err))
		assert.Equal(t, 9, stockOf(t, p.ID))
	})
}

// Admin stock adjustments race with orders: the books still balance and stock never goes negative.
func TestAdminStockAdjustmentsRacingOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const initial = 30
	p := newProduct(t, initial, 100)
	u := newUser(t)
	var sold, adjusted atomic.Int64
	var wg sync.WaitGroup
	for b := range 8 {
		wg.Go(func() {
			for range 15 {
				_, err := store.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 1+b%3)), render)
				if err == nil {
					sold.Add(int64(1 + b%3))
				} else if shop.ErrorCode(err) != shop.CodeInsufficientStock {
					t.Errorf("order: %v", err)
				}
			}
		})
	}
	for a := range 4 {
		wg.Go(func() {
			for i := range 15 {
				delta := 3
				if (a+i)%2 == 0 {
					delta = -4
				}
				adjustCounting(t, p.ID, delta, &adjusted)
			}
		})
	}
	wg.Wait()
	assertStockConserved(t, p.ID, initial, adjusted.Load(), sold.Load())
}

func TestAdjustStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProduct(t, 3, 100)
	_, err := store.AdjustStock(ctx, p.ID, -4)
	assert.Equal(t, shop.CodeStockWouldGoNegative, shop.ErrorCode(err))
	got, err := store.AdjustStock(ctx, p.ID, -3)
	require.NoError(t, err)
	assert.Zero(t, got.Stock)
	_, err = store.AdjustStock(ctx, "00000000-0000-4000-8000-000000000000", 1)
	assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err))
	_, err = store.AdjustStock(ctx, p.ID, shop.MaxStock+1)
	assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err))
}

func TestProductsCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, dbURL, 4, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	demo := shop.DemoCatalog()
	added, images, err := s.SeedProducts(ctx, demo)
	require.NoError(t, err)
	assert.Equal(t, len(demo), added)
	assert.Zero(t, images)
	added, images, err = s.SeedProducts(ctx, demo)
	require.NoError(t, err)
	assert.Zero(t, added, "seeding twice adds nothing")
	assert.Zero(t, images)

	t.Run("keyset pagination visits every product once, sorted", func(t *testing.T) {
		seen := map[string]bool{}
		var names []string
		q := shop.ProductQuery{Sort: shop.SortName, Limit: 7}
		for pages := 0; ; pages++ {
			require.Less(t, pages, 20)
			page, err := s.SearchProducts(ctx, q)
			require.NoError(t, err)
			for _, p := range page.Items {
				assert.False(t, seen[p.ID])
				seen[p.ID] = true
				names = append(names, p.Name)
			}
			if page.NextCursor == nil {
				break
			}
			q, err = shop.ParseProductQuery(url.Values{"limit": {"7"}, "cursor": {*page.NextCursor}})
			require.NoError(t, err)
		}
		assert.Len(t, seen, len(demo))
		assert.IsNonDecreasing(t, names)
	})

	tests := []struct {
		name, q, category string
		want              int
	}{
		{"category", "", "books", 6},
		{"search by name, case-insensitive", "mug", "", 1},
		{"search by sku", "tee-", "", 2},
		{"LIKE wildcards are literal", "%", "", 0},
		{"search within category", "mug", "books", 0},
		{"unknown category", "", "nothing", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.SearchProducts(ctx, shop.ProductQuery{Q: tt.q, Category: tt.category, Sort: shop.SortName, Limit: 100})
			require.NoError(t, err)
			assert.Len(t, page.Items, tt.want)
			assert.Nil(t, page.NextCursor)
		})
	}

	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: demo[0].SKU, Name: "x", Category: "x", Currency: "USD"})
	assert.Equal(t, shop.CodeSKUTaken, shop.ErrorCode(err))
	_, err = s.GetProduct(ctx, "00000000-0000-4000-8000-000000000000")
	assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err))
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)

	_, _, err := store.Register(ctx, shop.Registration{Email: strings.ToUpper(u.Email), Password: "another password", Name: "Dup"}, "192.0.2.1")
	assert.Equal(t, shop.CodeEmailTaken, shop.ErrorCode(err), "emails are unique regardless of case: %v", err)

	got, sess, err := store.Login(ctx, shop.Credentials{Email: u.Email, Password: "correct horse battery"}, "10.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)

	_, _, errWrong := store.Login(ctx, shop.Credentials{Email: u.Email, Password: "wrong password!"}, "10.0.0.1")
	_, _, errUnknown := store.Login(ctx, shop.Credentials{Email: "nobody-" + u.Email, Password: "wrong password!"}, "10.0.0.1")
	assert.Equal(t, shop.CodeInvalidCredentials, shop.ErrorCode(errWrong))
	assert.Equal(t, errWrong.Error(), errUnknown.Error(), "unknown email and wrong password look the same")

	assert.WithinDuration(t, time.Now().Add(postgres.SessionTTL), sess.ExpiresAt, time.Minute)
	me, err := store.UserBySession(ctx, sess.Token)
	require.NoError(t, err)
	assert.Equal(t, u.ID, me.ID)
	var stored int
	require.NoError(t, store.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions WHERE token_hash = convert_to($1, 'UTF8')", sess.Token).Scan(&stored))
	assert.Zero(t, stored, "the token itself is never stored")
	require.NoError(t, store.DeleteSession(ctx, sess.Token))
	_, err = store.UserBySession(ctx, sess.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))

	_, expired, err := store.Login(ctx, shop.Credentials{Email: u.Email, Password: "correct horse battery"}, "10.0.0.1")
	require.NoError(t, err)
	_, err = store.Pool().Exec(ctx, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1", u.ID)
	require.NoError(t, err)
	_, err = store.UserBySession(ctx, expired.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))

	admin, err := store.EnsureAdmin(ctx, "Admin-"+u.Email, "admin password 1", "Admin")
	require.NoError(t, err)
	assert.True(t, admin.IsAdmin)
	again, err := store.EnsureAdmin(ctx, "admin-"+u.Email, "admin password 2", "Admin")
	require.NoError(t, err)
	assert.Equal(t, admin.ID, again.ID, "ensuring twice keeps one account")
	_, _, err = store.Login(ctx, shop.Credentials{Email: admin.Email, Password: "admin password 2"}, "10.0.0.2")
	assert.NoError(t, err, "the configured password is authoritative")
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("per account", func(t *testing.T) {
		t.Parallel()
		u := newUser(t)
		for i := range 5 {
			_, _, err := store.Login(ctx, shop.Credentials{Email: u.Email, Password: "wrong password!"}, fmt.Sprintf("10.1.0.%d", i))
			require.Equal(t, shop.CodeInvalidCredentials, shop.ErrorCode(err))
		}
		_, _, err := store.Login(ctx, shop.Credentials{Email: u.Email, Password: "correct horse battery"}, "10.1.1.1")
		var e *shop.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, shop.CodeTooManyAttempts, e.Code, "even the right password waits")
		assert.Positive(t, e.RetryAfter)
		_, err = store.Pool().Exec(ctx, "UPDATE login_failures SET last_failure_at = now() - interval '2 seconds' WHERE subject = lower($1)", u.Email)
		require.NoError(t, err)
		_, _, err = store.Login(ctx, shop.Credentials{Email: u.Email, Password: "correct horse battery"}, "10.1.1.1")
		assert.NoError(t, err, "after the delay the right password works")
	})

	t.Run("per IP, across accounts", func(t *testing.T) {
		t.Parallel()
		ip := fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), rand.IntN(256))
		for i := range 20 {
			_, _, err := store.Login(ctx, shop.Credentials{Email: fmt.Sprintf("spray%d@example.com", i), Password: "wrong password!"}, ip)
			require.Equal(t, shop.CodeInvalidCredentials, shop.ErrorCode(err))
		}
		u := newUser(t)
		_, _, err := store.Login(ctx, shop.Credentials{Email: u.Email, Password: "correct horse battery"}, ip)
		assert.Equal(t, shop.CodeTooManyAttempts, shop.ErrorCode(err))
		_, _, err = store.Login(ctx, shop.Credentials{Email: u.Email, Password: "correct horse battery"}, ip+"0")
		assert.NoError(t, err)
	})
}

func line(productID string, qty int) shop.OrderLine {
	return shop.OrderLine{ProductID: productID, Quantity: qty}
}

func TestMixedCurrencyIsRefusedBeforeAnyDecrement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	usd := newProduct(t, 5, 100)
	eur, err := store.CreateProduct(ctx, shop.NewProduct{SKU: fmt.Sprintf("EUR-%d", seq.Add(1)), Name: "Euro thing",
		PriceCents: 100, Currency: "EUR", Stock: 5, Category: "test"})
	require.NoError(t, err)
	_, err = store.PlaceOrder(ctx, newUser(t).ID, key(), order(line(usd.ID, 1), line(eur.ID, 1)), render)
	assert.Equal(t, shop.CodeMixedCurrency, shop.ErrorCode(err))
	assert.Equal(t, 5, stockOf(t, usd.ID))
	assert.Equal(t, 5, stockOf(t, eur.ID))
}

// An admin repricing a product while it sells: every order is charged a price the product
// actually had, and the books still balance.
func TestRepricingRacingOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProduct(t, 200, 100)
	u := newUser(t)
	var wg sync.WaitGroup
	var sold atomic.Int64
	for range 6 {
		wg.Go(func() {
			for range 20 {
				if _, err := store.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 1)), render); err != nil {
					t.Errorf("order: %v", err)
					return
				}
				sold.Add(1)
			}
		})
	}
	wg.Go(func() {
		for i := range 40 {
			price := int64(100 + 100*(i%2))
			if _, err := store.UpdateProduct(ctx, p.ID, shop.ProductPatch{PriceCents: &price}); err != nil {
				t.Errorf("reprice: %v", err)
			}
		}
	})
	wg.Wait()
	assert.Equal(t, 200-int(sold.Load()), stockOf(t, p.ID))
	var bad int
	require.NoError(t, store.Pool().QueryRow(ctx, `SELECT count(*) FROM order_items WHERE product_id = $1 AND unit_price_cents NOT IN (100, 200)`, p.ID).Scan(&bad))
	assert.Zero(t, bad)
}

// TestSeedReplacesOnlyFormerDemoImages: a database seeded by an earlier demo catalog (picsum.photos
// images) gets the current images on the next seed, except where an admin chose another image,
// and keeps its stock.
func TestSeedReplacesOnlyFormerDemoImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := migratedStore(t, 4)

	demo := shop.DemoCatalog()
	var earlier []shop.SeedProduct
	for _, p := range demo {
		require.NotEmpty(t, p.FormerImageURLs, p.SKU)
		old := p
		old.ImageURL, old.FormerImageURLs = p.FormerImageURLs[0], nil
		earlier = append(earlier, old)
	}
	added, images, err := s.SeedProducts(ctx, earlier)
	require.NoError(t, err)
	require.Equal(t, len(demo), added)
	require.Zero(t, images)

	bySKU := func() map[string]shop.Product {
		page, err := s.SearchProducts(ctx, shop.ProductQuery{Sort: shop.SortName, Limit: 100})
		require.NoError(t, err)
		require.Len(t, page.Items, len(demo))
		m := map[string]shop.Product{}
		for _, p := range page.Items {
			m[p.SKU] = p
		}
		return m
	}
	before := bySKU()
	chosen, cleared, renamed := before[demo[0].SKU], before[demo[1].SKU], before[demo[2].SKU]
	mine, empty, name := "https://cdn.example.com/my-shirt.jpg", "", "Renamed by the admin"
	_, err = s.UpdateProduct(ctx, chosen.ID, shop.ProductPatch{ImageURL: &mine})
	require.NoError(t, err)
	_, err = s.UpdateProduct(ctx, cleared.ID, shop.ProductPatch{ImageURL: &empty})
	require.NoError(t, err)
	_, err = s.UpdateProduct(ctx, renamed.ID, shop.ProductPatch{Name: &name})
	require.NoError(t, err)
	_, err = s.AdjustStock(ctx, renamed.ID, -3)
	require.NoError(t, err)

	added, images, err = s.SeedProducts(ctx, demo)
	require.NoError(t, err)
	assert.Zero(t, added)
	assert.Equal(t, len(demo)-2, images, "every product still on its former image, and only those")

	after := bySKU()
	for _, p := range demo {
		got := after[p.SKU]
		switch p.SKU {
		case chosen.SKU:
			assert.Equal(t, mine, got.ImageURL, "an admin's image is kept")
		case cleared.SKU:
			assert.Empty(t, got.ImageURL, "an admin's removal is kept")
		default:
			assert.Equal(t, p.ImageURL, got.ImageURL, p.SKU)
		}
	}
	assert.Equal(t, name, after[renamed.SKU].Name, "other fields are not reseeded")
	assert.Equal(t, before[renamed.SKU].Stock-3, after[renamed.SKU].Stock, "stock is kept")

	added, images, err = s.SeedProducts(ctx, demo)
	require.NoError(t, err)
	assert.Zero(t, added)
	assert.Zero(t, images, "a third seed changes nothing")
}

// TestLockedAttemptDecidesShortfallFromItsRead: once PlaceOrder falls back to locking the rows
// as it reads them, a short line is answered from that read, inside the transaction: the
// shortfall as it was while the rows were locked, nothing decremented, the key not burned.
func TestLockedAttemptDecidesShortfallFromItsRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)
	a, b := newProduct(t, 5, 100), newProduct(t, 1, 250)
	k := key()
	req := order(line(a.ID, 2), line(b.ID, 2))

	_, err := store.PlaceOrderLocked(ctx, u.ID, k, req, render)
	var e *shop.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, shop.CodeInsufficientStock, e.Code)
	assert.Equal(t, []shop.Shortfall{{ProductID: b.ID, Requested: 2, Available: 1}}, e.Details)
	assert.Equal(t, 5, stockOf(t, a.ID), "nothing decremented")
	assert.Equal(t, 1, stockOf(t, b.ID))

	_, err = store.AdjustStock(ctx, b.ID, 1)
	require.NoError(t, err)
	res, err := store.PlaceOrderLocked(ctx, u.ID, k, req, render)
	require.NoError(t, err, "the failed attempt did not burn the key")
	assert.Equal(t, http.StatusCreated, res.Status)
	assert.False(t, res.Replay)
	var o shop.Order
	require.NoError(t, json.Unmarshal(res.Body, &o))
	assert.Equal(t, int64(2*100+2*250), o.TotalCents)
	assert.Equal(t, 3, stockOf(t, a.ID))
	assert.Equal(t, 0, stockOf(t, b.ID))

	again, err := store.PlaceOrder(ctx, u.ID, k, req, render)
	require.NoError(t, err)
	assert.True(t, again.Replay)
	assert.JSONEq(t, string(res.Body), string(again.Body))
}

// TestStockReturnedWhileOrdersMissNeverSurfacesARetry: stock flickering around zero (admin
// adjustments returning and taking units) makes orders miss their decrement and then find the
// stock back. They retry, and once they lock the rows they answer from that read: a client only
// ever sees an order or insufficient_stock, and the books balance. Before the locked read decided
// the shortfall, about one run in two surfaced "a product changed while the order was being placed".
func TestStockReturnedWhileOrdersMissNeverSurfacesARetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const initial = 2
	p := newProduct(t, initial, 100)
	u := newUser(t)
	var sold, adjusted atomic.Int64
	var wg sync.WaitGroup
	for b := range 16 {
		wg.Go(func() {
			for range 60 {
				qty := 1 + b%3
				_, err := store.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, qty)), render)
				if err == nil {
					sold.Add(int64(qty))
				} else if shop.ErrorCode(err) != shop.CodeInsufficientStock {
					t.Errorf("order: %v", err)
				}
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			for i := range 200 {
				delta := 2
				if i%2 == 1 {
					delta = -2
				}
				adjustCounting(t, p.ID, delta, &adjusted)
			}
		})
	}
	wg.Wait()
	assertStockConserved(t, p.ID, initial, adjusted.Load(), sold.Load())
}
