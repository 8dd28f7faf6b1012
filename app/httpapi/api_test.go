package httpapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/site"
)

func TestRoutesMatchOpenAPI(t *testing.T) {
	t.Parallel()
	e, err := httpapi.New(appConfig(store, slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	var routes, documented []string
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		p := r.Path
		for _, seg := range strings.Split(r.Path, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		routes = append(routes, r.Method+" "+p)
	}
	for p, item := range m(doc["paths"]) {
		for method := range m(item) {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+p)
			}
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	assert.Equal(t, documented, routes, "every route is documented and every documented operation is routed")
}

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	r := newClient(t).do("GET", "/api/openapi.yaml", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, httpapi.OpenAPI, r.body)
	assert.Contains(t, r.header.Get("Content-Type"), "yaml")
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	r := c.do("GET", "/api/healthz", nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.body))
	r = c.do("GET", "/api/readyz", nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Len(t, r.header.Get("X-Request-Id"), 24)
}

// downStore answers pings with an error, as a store whose database is gone does.
type downStore struct{}

func (downStore) Ping(context.Context) error { return io.ErrUnexpectedEOF }

func TestReadinessFailsWithoutDatabase(t *testing.T) {
	t.Parallel()
	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.Readiness = downStore{}
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/readyz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.JSONEq(t, `{"error":{"code":"not_ready","message":"the database is not answering","details":null}}`, rec.Body.String())
	checkAgainstOpenAPI(t, "GET", "/api/readyz", response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
}

func TestNewRequiresEveryStore(t *testing.T) {
	t.Parallel()
	for name, drop := range map[string]func(*httpapi.Config){
		"Products":  func(c *httpapi.Config) { c.Products = nil },
		"Accounts":  func(c *httpapi.Config) { c.Accounts = nil },
		"Orders":    func(c *httpapi.Config) { c.Orders = nil },
		"Readiness": func(c *httpapi.Config) { c.Readiness = nil },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := appConfig(store, slog.New(slog.DiscardHandler))
			drop(&cfg)
			_, err := httpapi.New(cfg)
			assert.ErrorContains(t, err, name)
		})
	}
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	alice, _ := registered(t)
	bob, _ := registered(t)
	p := newProduct(t, 10, 100)
	r := alice.do("POST", "/api/orders", orderBody(p.ID, 1), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status)
	var o shop.Order
	r.json(t, &o)
	anon := newClient(t)

	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		status int
		code   string
	}{
		{"logged out: me", anon, "GET", "/api/me", nil, 401, "unauthenticated"},
		{"logged out: orders", anon, "GET", "/api/orders", nil, 401, "unauthenticated"},
		{"logged out: place order", anon, "POST", "/api/orders", orderBody(p.ID, 1), 401, "unauthenticated"},
		{"logged out: get order", anon, "GET", "/api/orders/" + o.ID, nil, 401, "unauthenticated"},
		{"logged out: cancel", anon, "POST", "/api/orders/" + o.ID + "/cancel", nil, 401, "unauthenticated"},
		{"logged out: admin", anon, "POST", "/api/admin/products", map[string]any{}, 401, "unauthenticated"},
		{"another user's order", bob, "GET", "/api/orders/" + o.ID, nil, 404, "not_found"},
		{"cancel another user's order", bob, "POST", "/api/orders/" + o.ID + "/cancel", nil, 404, "not_found"},
		{"malformed order id", alice, "GET", "/api/orders/42", nil, 404, "not_found"},
		{"non-admin creates product", bob, "POST", "/api/admin/products", map[string]any{"sku": "X-1"}, 403, "forbidden"},
		{"non-admin patches product", bob, "PATCH", "/api/admin/products/" + p.ID, map[string]any{"name": "x"}, 403, "forbidden"},
		{"non-admin adjusts stock", bob, "POST", "/api/admin/products/" + p.ID + "/stock", map[string]any{"delta": 100}, 403, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *tt.c
			c.t = t
			r := c.do(tt.method, tt.path, tt.body, "Idempotency-Key", key())
			assert.Equal(t, tt.status, r.status, string(r.body))
			assert.Equal(t, tt.code, r.errorCode(t))
		})
	}
	assert.Equal(t, 9, stockOf(t, p.ID), "nothing changed the stock")
	r = bob.do("GET", "/api/orders", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"items":[]}`, string(r.body), "own orders only")
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	adm := admin(t)
	p := newProduct(t, 5, 100)
	okOrder := `{"items":[{"product_id":"` + p.ID + `","quantity":1}]}`

	tests := []struct {
		name    string
		c       *client
		method  string
		path    string
		body    string
		headers []string
		status  int
		code    string
	}{
		{"malformed JSON", c, "POST", "/api/orders", `{"items":[`, nil, 400, "malformed_json"},
		{"wrong type", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":"2"}]}`, nil, 422, "invalid_input"},
		{"unknown field", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":1}],"discount":100}`, nil, 422, "invalid_input"},
		{"negative quantity", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":-1}]}`, nil, 422, "invalid_input"},
		{"zero quantity", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":0}]}`, nil, 422, "invalid_input"},
		{"huge quantity", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":99999999999999999999999}]}`, nil, 422, "invalid_input"},
		{"quantity above the line limit", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":1001}]}`, nil, 422, "invalid_input"},
		{"duplicate product lines", c, "POST", "/api/orders", `{"items":[{"product_id":"` + p.ID + `","quantity":1},{"product_id":"` + p.ID + `","quantity":1}]}`, nil, 422, "invalid_input"},
		{"unknown product id", c, "POST", "/api/orders", `{"items":[{"product_id":"00000000-0000-4000-8000-000000000000","quantity":1}]}`, nil, 422, "unknown_product"},
		{"not an id", c, "POST", "/api/orders", `{"items":[{"product_id":"1; DROP TABLE products","quantity":1}]}`, nil, 422, "invalid_input"},
		{"no items", c, "POST", "/api/orders", `{"items":[]}`, nil, 422, "invalid_input"},
		{"oversized body", c, "POST", "/api/orders", `{"items":[` + strings.Repeat(" ", httpapi.DefaultBodyLimit) + `]}`, nil, 413, "body_too_large"},
		{"wrong content type", c, "POST", "/api/orders", okOrder, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"form content type", c, "POST", "/api/auth/login", "email=a&password=b", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"missing content type", c, "POST", "/api/auth/register", `{}`, []string{"Content-Type", ""}, 415, "unsupported_media_type"},
		{"missing Idempotency-Key", c, "POST", "/api/orders", okOrder, []string{"Idempotency-Key", ""}, 400, "idempotency_key_required"},
		{"Idempotency-Key too long", c, "POST", "/api/orders", okOrder, []string{"Idempotency-Key", strings.Repeat("k", 201)}, 422, "invalid_input"},
		{"register: bad email", c, "POST", "/api/auth/register", `{"email":"nope","password":"correct horse","name":"A"}`, nil, 422, "invalid_input"},
		{"register: trailing garbage", c, "POST", "/api/auth/register", `{"email":"a@b.co","password":"correct horse","name":"A"}x`, nil, 400, "malformed_json"},
		{"login: array body", c, "POST", "/api/auth/login", `[]`, nil, 422, "invalid_input"},
		// PostgreSQL text cannot hold NUL: it must be refused before any query, not become a 500.
		{"login: NUL in email", c, "POST", "/api/auth/login", `{"email":"a\u0000@example.com","password":"correct horse"}`, nil, 422, "invalid_input"},
		{"login: control character in email", c, "POST", "/api/auth/login", `{"email":"a\u0007@example.com","password":"correct horse"}`, nil, 422, "invalid_input"},
		{"products: bad limit", c, "GET", "/api/products?limit=1000", "", nil, 422, "invalid_input"},
		{"products: bad cursor", c, "GET", "/api/products?cursor=zzz", "", nil, 422, "invalid_input"},
		{"product: not found", c, "GET", "/api/products/00000000-0000-4000-8000-000000000000", "", nil, 404, "not_found"},
		{"admin: negative price", adm, "POST", "/api/admin/products", `{"sku":"NEG-1","name":"n","price_cents":-1,"category":"x"}`, nil, 422, "invalid_input"},
		{"admin: zero delta", adm, "POST", "/api/admin/products/" + p.ID + "/stock", `{"delta":0}`, nil, 422, "invalid_input"},
		{"admin: huge delta", adm, "POST", "/api/admin/products/" + p.ID + "/stock", `{"delta":1e12}`, nil, 422, "invalid_input"},
		{"admin: patch stock", adm, "PATCH", "/api/admin/products/" + p.ID, `{"stock":1}`, nil, 422, "invalid_input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := *tt.c
			cl.t = t
			var body any
			if tt.body != "" {
				body = tt.body
			}
			headers := append([]string{"Idempotency-Key", key()}, tt.headers...)
			r := cl.do(tt.method, tt.path, body, headers...)
			assert.Equal(t, tt.status, r.status, string(r.body))
			assert.Equal(t, tt.code, r.errorCode(t))
			assert.NotContains(t, string(r.body), "pgx")
			assert.NotContains(t, string(r.body), "SQLSTATE")
		})
	}
	assert.Equal(t, 5, stockOf(t, p.ID))
}

func TestMethodNotAllowedAndUnknownPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"DELETE", "/api/products", 405, "method_not_allowed"},
		{"GET", "/api/nope", 404, "not_found"},
		{"GET", "/", 404, "not_found"},
	} {
		req, err := http.NewRequest(tt.method, server.URL+tt.path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		raw, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, tt.status, res.StatusCode, tt.path)
		assert.Equal(t, tt.code, response{body: raw}.errorCode(t))
	}
}

