package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/invoice"
	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

var (
	mediaStore *media.Local
	store      *postgres.Store
	dbURL      string
	server     *httptest.Server
	doc        map[string]any
	logBuf     syncBuffer
)

// syncBuffer collects the service's logs so tests can check what is (not) logged.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// testShop is the shop identity the tests configure.
var testShop = shop.Identity{Name: "Test Shop", Address: "1 Test Street\n12345 Testtown", ContactEmail: "help@test.example",
	ReturnsDays: 30, Currency: "USD"}

// appConfig is the application's configuration with every store on s and the local media
// store, as cmd/shop wires it.
func appConfig(s *postgres.Store, log *slog.Logger) httpapi.Config {
	return httpapi.Config{Products: s, Search: s, Accounts: s, Orders: s, Admin: s, Images: s, Invoices: s,
		Media: mediaStore, Shop: testShop, Readiness: s, Log: log}
}

func TestMain(m *testing.M) {
	logBuf.mu = make(chan struct{}, 1)
	pgtest.Main(m, func(u string) {
		ctx := context.Background()
		log := slog.New(slog.NewJSONHandler(&logBuf, nil))
		// Every test registers from 127.0.0.1: the per-IP limit has its own server (abuse_test.go).
		s, err := postgres.Open(ctx, u, 10, log, postgres.WithRegistrationLimit(1_000_000, time.Hour))
		if err != nil {
			panic(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			panic(err)
		}
		if _, _, err := s.SeedProducts(ctx, shop.DemoCatalog()); err != nil {
			panic(err)
		}
		dir, err := os.MkdirTemp("", "shop-media-")
		if err != nil {
			panic(err)
		}
		if mediaStore, err = media.NewLocal(dir, ""); err != nil {
			panic(err)
		}
		e, err := httpapi.New(appConfig(s, log))
		if err != nil {
			panic(err)
		}
		// The background jobs (search index, picture variants, invoices) are worked as in
		// `shop serve`, polling often so tests wait for them briefly.
		jobs, err := river.NewClient(riverpgxv5.New(s.Pool()), &river.Config{
			Logger: log, FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
			Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
			Workers: workers(s, log),
		})
		if err != nil {
			panic(err)
		}
		if err := jobs.Start(ctx); err != nil {
			panic(err)
		}
		store, dbURL, server = s, u, httptest.NewServer(e)
		if err := yaml.Unmarshal(httpapi.OpenAPI, &doc); err != nil {
			panic(err)
		}
	})
}

// workers are the job workers `shop serve` runs (cmd/shop jobWorkers), on the local media store.
func workers(s *postgres.Store, log *slog.Logger) *river.Workers {
	w := search.Workers(search.PostgresIndexer{})
	river.AddWorker(w, &media.ImageWorker{Store: mediaStore, Sink: s, Log: log})
	river.AddWorker(w, &invoice.Worker{Orders: s, Store: mediaStore, Shop: testShop, Log: log})
	return w
}

// client is one browser: its own cookie jar. It talks to server unless base names another.
type client struct {
	t    *testing.T
	http *http.Client
	base string
}

func newClient(t *testing.T) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var e httpapi.ErrorBody
	r.json(t, &e)
	return e.Error.Code
}

// do sends a request and validates the response against the OpenAPI document: the status must
// be documented for the operation and a JSON body must match its schema.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(raw)
	}
	base := server.URL
	if c.base != "" {
		base = c.base
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	r := response{status: res.StatusCode, header: res.Header, body: raw}
	checkAgainstOpenAPI(c.t, method, req.URL.Path, r)
	return r
}

var seq atomic.Int64

func uniqueEmail() string {
	return fmt.Sprintf("shopper%d-%d@example.com", seq.Add(1), time.Now().UnixNano())
}

