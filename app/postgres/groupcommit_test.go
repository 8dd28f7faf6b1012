package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// The group tests are not parallel: each builds one group on purpose (see gather) and reads the
// store's counters, which other tests' orders would move.

// openInstance opens a second Store (its own pool, batcher and sold-out set) on the package's
// database, as a second instance of the service would.
func openInstance(t *testing.T, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	opts = append([]postgres.Option{postgres.WithRegistrationLimit(1_000_000, time.Hour)}, opts...)
	s, err := postgres.Open(context.Background(), packageDB, 16, slog.New(slog.NewJSONHandler(io.Discard, nil)), opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

type placed struct {
	res shop.IdempotentResult
	err error
}

type attempt struct {
	user shop.User
	key  string
	req  shop.OrderRequest
}

// gather places first, then every attempt, on s, so that the attempts form one group in the
// order given: the lead product's row is locked by the test, so first (alone, on the one-order
// path) waits on it while holding its queue, and each attempt is queued behind it before the
// next is sent. Releasing the row lets first finish and the attempts run as one group.
func gather(t *testing.T, s *postgres.Store, lead string, first attempt, attempts []attempt) (placed, []placed) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT 1 FROM products WHERE id = $1 FOR UPDATE", lead)
	require.NoError(t, err)

	var wg sync.WaitGroup
	var firstOut placed
	out := make([]placed, len(attempts))
	wg.Go(func() { firstOut.res, firstOut.err = s.PlaceOrder(ctx, first.user.ID, first.key, first.req, render) })
	waitFor(t, "the first order to wait on the locked row", func() bool { return lockWaiters(t, s) >= 1 })
	for i, a := range attempts {
		wg.Go(func() { out[i].res, out[i].err = s.PlaceOrder(ctx, a.user.ID, a.key, a.req, render) })
		waitFor(t, fmt.Sprintf("attempt %d to queue", i), func() bool { return s.QueuedOrders(lead) == i+1 })
	}
	require.NoError(t, tx.Commit(ctx))
	wg.Wait()
	return firstOut, out
}

func lockWaiters(t *testing.T, s *postgres.Store) int {
	var n int
	require.NoError(t, s.Pool().QueryRow(context.Background(), `
		SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n))
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func one(u shop.User, id string, qty int) attempt {
	return attempt{user: u, key: key(), req: order(shop.OrderLine{ProductID: id, Quantity: qty})}
}

func TestGroupServesFirstComeFirstServed(t *testing.T) {
	s := openInstance(t)
	p := newProduct(t, 4, 1999) // 1 for the first order, 3 for the group of 5
	users := make([]shop.User, 6)
	for i := range users {
		users[i] = newUser(t)
	}
	var attempts []attempt
	for _, u := range users[1:] {
		attempts = append(attempts, one(u, p.ID, 1))
	}
	before := s.GroupStats()
	first, out := gather(t, s, p.ID, one(users[0], p.ID, 1), attempts)
	require.NoError(t, first.err)
	for i, o := range out {
		if i < 3 {
			assert.NoError(t, o.err, "attempt %d came before the stock ran out", i)
			assert.Equal(t, http.StatusCreated, o.res.Status)
		} else {
			assert.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(o.err), "attempt %d came after", i)
		}
	}
	after := s.GroupStats()
	assert.Equal(t, int64(1), after.Groups-before.Groups, "the five attempts were one transaction")
	assert.Equal(t, int64(5), after.GroupedOrders-before.GroupedOrders)
	assert.Equal(t, 0, stockOf(t, p.ID))
	assertBooks(t, p.ID, 4)
}

// assertBooks checks conservation for one product: stock + sold (placed orders) = initial.
func assertBooks(t *testing.T, productID string, initial int) {
	t.Helper()
	var stock, sold int
	require.NoError(t, store.Pool().QueryRow(context.Background(), `
		SELECT p.stock, coalesce((SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
		                          WHERE i.product_id = p.id AND o.status = 'placed'), 0)
		FROM products p WHERE p.id = $1`, productID).Scan(&stock, &sold))
	assert.GreaterOrEqual(t, stock, 0)
	assert.Equal(t, initial, stock+sold, "stock %d + sold %d", stock, sold)
}

func TestShortMultiLineOrderInAGroupLeavesItsNeighbours(t *testing.T) {
	s := openInstance(t)
	lead, other := newProduct(t, 10, 500), newProduct(t, 10, 700)
	if other.ID < lead.ID {
		lead, other = other, lead
	}
	var err error
	other, err = store.AdjustStock(context.Background(), other.ID, -9)
	require.NoError(t, err)
	u := newUser(t)
	ok1 := one(u, lead.ID, 1)
	short := attempt{user: u, key: key(), req: order(shop.OrderLine{ProductID: lead.ID, Quantity: 1},
		shop.OrderLine{ProductID: other.ID, Quantity: other.Stock + 1})}
	ok2 := attempt{user: u, key: key(), req: order(shop.OrderLine{ProductID: lead.ID, Quantity: 1},
		shop.OrderLine{ProductID: other.ID, Quantity: other.Stock})}
	before := s.GroupStats()
	_, out := gather(t, s, lead.ID, one(u, lead.ID, 1), []attempt{ok1, short, ok2})
	require.NoError(t, out[0].err)
	require.NoError(t, out[2].err, "the order after the short one still gets the other product")
	var se *shop.Error
	require.ErrorAs(t, out[1].err, &se)
	assert.Equal(t, shop.CodeInsufficientStock, se.Code)
	assert.Equal(t, []shop.Shortfall{{ProductID: other.ID, Requested: other.Stock + 1, Available: other.Stock}}, se.Details)
	assert.Equal(t, int64(1), s.GroupStats().Groups-before.Groups)

	var n int
	require.NoError(t, store.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM idempotency_keys WHERE user_id = $1 AND key = $2", u.ID, short.key).Scan(&n))
	assert.Zero(t, n, "the refused order's key is not kept, so a retry is judged afresh")
	assert.Equal(t, lead.Stock-3, stockOf(t, lead.ID))
	assert.Equal(t, 0, stockOf(t, other.ID))
	assertBooks(t, lead.ID, lead.Stock)
	assertBooks(t, other.ID, other.Stock)
}

func TestIdempotencyKeysInAndAcrossGroups(t *testing.T) {
	s := openInstance(t)
	p := newProduct(t, 100, 1999)
	u := newUser(t)
	k := one(u, p.ID, 2)
	_, out := gather(t, s, p.ID, one(u, p.ID, 1), []attempt{k, one(u, p.ID, 1), k})
	require.NoError(t, out[0].err)
	require.NoError(t, out[2].err)
	assert.False(t, out[0].res.Replay)
	assert.True(t, out[2].res.Replay, "the same key twice in one group is one order")
	assert.JSONEq(t, string(out[0].res.Body), string(out[2].res.Body))

	reused := attempt{user: u, key: k.key, req: order(shop.OrderLine{ProductID: p.ID, Quantity: 3})}
	_, again := gather(t, s, p.ID, one(u, p.ID, 1), []attempt{one(u, p.ID, 1), k, reused})
	require.NoError(t, again[1].err)
	assert.True(t, again[1].res.Replay, "and the same key in a later group replays it")
	assert.JSONEq(t, string(out[0].res.Body), string(again[1].res.Body))
	assert.Equal(t, shop.CodeIdempotencyKeyReused, shop.ErrorCode(again[2].err))

	var o shop.Order
	require.NoError(t, json.Unmarshal(out[0].res.Body, &o))
	var n int
	require.NoError(t, store.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM order_items WHERE product_id = $1 AND quantity = 2", p.ID).Scan(&n))
	assert.Equal(t, 1, n, "one order for the key")
	assert.Equal(t, 100-2-1-1-1-1, stockOf(t, p.ID))
	assertBooks(t, p.ID, 100)
}

// A group whose transaction fails for a reason other than stock (here an order the database
// rejects, through a trigger) is placed order by order: only the bad order fails.
func TestFailedGroupFallsBackToOneTransactionPerOrder(t *testing.T) {
	ctx := context.Background()
	_, err := store.Pool().Exec(ctx, `
		CREATE FUNCTION test_reject_4242() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'order total 4242 rejected by the test'; END $$;
		CREATE TRIGGER test_reject_4242 BEFORE INSERT ON orders
			FOR EACH ROW WHEN (NEW.total_cents = 4242) EXECUTE FUNCTION test_reject_4242()`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := store.Pool().Exec(ctx, "DROP TRIGGER test_reject_4242 ON orders; DROP FUNCTION test_reject_4242()")
		assert.NoError(t, err)
	})
	s := openInstance(t)
	p := newProduct(t, 10, 2121)
	u := newUser(t)
	bad := one(u, p.ID, 2) // 2 × 21.21 = 42.42
	before := s.GroupStats()
	_, out := gather(t, s, p.ID, one(u, p.ID, 1), []attempt{one(u, p.ID, 1), bad, one(u, p.ID, 1)})
	assert.Equal(t, int64(1), s.GroupStats().Fallbacks-before.Fallbacks, "the group failed once")
	assert.Zero(t, s.GroupStats().Groups-before.Groups)
	require.NoError(t, out[0].err)
	require.NoError(t, out[2].err)
	require.Error(t, out[1].err)
	assert.Equal(t, shop.CodeInternal, shop.ErrorCode(out[1].err), "an internal error, not a refusal: %v", out[1].err)
	assert.Equal(t, 10-3, stockOf(t, p.ID))
	assertBooks(t, p.ID, 10)
}

func TestInjectedGroupFailureFallsBack(t *testing.T) {
	s := openInstance(t, postgres.WithGroupFailure(fmt.Errorf("injected")))
	p := newProduct(t, 3, 100)
	u := newUser(t)
	_, out := gather(t, s, p.ID, one(u, p.ID, 1), []attempt{one(u, p.ID, 1), one(u, p.ID, 1), one(u, p.ID, 1)})
	var ok int
	for _, o := range out {
		if o.err == nil {
			ok++
		} else {
			assert.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(o.err))
		}
	}
	assert.Equal(t, 2, ok, "the fallback placed what the stock allowed")
	assert.Equal(t, int64(1), s.GroupStats().Fallbacks)
	assertBooks(t, p.ID, 3)
}

// Randomised buyers on two instances (two pools, two batchers) against a few products with
// multi-line orders: per product, stock + sold = initial, never below zero; no error but
// insufficient_stock reaches a buyer; and the orders took fewer transactions than orders.
func TestGroupedOrdersUnderRandomConcurrencyOnTwoInstances(t *testing.T) {
	instances := []*postgres.Store{openInstance(t), openInstance(t)}
	products := make([]shop.Product, 4)
	for i := range products {
		products[i] = newProduct(t, 100*(i+1), int64(100*(i+1)))
	}
	users := make([]shop.User, 8)
	for i := range users {
		users[i] = newUser(t)
	}
	const buyers, perBuyer = 48, 8
	var wg sync.WaitGroup
	errs := make(chan error, buyers*perBuyer)
	for b := range buyers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(b), 12))
			s, u := instances[b%2], users[b%len(users)]
			for range perBuyer {
				var lines []shop.OrderLine
				for _, i := range rng.Perm(len(products))[:1+rng.IntN(2)] {
					lines = append(lines, shop.OrderLine{ProductID: products[i].ID, Quantity: 1 + rng.IntN(3)})
				}
				if _, err := s.PlaceOrder(context.Background(), u.ID, key(), order(lines...), render); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err), "%v", err)
	}
	var orders, dbOrders, txs int64
	for _, s := range instances {
		st := s.GroupStats()
		orders += st.GroupedOrders + st.Singles + st.SoldOutRefusals
		dbOrders += st.GroupedOrders + st.Singles
		txs += st.Groups + st.Singles
		assert.Zero(t, st.Fallbacks)
	}
	assert.Equal(t, int64(buyers*perBuyer), orders)
	t.Logf("%d transactions for %d orders that reached the database", txs, dbOrders)
	assert.Less(t, txs, dbOrders*2/3, "grouping: %d transactions for %d orders", txs, dbOrders)
	for _, p := range products {
		assertBooks(t, p.ID, p.Stock)
	}
}

// A product sold out on one instance is refused there without a transaction, with the shape of
// any refusal; a restock and a cancellation made on the other instance reopen it at once.
func TestSoldOutFastPathReopenedFromTheOtherInstance(t *testing.T) {
	ctx := context.Background()
	a, b := openInstance(t), openInstance(t)
	waitFor(t, "both listeners", func() bool { return a.SoldOutListening() && b.SoldOutListening() })
	p := newProduct(t, 1, 1999)
	u := newUser(t)
	buy := func(s *postgres.Store) (shop.IdempotentResult, error) {
		return s.PlaceOrder(ctx, u.ID, key(), order(shop.OrderLine{ProductID: p.ID, Quantity: 1}), render)
	}
	// refusedFromSet wants the next order refused by a transaction (which marks the product
	// sold out) and the one after it refused from the set, with the usual shape.
	refusedFromSet := func() {
		_, err := buy(a)
		require.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err))
		before := a.GroupStats().SoldOutRefusals
		_, err = buy(a)
		var se *shop.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, shop.CodeInsufficientStock, se.Code)
		assert.Equal(t, []shop.Shortfall{{ProductID: p.ID, Requested: 1, Available: 0}}, se.Details)
		assert.Equal(t, before+1, a.GroupStats().SoldOutRefusals, "refused from the set, without a transaction")
	}
	_, err := buy(a)
	require.NoError(t, err)
	refusedFromSet()

	k := key()
	req := order(shop.OrderLine{ProductID: p.ID, Quantity: 1})

	_, err = b.AdjustStock(ctx, p.ID, 1)
	require.NoError(t, err)
	waitFor(t, "the restock to reopen the product on a", func() bool {
		res, err := a.PlaceOrder(ctx, u.ID, k, req, render)
		return err == nil && res.Status == http.StatusCreated
	})
	refusedFromSet()
	before := a.GroupStats().SoldOutRefusals
	res, err := a.PlaceOrder(ctx, u.ID, k, req, render)
	require.NoError(t, err, "a retried key is replayed even while the product is sold out")
	assert.True(t, res.Replay)
	assert.Equal(t, before, a.GroupStats().SoldOutRefusals)

	var o shop.Order
	require.NoError(t, json.Unmarshal(res.Body, &o))
	_, err = b.CancelOrder(ctx, u.ID, o.ID)
	require.NoError(t, err)
	waitFor(t, "the cancellation to reopen the product on a", func() bool {
		_, err := buy(a)
		return err == nil
	})
	assertBooks(t, p.ID, 2)
}

// Losing the listener's connection empties the set (a notification may be missed meanwhile),
// and the listener comes back by itself.
func TestSoldOutListenerReconnects(t *testing.T) {
	ctx := context.Background()
	s := openInstance(t)
	waitFor(t, "the listener", s.SoldOutListening)
	p := newProduct(t, 0, 100)
	u := newUser(t)
	req := order(shop.OrderLine{ProductID: p.ID, Quantity: 1})
	_, err := s.PlaceOrder(ctx, u.ID, key(), req, render)
	require.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err))
	_, err = s.PlaceOrder(ctx, u.ID, key(), req, render)
	require.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err))
	require.Equal(t, int64(1), s.GroupStats().SoldOutRefusals)

	var killed int
	require.NoError(t, store.Pool().QueryRow(ctx, `
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`).Scan(&killed))
	require.Positive(t, killed)
	waitFor(t, "the listener to notice", func() bool { return !s.SoldOutListening() })
	// Meanwhile stock returns; whatever was missed, the set was emptied.
	_, err = store.Pool().Exec(ctx, "ALTER TABLE products DISABLE TRIGGER products_stock_reopened")
	require.NoError(t, err)
	_, err = store.AdjustStock(ctx, p.ID, 1)
	_, err2 := store.Pool().Exec(ctx, "ALTER TABLE products ENABLE TRIGGER products_stock_reopened")
	require.NoError(t, err)
	require.NoError(t, err2)
	waitFor(t, "the listener to reconnect", s.SoldOutListening)
	_, err = s.PlaceOrder(ctx, u.ID, key(), req, render)
	require.NoError(t, err, "a notification missed while disconnected does not leave the product refused")
}

// Orders placed in one group get an order number each, distinct and the same in the answer and
// in the database, and keep their own shipping address (or none).
func TestGroupedOrdersCarryTheirNumberAndAddress(t *testing.T) {
	s := openInstance(t)
	p := newProduct(t, 10, 500)
	users := make([]shop.User, 4)
	for i := range users {
		users[i] = newUser(t)
	}
	var attempts []attempt
	for i, u := range users[1:] {
		a := one(u, p.ID, 1)
		if i != 1 {
			a.req.ShippingAddress = &shop.ShippingAddress{Name: fmt.Sprintf("Buyer %d", i), Line1: "1 Main St",
				City: "Lyon", PostalCode: "69001", Country: "FR"}
		}
		attempts = append(attempts, a)
	}
	before := s.GroupStats()
	first, out := gather(t, s, p.ID, one(users[0], p.ID, 1), attempts)
	require.NoError(t, first.err)
	require.Equal(t, int64(1), s.GroupStats().Groups-before.Groups, "the three attempts were one group")
	numbers := map[string]bool{}
	for i, o := range out {
		require.NoError(t, o.err)
		var answered shop.Order
		require.NoError(t, json.Unmarshal(o.res.Body, &answered))
		require.Regexp(t, `^SH-\d{6,}$`, answered.Number)
		assert.False(t, numbers[answered.Number], "order number %s given twice", answered.Number)
		numbers[answered.Number] = true
		stored, err := s.GetOrder(context.Background(), users[i+1].ID, answered.ID)
		require.NoError(t, err)
		assert.Equal(t, answered.Number, stored.Number, "the answer's number is the stored one")
		assert.Equal(t, attempts[i].req.ShippingAddress, stored.ShippingAddress)
		assert.Equal(t, answered.ShippingAddress, stored.ShippingAddress)
	}
}

// With payments on, grouped orders are taken as the one-order path takes them: pending payment,
// with the provider and an expiry, in the answer and in the database.
func TestGroupedOrdersAwaitPaymentWhenPaymentsAreOn(t *testing.T) {
	s := openInstance(t, postgres.WithPayments("stripe", time.Hour))
	p := newProduct(t, 10, 700)
	users := make([]shop.User, 4)
	for i := range users {
		users[i] = newUser(t)
	}
	var attempts []attempt
	for _, u := range users[1:] {
		attempts = append(attempts, one(u, p.ID, 2))
	}
	before := s.GroupStats()
	first, out := gather(t, s, p.ID, one(users[0], p.ID, 1), attempts)
	require.NoError(t, first.err)
	require.Equal(t, int64(1), s.GroupStats().Groups-before.Groups, "the three attempts were one group")
	for i, o := range out {
		require.NoError(t, o.err)
		var answered shop.Order
		require.NoError(t, json.Unmarshal(o.res.Body, &answered))
		assert.Equal(t, shop.StatusPendingPayment, answered.Status)
		stored, err := s.GetOrder(context.Background(), users[i+1].ID, answered.ID)
		require.NoError(t, err)
		assert.Equal(t, shop.StatusPendingPayment, stored.Status)
		require.NotNil(t, stored.Payment)
		assert.Equal(t, "stripe", stored.Payment.Provider)
		require.NotNil(t, stored.Payment.ExpiresAt)
		assert.WithinDuration(t, answered.CreatedAt.Add(time.Hour), *stored.Payment.ExpiresAt, time.Second)
	}
	assert.Equal(t, 10-1-6, stockOf(t, p.ID), "the reservation takes the stock")
}