func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	a, b := newProduct(t, 10, 250), newProduct(t, 3, 1000)

	k := key()
	r := c.do("POST", "/api/orders", orderBody(a.ID, 2, b.ID, 1), "Idempotency-Key", k)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	assert.Equal(t, shop.StatusPlaced, o.Status)
	assert.Equal(t, int64(1500), o.TotalCents)
	assert.Equal(t, "USD", o.Currency)
	assert.Empty(t, r.header.Get("Idempotent-Replayed"))

	t.Run("replay", func(t *testing.T) {
		c := *c
		c.t = t
		again := c.do("POST", "/api/orders", orderBody(b.ID, 1, a.ID, 2), "Idempotency-Key", k)
		assert.Equal(t, http.StatusCreated, again.status)
		assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
		assert.JSONEq(t, string(r.body), string(again.body))
		assert.Equal(t, 8, stockOf(t, a.ID))
	})
	t.Run("reuse with a different body", func(t *testing.T) {
		c := *c
		c.t = t
		reuse := c.do("POST", "/api/orders", orderBody(a.ID, 1), "Idempotency-Key", k)
		assert.Equal(t, http.StatusUnprocessableEntity, reuse.status)
		assert.Equal(t, "idempotency_key_reused", reuse.errorCode(t))
	})
	t.Run("insufficient stock names the shortfall", func(t *testing.T) {
		c := *c
		c.t = t
		short := c.do("POST", "/api/orders", orderBody(a.ID, 1, b.ID, 5), "Idempotency-Key", key())
		assert.Equal(t, http.StatusConflict, short.status)
		assert.JSONEq(t, `{"error":{"code":"insufficient_stock","message":"not enough stock for every line; nothing was ordered",
			"details":[{"product_id":"`+b.ID+`","requested":5,"available":2}]}}`, string(short.body))
		assert.Equal(t, 8, stockOf(t, a.ID))
	})

	r = c.do("GET", "/api/orders/"+o.ID, nil)
	require.Equal(t, http.StatusOK, r.status)
	var got shop.Order
	r.json(t, &got)
	assert.Equal(t, o, got)

	r = c.do("GET", "/api/orders", nil)
	require.Equal(t, http.StatusOK, r.status)
	var list struct{ Items []shop.Order }
	r.json(t, &list)
	require.Len(t, list.Items, 1)

	r = c.do("POST", "/api/orders/"+o.ID+"/cancel", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.json(t, &got)
	assert.Equal(t, shop.StatusCancelled, got.Status)
	assert.Equal(t, 10, stockOf(t, a.ID))
	assert.Equal(t, 3, stockOf(t, b.ID))

	r = c.do("POST", "/api/orders/"+o.ID+"/cancel", nil, "Content-Type", "application/json")
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "not_cancellable", r.errorCode(t))
	assert.Equal(t, 10, stockOf(t, a.ID))
}