// registered returns a logged-in client and its user.
func registered(t *testing.T) (*client, shop.User) {
	c := newClient(t)
	r := c.do("POST", "/api/auth/register", map[string]string{"email": uniqueEmail(), "password": "correct horse battery", "name": "Shopper"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var u shop.User
	r.json(t, &u)
	return c, u
}

// admin returns a logged-in admin client.
func admin(t *testing.T) *client {
	email := uniqueEmail()
	_, err := store.EnsureAdmin(context.Background(), email, "admin password 123", "Admin")
	require.NoError(t, err)
	c := newClient(t)
	r := c.do("POST", "/api/auth/login", map[string]string{"email": email, "password": "admin password 123"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return c
}

func newProduct(t *testing.T, stock int, price int64) shop.Product {
	p, err := store.CreateProduct(context.Background(), shop.NewProduct{
		SKU: fmt.Sprintf("HTTP-%d-%d", seq.Add(1), time.Now().UnixNano()%1e9), Name: "Test product",
		PriceCents: price, Currency: "USD", Stock: stock, Category: "test"})
	require.NoError(t, err)
	return p
}

func orderBody(lines ...any) map[string]any {
	var items []map[string]any
	for i := 0; i+1 < len(lines); i += 2 {
		items = append(items, map[string]any{"product_id": lines[i], "quantity": lines[i+1]})
	}
	return map[string]any{"items": items}
}

func key() string { return fmt.Sprintf("k-%d-%d", seq.Add(1), time.Now().UnixNano()) }

func stockOf(t *testing.T, id string) int {
	p, err := store.GetProduct(context.Background(), id)
	require.NoError(t, err)
	return p.Stock
}

// --- a small validator for the subset of OpenAPI schema the document uses ---

func checkAgainstOpenAPI(t *testing.T, method, path string, r response) {
	t.Helper()
	tmpl, ok := matchPath(path)
	if !ok {
		return // not an API route (static files, unknown paths): nothing documented
	}
	op, ok := m(m(doc["paths"])[tmpl])[strings.ToLower(method)].(map[string]any)
	if !assert.True(t, ok, "%s %s is not documented", method, tmpl) {
		return
	}
	resp, ok := m(op["responses"])[fmt.Sprint(r.status)].(map[string]any)
	if !assert.True(t, ok, "%s %s answered %d, which the document does not list", method, tmpl, r.status) {
		return
	}
	resp = resolve(resp)
	content := m(resp["content"])
	if len(content) == 0 {
		assert.Empty(t, r.body, "%s %s %d: documented without a body", method, tmpl, r.status)
		return
	}
	js, ok := content["application/json"].(map[string]any)
	if !ok {
		return
	}
	assert.Contains(t, r.header.Get("Content-Type"), "application/json")
	var v any
	if !assert.NoError(t, json.Unmarshal(r.body, &v), "%s %s: body is not JSON", method, tmpl) {
		return
	}
	for _, problem := range validate(m(js["schema"]), v, "$") {
		t.Errorf("%s %s %d: response does not match the OpenAPI schema: %s\nbody: %s", method, tmpl, r.status, problem, r.body)
	}
}

func m(v any) map[string]any {
	mm, _ := v.(map[string]any)
	return mm
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

func matchPath(p string) (string, bool) {
	if !strings.HasPrefix(p, "/api/") {
		return "", false
	}
	for tmpl := range m(doc["paths"]) {
		parts := paramRE.Split(tmpl, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		if regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$").MatchString(p) {
			return tmpl, true
		}
	}
	return "", false
}

func resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		cur := any(doc)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = m(cur)[part]
		}
		s = m(cur)
	}
}

func validate(s map[string]any, v any, at string) []string {
	s = resolve(s)
	if v == nil {
		if s["nullable"] == true || s["type"] == nil {
			return nil
		}
		return []string{at + ": null is not allowed"}
	}
	var problems []string
	switch s["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{at + ": want an object"}
		}
		props := m(s["properties"])
		for _, r := range asList(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				problems = append(problems, at+": missing required "+r.(string))
			}
		}
		for k, val := range obj {
			ps, ok := props[k]
			if !ok {
				if s["additionalProperties"] == false {
					problems = append(problems, at+": undocumented property "+k)
				}
				continue
			}
			problems = append(problems, validate(m(ps), val, at+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return []string{at + ": want an array"}
		}
		for i, it := range arr {
			problems = append(problems, validate(m(s["items"]), it, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return []string{at + ": want a string"}
		}
		if enum := asList(s["enum"]); enum != nil && !contains(enum, str) {
			problems = append(problems, at+": "+str+" is not in the enum")
		}
		if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				problems = append(problems, at+": not a date-time")
			}
		}
	case "integer":
		f, ok := v.(float64)
		if !ok || f != float64(int64(f)) {
			return []string{at + ": want an integer"}
		}
		if lo, ok := s["minimum"].(int); ok && f < float64(lo) {
			problems = append(problems, fmt.Sprintf("%s: %v below minimum %d", at, f, lo))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{at + ": want a boolean"}
		}
	}
	return problems
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func contains(l []any, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
