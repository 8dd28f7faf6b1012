package httpapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/shop"
)

// TestAdminRoutesNeedAnAdmin sends every route of the router under /api/admin (so a new one is
// covered without being listed here) without a session (401) and with a shopper's (403). No
// admin route is exempt: a route that should be open to others belongs elsewhere.
func TestAdminRoutesNeedAnAdmin(t *testing.T) {
	t.Parallel()
	e, err := httpapi.New(appConfig(store, slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	shopper, _ := registered(t)
	anon := newClient(t)
	shopper.base, anon.base = srv.URL, srv.URL
	id := "00000000-0000-4000-8000-000000000000"
	var routes []string
	for _, rt := range e.Routes() {
		if rt.Path != "/api/admin" && !strings.HasPrefix(rt.Path, "/api/admin/") {
			continue
		}
		routes = append(routes, rt.Method+" "+rt.Path)
		path := regexp.MustCompile(`:[a-z_]+`).ReplaceAllString(rt.Path, id)
		var body any
		if rt.Method != http.MethodGet && rt.Method != http.MethodHead {
			body = map[string]any{}
		}
		r := anon.do(rt.Method, path, body)
		if assert.Equal(t, http.StatusUnauthorized, r.status, "%s %s without a session: %s", rt.Method, path, r.body) {
			assert.Equal(t, "unauthenticated", r.errorCode(t), rt.Path)
		}
		r = shopper.do(rt.Method, path, body)
		if assert.Equal(t, http.StatusForbidden, r.status, "%s %s as a shopper: %s", rt.Method, path, r.body) {
			assert.Equal(t, "forbidden", r.errorCode(t), rt.Path)
			assert.Contains(t, string(r.body), "this needs an admin account", rt.Path)
		}
	}
	// The enumeration itself must see the console: these are a sample, not the list.
	for _, want := range []string{"POST /api/admin/products", "PATCH /api/admin/products/:id", "POST /api/admin/products/:id/stock",
		"GET /api/admin/orders", "PUT /api/admin/uploads/uploads/:id"} {
		assert.Contains(t, routes, want)
	}
}

func TestAdminProductsSearchLowStockAndPages(t *testing.T) {
	t.Parallel()
	a := admin(t)
	tag := strings.ToUpper(key())
	var ids []string
	for i, stock := range []int{0, 3, 9} {
		p, err := store.CreateProduct(context.Background(), shop.NewProduct{SKU: "ADM-" + tag[2:14] + "-" + string(rune('A'+i)),
			Name: "Zyx admin item " + tag + " " + string(rune('a'+i)), PriceCents: 100, Currency: "USD", Stock: stock, Category: "test"})
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	var page shop.AdminProductPage
	r := a.do("GET", "/api/admin/products?q="+strings.ToLower(tag)+"&limit=2", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.json(t, &page)
	assert.Equal(t, 3, page.Total)
	require.Len(t, page.Items, 2)
	assert.Equal(t, ids[:2], []string{page.Items[0].ID, page.Items[1].ID})
	require.NotNil(t, page.NextCursor)
	r = a.do("GET", "/api/admin/products?q="+strings.ToLower(tag)+"&limit=2&cursor="+*page.NextCursor, nil)
	r.json(t, &page)
	require.Len(t, page.Items, 1)
	assert.Equal(t, ids[2], page.Items[0].ID)
	assert.Nil(t, page.NextCursor)

	r = a.do("GET", "/api/admin/products?q="+tag+"&low_stock=3", nil)
	r.json(t, &page)
	assert.Equal(t, 2, page.Total, "stock 0 and 3 are at most 3")
	r = a.do("GET", "/api/admin/products?q=ADM-"+tag[2:14], nil)
	r.json(t, &page)
	assert.Equal(t, 3, page.Total, "a SKU prefix matches")
	r = a.do("GET", "/api/admin/products?q=%25", nil)
	r.json(t, &page)
	assert.Zero(t, page.Total, "LIKE wildcards are literal")

	for _, q := range []string{"low_stock=-1", "low_stock=x", "limit=0", "limit=101", "cursor=bogus"} {
		r = a.do("GET", "/api/admin/products?"+q, nil)
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, q)
		assert.Equal(t, "invalid_input", r.errorCode(t), q)
		assert.Contains(t, string(r.body), `"field":"`+strings.SplitN(q, "=", 2)[0]+`"`, q)
	}
}

func TestStockAdjustmentsAreRecorded(t *testing.T) {
	t.Parallel()
	a := admin(t)
	p := newProduct(t, 10, 100)
	var got shop.Product
	r := a.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": 5, "reason": "delivery from supplier"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.json(t, &got)
	assert.Equal(t, 15, got.Stock)
	r = a.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": -2})
	require.Equal(t, http.StatusOK, r.status, "a client without a reason keeps working")
	r.json(t, &got)
	assert.Equal(t, 13, got.Stock)
	assert.Equal(t, 13, stockOf(t, p.ID), "the stored stock is the answered one")
	r = a.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": -100, "reason": "too many"})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "stock_would_go_negative", r.errorCode(t))
	r = a.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": 1, "reason": strings.Repeat("x", 201)})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, string(r.body), `"field":"reason"`)
	assert.Equal(t, 13, stockOf(t, p.ID), "refused adjustments change no stock")

	r = a.do("GET", "/api/admin/products/"+p.ID+"/stock-movements", nil)
	require.Equal(t, http.StatusOK, r.status)
	var list struct{ Items []shop.StockMovement }
	r.json(t, &list)
	require.Len(t, list.Items, 2, "refused adjustments leave no movement")
	assert.Equal(t, -2, list.Items[0].Delta, "newest first")
	assert.Equal(t, "unspecified", list.Items[0].Reason)
	assert.Equal(t, 13, list.Items[0].StockAfter)
	assert.Equal(t, "delivery from supplier", list.Items[1].Reason)
	assert.Equal(t, 15, list.Items[1].StockAfter)
	require.NotNil(t, list.Items[0].ActorEmail)
	assert.Contains(t, *list.Items[0].ActorEmail, "@example.com")
	assert.WithinDuration(t, time.Now(), list.Items[0].At, time.Minute)

	r = a.do("GET", "/api/admin/products/00000000-0000-4000-8000-000000000000/stock-movements", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "not_found", r.errorCode(t))
}

var address = map[string]any{"name": "Ada Lovelace", "line1": "12 Analytical Row", "line2": "Flat 3", "city": "London",
	"region": "Greater London", "postal_code": "NW1 6XE", "country": "GB"}

func TestOrdersCarryANumberAndAnAddress(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	p := newProduct(t, 10, 250)
	body := orderBody(p.ID, 2)
	body["shipping_address"] = address
	r := c.do("POST", "/api/orders", body, "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	assert.Regexp(t, regexp.MustCompile(`^SH-\d{6,}$`), o.Number)
	require.NotNil(t, o.ShippingAddress)
	assert.Equal(t, "GB", o.ShippingAddress.Country)
	assert.Equal(t, "Flat 3", o.ShippingAddress.Line2)

	var again shop.Order
	c.do("GET", "/api/orders/"+o.ID, nil).json(t, &again)
	assert.Equal(t, o.Number, again.Number)
	assert.Equal(t, o.ShippingAddress, again.ShippingAddress)

	r = c.do("POST", "/api/orders", orderBody(p.ID, 1), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status)
	var second shop.Order
	r.json(t, &second)
	assert.Nil(t, second.ShippingAddress, "the address is optional")
	assert.Greater(t, shop.OrderSeq(second.Number), shop.OrderSeq(o.Number), "numbers come from a sequence")

	bad := map[string]any{"name": "", "line1": strings.Repeat("x", 201), "city": "Paris", "country": "XX"}
	body = orderBody(p.ID, 1)
	body["shipping_address"] = bad
	r = c.do("POST", "/api/orders", body, "Idempotency-Key", key())
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	for _, f := range []string{"shipping_address.name", "shipping_address.line1", "shipping_address.country"} {
		assert.Contains(t, string(r.body), `"field":"`+f+`"`)
	}
	assert.NotContains(t, string(r.body), "shipping_address.city")
	for _, country := range []string{"gb", "UK", "GBR", "ZZ", "EU"} {
		a := map[string]any{"name": "A", "line1": "B", "city": "C", "country": country}
		body = orderBody(p.ID, 1)
		body["shipping_address"] = a
		r = c.do("POST", "/api/orders", body, "Idempotency-Key", key())
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, country)
	}
	assert.Equal(t, 7, stockOf(t, p.ID), "refused orders took no stock")
}

// pdfText is the text pdftotext (poppler-utils) reads from a PDF.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	require.NoError(t, err, "pdftotext (apt-get install poppler-utils)")
	return string(out)
}

// waitForInvoice polls GET /api/orders/{id}/invoice until it is no longer 202.
func waitForInvoice(t *testing.T, c *client, id string) response {
	t.Helper()
	return waitForDoc(t, c, "/api/orders/"+id+"/invoice")
}

// waitForDoc polls a document's path (invoice, credit note) until it is no longer 202.
func waitForDoc(t *testing.T, c *client, path string) response {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := c.do("GET", path, nil)
		if r.status != http.StatusAccepted {
			return r
		}
		assert.Equal(t, "2", r.header.Get("Retry-After"))
		require.True(t, time.Now().Before(deadline), "nothing at %s within 20 s", path)
		time.Sleep(50 * time.Millisecond)
	}
}

func TestInvoiceForTheOwnerAndCreditNoteOnCancel(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	p := newProduct(t, 10, 123456)
	body := orderBody(p.ID, 3)
	body["shipping_address"] = address
	r := c.do("POST", "/api/orders", body, "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status)
	var o shop.Order
	r.json(t, &o)

	r = waitForInvoice(t, c, o.ID)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, "application/pdf", r.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="`+o.Number+`.pdf"`, r.header.Get("Content-Disposition"))
	text := pdfText(t, r.body)
	for _, want := range []string{"Test Shop", "1 Test Street", "help@test.example", "Invoice " + o.Number,
		"Date: " + o.CreatedAt.Format("2006-01-02"), "Ada Lovelace", "12 Analytical Row", "Flat 3", "NW1 6XE London", "GB",
		p.SKU, "Test product", "USD 1,234.56", "USD 3,703.68"} {
		assert.Contains(t, text, want)
	}
	key, ok, err := store.InvoiceKey(context.Background(), o.ID, shop.DocInvoice)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "invoices/"+o.CreatedAt.Format("2006/01")+"/"+o.Number+".pdf", key)

	other, _ := registered(t)
	assert.Equal(t, http.StatusNotFound, other.do("GET", "/api/orders/"+o.ID+"/invoice", nil).status)
	assert.Equal(t, http.StatusUnauthorized, newClient(t).do("GET", "/api/orders/"+o.ID+"/invoice", nil).status)

	require.Equal(t, http.StatusOK, admin(t).do("POST", "/api/admin/orders/"+o.ID+"/cancel", nil).status)
	deadline := time.Now().Add(20 * time.Second)
	for {
		key, ok, err = store.InvoiceKey(context.Background(), o.ID, shop.DocCreditNote)
		require.NoError(t, err)
		if ok {
			break
		}
		require.True(t, time.Now().Before(deadline), "no credit note within 20 s")
		time.Sleep(50 * time.Millisecond)
	}
	assert.True(t, strings.HasSuffix(key, "/"+o.Number+"-credit.pdf"), key)
	rc, _, err := mediaStore.Get(context.Background(), key)
	require.NoError(t, err)
	defer rc.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rc)
	require.NoError(t, err)
	text = pdfText(t, buf.Bytes())
	assert.Contains(t, text, "Credit note "+o.Number)
	assert.Contains(t, text, "-USD 3,703.68")
}

func TestAdminOrdersAndCancelOnBehalf(t *testing.T) {
	t.Parallel()
	a := admin(t)
	c, u := registered(t)
	p := newProduct(t, 10, 100)
	var first, second shop.Order
	c.do("POST", "/api/orders", orderBody(p.ID, 2), "Idempotency-Key", key()).json(t, &first)
	c.do("POST", "/api/orders", orderBody(p.ID, 3), "Idempotency-Key", key()).json(t, &second)
	require.Equal(t, 5, stockOf(t, p.ID))

	var page shop.AdminOrderPage
	r := a.do("GET", "/api/admin/orders?limit=1", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.json(t, &page)
	require.Len(t, page.Items, 1)
	require.NotNil(t, page.NextCursor)
	// Other tests place orders at the same time: walk the pages until both of ours are seen.
	seen := map[string]shop.AdminOrder{}
	cursor := ""
	for range 500 {
		q := "/api/admin/orders?status=placed&limit=50"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		page = shop.AdminOrderPage{}
		a.do("GET", q, nil).json(t, &page)
		for _, o := range page.Items {
			assert.Equal(t, shop.StatusPlaced, o.Status)
			seen[o.ID] = o
		}
		if page.NextCursor == nil || (seen[first.ID].ID != "" && seen[second.ID].ID != "") {
			break
		}
		cursor = *page.NextCursor
	}
	require.Contains(t, seen, first.ID)
	assert.Equal(t, u.Email, seen[first.ID].CustomerEmail)
	assert.Equal(t, first.Number, seen[first.ID].Number)

	r = a.do("POST", "/api/admin/orders/"+first.ID+"/cancel", nil)
	require.Equal(t, http.StatusOK, r.status)
	var cancelled shop.Order
	r.json(t, &cancelled)
	assert.Equal(t, shop.StatusCancelled, cancelled.Status)
	assert.Equal(t, 7, stockOf(t, p.ID), "the stock came back")
	var status string
	var cancelledAt *time.Time
	require.NoError(t, store.Pool().QueryRow(context.Background(), `SELECT status, cancelled_at FROM orders WHERE id = $1`, first.ID).
		Scan(&status, &cancelledAt))
	assert.Equal(t, "cancelled", status, "stored as cancelled")
	require.NotNil(t, cancelledAt)
	assert.WithinDuration(t, time.Now(), *cancelledAt, time.Minute)
	assert.Equal(t, shop.StatusCancelled, getOrder(t, c, first.ID).Status, "the owner sees it cancelled")
	assert.Equal(t, shop.StatusPlaced, getOrder(t, c, second.ID).Status, "the other order is untouched")
	r = a.do("POST", "/api/admin/orders/"+first.ID+"/cancel", nil)
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "not_cancellable", r.errorCode(t))
	r = c.do("POST", "/api/orders/"+first.ID+"/cancel", nil)
	assert.Equal(t, http.StatusConflict, r.status, "the owner cannot cancel it again")
	assert.Equal(t, "not_cancellable", r.errorCode(t))
	assert.Equal(t, 7, stockOf(t, p.ID), "stock is returned once")
	r = a.do("POST", "/api/admin/orders/00000000-0000-4000-8000-000000000000/cancel", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "not_found", r.errorCode(t))

	r = a.do("GET", "/api/admin/orders?status=cancelled&limit=100", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	page = shop.AdminOrderPage{}
	r.json(t, &page)
	require.True(t, slices.ContainsFunc(page.Items, func(o shop.AdminOrder) bool { return o.ID == first.ID }),
		"the order just cancelled is listed")
	for _, o := range page.Items {
		assert.Equal(t, shop.StatusCancelled, o.Status)
	}
	// Every status an order can have is a filter (paid, pending_payment, expired with payments on).
	for _, status := range shop.OrderStatuses {
		r = a.do("GET", "/api/admin/orders?status="+status, nil)
		require.Equal(t, http.StatusOK, r.status, status)
		page = shop.AdminOrderPage{}
		r.json(t, &page)
		for _, o := range page.Items {
			assert.Equal(t, status, o.Status, "filtered by %s", status)
		}
	}
	bad := a.do("GET", "/api/admin/orders?status=shipped", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, bad.status)
	assert.Contains(t, string(bad.body), `"field":"status"`)
}

func TestShopInfoIsPublic(t *testing.T) {
	t.Parallel()
	r := newClient(t).do("GET", "/api/shop", nil)
	require.Equal(t, http.StatusOK, r.status)
	var got shop.Identity
	r.json(t, &got)
	assert.Equal(t, testShop, got)
}

func TestConsoleDependenciesGoTogether(t *testing.T) {
	t.Parallel()
	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.Media = nil
	_, err := httpapi.New(cfg)
	assert.ErrorContains(t, err, "Admin, Images, Invoices and Media go together")
	cfg.Admin, cfg.Images, cfg.Invoices = nil, nil, nil
	e, err := httpapi.New(cfg)
	require.NoError(t, err, "an API without the console")
	for _, r := range e.Routes() {
		assert.NotContains(t, r.Path, "/admin/orders", "no console routes without their stores")
	}
}