func TestConcurrentSameKeyOverHTTP(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	p := newProduct(t, 50, 100)
	k := key()
	const n = 10
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := c.do("POST", "/api/orders", orderBody(p.ID, 3), "Idempotency-Key", k)
			assert.Equal(t, http.StatusCreated, r.status)
			bodies[i] = r.body
		})
	}
	wg.Wait()
	for i := range n {
		assert.JSONEq(t, string(bodies[0]), string(bodies[i]))
	}
	assert.Equal(t, 47, stockOf(t, p.ID))
}

func TestConcurrent40Plus11OverHTTP(t *testing.T) {
	t.Parallel()
	us, _ := registered(t)
	in, _ := registered(t)
	p := newProduct(t, 50, 1999)
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, b := range []struct {
		c   *client
		qty int
	}{{us, 40}, {in, 11}} {
		wg.Go(func() {
			<-start
			statuses[i] = b.c.do("POST", "/api/orders", orderBody(p.ID, b.qty), "Idempotency-Key", key()).status
		})
	}
	close(start)
	wg.Wait()
	slices.Sort(statuses)
	assert.Equal(t, []int{http.StatusCreated, http.StatusConflict}, statuses)
	assert.Contains(t, []int{10, 39}, stockOf(t, p.ID))
}

func TestSessions(t *testing.T) {
	t.Parallel()
	email := uniqueEmail()
	c := newClient(t)
	r := c.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "correct horse battery", "name": "S"})
	require.Equal(t, http.StatusCreated, r.status)
	ck := r.header.Get("Set-Cookie")
	assert.Contains(t, ck, "shop_session=")
	assert.Contains(t, ck, "HttpOnly")
	assert.Contains(t, ck, "SameSite=Lax")
	assert.Contains(t, ck, "Expires=")
	assert.NotContains(t, ck, "Secure", "plain HTTP without a proxy")

	r = c.do("POST", "/api/auth/register", map[string]string{"email": strings.ToUpper(email), "password": "correct horse battery", "name": "S"})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "email_taken", r.errorCode(t))

	behindTLS := newClient(t)
	r = behindTLS.do("POST", "/api/auth/login", map[string]string{"email": email, "password": "correct horse battery"}, "X-Forwarded-Proto", "https")
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.header.Get("Set-Cookie"), "Secure", "behind CloudFront/ALB over HTTPS")
	r = newClient(t).do("POST", "/api/auth/login", map[string]string{"email": email, "password": "correct horse battery"},
		"X-Forwarded-Proto", "http", "CloudFront-Forwarded-Proto", "https")
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.header.Get("Set-Cookie"), "Secure", "CloudFront over HTTPS, then plain HTTP to the ALB")

	me := c.do("GET", "/api/me", nil)
	require.Equal(t, http.StatusOK, me.status)
	var u shop.User
	me.json(t, &u)
	assert.Equal(t, email, u.Email)
	assert.False(t, u.IsAdmin)

	// Keep the cookie to prove logout revokes it server-side, not only in the browser.
	stolen := c.http.Jar.Cookies(mustURL(server.URL))
	r = c.do("POST", "/api/auth/logout", nil)
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Equal(t, http.StatusUnauthorized, c.do("GET", "/api/me", nil).status)
	replayer := newClient(t)
	replayer.http.Jar.SetCookies(mustURL(server.URL), stolen)
	assert.Equal(t, http.StatusUnauthorized, replayer.do("GET", "/api/me", nil).status)
}

func TestLoginFailuresAreUniformAndThrottled(t *testing.T) {
	t.Parallel()
	_, u := registered(t)
	c := newClient(t)
	wrong := c.do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong password"}, "X-Forwarded-For", "203.0.113.5")
	unknown := c.do("POST", "/api/auth/login", map[string]string{"email": "nobody-" + u.Email, "password": "wrong password"}, "X-Forwarded-For", "203.0.113.5")
	assert.Equal(t, http.StatusUnauthorized, wrong.status)
	assert.Equal(t, wrong.body, unknown.body, "the response does not reveal whether the email exists")
	for range 4 {
		c.do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong password"})
	}
	r := c.do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "correct horse battery"})
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "too_many_attempts", r.errorCode(t))
	assert.NotEmpty(t, r.header.Get("Retry-After"))
}

func TestAdminProducts(t *testing.T) {
	t.Parallel()
	adm := admin(t)
	sku := "ADM-" + strings.ToUpper(key()[2:12])
	r := adm.do("POST", "/api/admin/products", map[string]any{"sku": sku, "name": "Admin Tee", "price_cents": 1500, "stock": 2, "category": "apparel"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var p shop.Product
	r.json(t, &p)
	assert.Equal(t, 2, p.Stock)

	r = adm.do("POST", "/api/admin/products", map[string]any{"sku": sku, "name": "Again", "price_cents": 1, "category": "apparel"})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "sku_taken", r.errorCode(t))
	rows, err := store.Pool().Query(context.Background(), `SELECT name FROM products WHERE sku = $1`, sku)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, []string{"Admin Tee"}, names, "the refused create stored nothing")

	r = adm.do("PATCH", "/api/admin/products/"+p.ID, map[string]any{"price_cents": 1700, "name": "Admin Tee v2"})
	require.Equal(t, http.StatusOK, r.status)
	r.json(t, &p)
	assert.Equal(t, int64(1700), p.PriceCents)
	assert.Equal(t, "Admin Tee v2", p.Name)
	stored, err := store.GetProduct(context.Background(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, p, stored, "the patch is stored as answered")

	r = adm.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": -3})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "stock_would_go_negative", r.errorCode(t))
	assert.Equal(t, 2, stockOf(t, p.ID), "the refused adjustment changed nothing")
	r = adm.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": 5})
	require.Equal(t, http.StatusOK, r.status)
	r.json(t, &p)
	assert.Equal(t, 7, p.Stock)

	missing := "/api/admin/products/00000000-0000-4000-8000-000000000000"
	for _, r := range []response{adm.do("PATCH", missing, map[string]any{"name": "x"}), adm.do("POST", missing+"/stock", map[string]any{"delta": 1})} {
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, "not_found", r.errorCode(t))
	}

	r = newClient(t).do("GET", "/api/products/"+p.ID, nil)
	require.Equal(t, http.StatusOK, r.status)
	var public shop.Product
	r.json(t, &public)
	assert.Equal(t, p, public)
}

func TestCatalogPagination(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	seen := map[string]bool{}
	url := "/api/products?category=kitchen&limit=4"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		r := c.do("GET", url, nil)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var page shop.ProductPage
		r.json(t, &page)
		for _, p := range page.Items {
			assert.Equal(t, "kitchen", p.Category)
			assert.NotEmpty(t, p.ImageURL)
			seen[p.ID] = true
		}
		if page.NextCursor == nil {
			break
		}
		url = "/api/products?category=kitchen&limit=4&cursor=" + *page.NextCursor
	}
	assert.Len(t, seen, 6)
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	t.Parallel()
	cfg := appConfig(store, slog.New(slog.NewJSONHandler(&logBuf, nil)))
	cfg.Search = failingSearch{store}
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/products", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NotContains(t, rec.Body.String(), "secret-internal-detail")
	var body httpapi.ErrorBody
	require.NoError(t, jsonUnmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, "internal", body.Error.Code)
	assert.Contains(t, logBuf.String(), "secret-internal-detail")
	assert.Contains(t, logBuf.String(), rec.Header().Get(echo.HeaderXRequestID))
}

func TestPanicsBecomeInternalErrors(t *testing.T) {
	t.Parallel()
	cfg := appConfig(store, slog.New(slog.NewJSONHandler(&logBuf, nil)))
	cfg.Search = panickingSearch{store}
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/products", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.JSONEq(t, `{"error":{"code":"internal","message":"internal error; the request id identifies it in the logs","details":null}}`, rec.Body.String())
	assert.Contains(t, logBuf.String(), "panic: boom-in-store")
}

type panickingSearch struct{ shop.ProductSearcher }

func (panickingSearch) SearchProducts(context.Context, shop.ProductQuery) (shop.ProductPage, error) {
	panic(errors.New("boom-in-store"))
}

type failingSearch struct{ shop.ProductSearcher }

func (failingSearch) SearchProducts(context.Context, shop.ProductQuery) (shop.ProductPage, error) {
	return shop.ProductPage{}, errors.New("list products: secret-internal-detail")
}

func TestStaticSite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("index.html", "<!doctype html><title>shop</title>")
	write("assets/app-ABCDEFGH.js", "console.log(1)")
	write("favicon.ico", "ico")
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 4"/>`
	write("images/books.svg", svg)
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "leak.txt")))

	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.SiteDir = dir
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	defer srv.Close()

	tests := []struct {
		path, wantBody string
		status         int
		cache          string
	}{
		{"/", "<!doctype html><title>shop</title>", 200, site.CacheRevalidate},
		{"/index.html", "<!doctype html><title>shop</title>", 200, site.CacheRevalidate},
		{"/products/123", "<!doctype html><title>shop</title>", 200, site.CacheRevalidate},
		{"/assets/app-ABCDEFGH.js", "console.log(1)", 200, site.CacheImmutable},
		{"/favicon.ico", "ico", 200, site.CacheShort},
		{"/images/books.svg", svg, 200, site.CacheShort},
		{"/missing.png", "", 404, ""},
		{"/assets/missing", "", 404, ""},
		{"/leak.txt", "", 404, ""},
		{"/../" + filepath.Base(outside) + "/secret.txt", "", 404, ""},
		{"/%2e%2e/" + filepath.Base(outside) + "/secret.txt", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := http.Get(srv.URL + tt.path)
			require.NoError(t, err)
			defer res.Body.Close()
			raw, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.StatusCode)
			if tt.status == 200 {
				assert.Equal(t, tt.wantBody, string(raw))
				assert.Equal(t, tt.cache, res.Header.Get("Cache-Control"))
				for k, v := range site.SecurityHeaders() {
					assert.Equal(t, v, res.Header.Get(k), k)
				}
			} else {
				assert.NotContains(t, string(raw), "secret")
			}
		})
	}
	res, err := http.Get(srv.URL + "/images/books.svg")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"), "the demo product images render under nosniff")

	res, err = http.Get(srv.URL + "/api/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "the API still answers under /api")
	res, err = http.Get(srv.URL + "/api/nothing-here")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "unknown API paths are not the SPA")
	assert.Contains(t, res.Header.Get("Content-Type"), "application/json")

	cfg.SiteDir = t.TempDir()
	_, err = httpapi.New(cfg)
	assert.ErrorContains(t, err, "index.html")
}
