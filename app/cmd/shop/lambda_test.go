package main_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/wake"
	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/internal/s3test"
	"github.com/shopstack/shopstack/internal/testbin"
)

// rieTool is the Lambda Runtime Interface Emulator, the runtime API Lambda gives a function,
// built once into .cache/bin.
var rieTool = testbin.Tool{Name: "aws-lambda-rie",
	Package: "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"}

// rie is one emulator running the shop binary as its function.
type rie struct {
	t    *testing.T
	addr string
	out  *syncBuf
}

// startRIE runs the emulator on free loopback ports (its invoke API and the runtime API it gives
// the function; the defaults :8080 and :9001 would collide), with cmdline as the function.
func startRIE(t *testing.T, env []string, cmdline ...string) *rie {
	t.Helper()
	bin := testbin.Path(t, rieTool)
	addr := freeAddr(t)
	args := append([]string{"--runtime-interface-emulator-address", addr, "--runtime-api-address", freeAddr(t)}, cmdline...)
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AWS_LAMBDA_FUNCTION_TIMEOUT=60"}
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "SHOP_MEDIA_BUCKET=") }) {
		cmd.Env = append(cmd.Env, "SHOP_MEDIA_DIR="+t.TempDir())
	}
	cmd.Env = append(cmd.Env, env...)
	out := &syncBuf{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", out)
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "emulator did not listen on %s:\n%s", addr, out)
	}
	return &rie{t: t, addr: addr, out: out}
}

// invoke sends one event and returns the function's answer, which must not be an error.
func (r *rie) invoke(event any) []byte {
	r.t.Helper()
	body := r.invokeRaw(event)
	require.NotContains(r.t, string(body), `"errorMessage"`, "the function failed")
	return body
}

// invokeRaw sends one event and returns what the emulator answers.
func (r *rie) invokeRaw(event any) []byte {
	r.t.Helper()
	b, err := json.Marshal(event)
	require.NoError(r.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+r.addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(b))
	require.NoError(r.t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(r.t, err)
	require.Equal(r.t, http.StatusOK, res.StatusCode, string(body))
	return body
}

// urlEvent is a Function URL event as CloudFront's OAC delivers it: AWS_IAM auth (an IAM
// authorizer block), the viewer's address in X-Viewer-Ip, and a public edge as sourceIp.
type urlEvent struct {
	method, path, query string
	headers             map[string]string
	cookies             []string
	body                string
	base64              bool
}

func (e urlEvent) event() events.LambdaFunctionURLRequest {
	h := map[string]string{"host": "abc123.lambda-url.eu-west-1.on.aws", "x-forwarded-proto": "https",
		"x-viewer-ip": "198.51.100.77", "user-agent": "rie-test"}
	for k, v := range e.headers {
		h[k] = v
	}
	if e.body != "" {
		h["content-type"] = "application/json"
	}
	body := e.body
	if e.base64 {
		body = base64.StdEncoding.EncodeToString([]byte(e.body))
	}
	ev := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: e.path, RawQueryString: e.query,
		Cookies: e.cookies, Headers: h, Body: body, IsBase64Encoded: e.base64}
	ev.RequestContext.Authorizer = &events.LambdaFunctionURLRequestContextAuthorizerDescription{
		IAM: &events.LambdaFunctionURLRequestContextAuthorizerIAMDescription{UserARN: "arn:aws:sts::012345678912:assumed-role/cloudfront"}}
	ev.RequestContext.DomainName = "abc123.lambda-url.eu-west-1.on.aws"
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = e.method, e.path
	ev.RequestContext.HTTP.SourceIP, ev.RequestContext.HTTP.Protocol = "203.0.113.200", "HTTP/1.1"
	return ev
}

func (r *rie) url(e urlEvent) events.LambdaFunctionURLResponse {
	r.t.Helper()
	var res events.LambdaFunctionURLResponse
	require.NoError(r.t, json.Unmarshal(r.invoke(e.event()), &res))
	return res
}

func cookieNamed(t *testing.T, cookies []string, name string) string {
	t.Helper()
	for _, c := range cookies {
		if strings.HasPrefix(c, name+"=") {
			return strings.SplitN(c, ";", 2)[0]
		}
	}
	t.Fatalf("no %s cookie in %q", name, cookies)
	return ""
}

// TestLambdaUnderTheRuntimeInterfaceEmulator runs the real shop binary as a Lambda function under
// the real emulator, against a real PostgreSQL: the migrate event (as `shop lambda`), then, as
// `bootstrap` connected as the application role, Function URL events for the health check,
// registration, the session, the catalog, an order and its replay, and the work event.
func TestLambdaUnderTheRuntimeInterfaceEmulator(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)

	migrator := startRIE(t, []string{"DATABASE_URL=" + dbURL}, binary, "lambda")
	var migrated struct {
		Version int32  `json:"version"`
		AppRole string `json:"app_role"`
	}
	require.NoError(t, json.Unmarshal(migrator.invoke(map[string]any{"shop_migrate": map[string]any{}}), &migrated))
	assert.Positive(t, migrated.Version)
	assert.Equal(t, "shop_app", migrated.AppRole)

	// The zip's executable is named bootstrap and started without arguments.
	dir := t.TempDir()
	require.NoError(t, os.Symlink(binary, filepath.Join(dir, "bootstrap")))
	const adminPassword = "lambda-admin-password"
	fn := startRIE(t, []string{"DATABASE_URL=" + asAppRole(t, dbURL), "SHOP_CLIENT_IP_HEADER=X-Viewer-Ip",
		"SHOP_ADMIN_EMAIL=admin@example.com", "SHOP_ADMIN_PASSWORD=" + adminPassword, "SHOP_HASH_CONCURRENCY=1",
		"OTEL_SERVICE_NAME=shop-lite"}, filepath.Join(dir, "bootstrap"))

	health := fn.url(urlEvent{method: "GET", path: "/api/healthz"})
	assert.Equal(t, http.StatusOK, health.StatusCode)
	assert.JSONEq(t, `{"status":"ok"}`, health.Body)
	assert.False(t, health.IsBase64Encoded)
	assert.Contains(t, health.Headers["Content-Type"], "application/json")

	reg := fn.url(urlEvent{method: "POST", path: "/api/auth/register",
		body: `{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}`})
	require.Equal(t, http.StatusCreated, reg.StatusCode, reg.Body)
	require.Len(t, reg.Cookies, 1, "the session cookie travels in cookies, not in headers")
	assert.NotContains(t, reg.Headers, "Set-Cookie")
	assert.Contains(t, reg.Cookies[0], "HttpOnly")
	assert.Contains(t, reg.Cookies[0], "Secure", "a Function URL is HTTPS only")
	session := cookieNamed(t, reg.Cookies, "shop_session")

	me := fn.url(urlEvent{method: "GET", path: "/api/me", cookies: []string{"other=1", session}})
	require.Equal(t, http.StatusOK, me.StatusCode, me.Body)
	assert.Contains(t, me.Body, `"email":"ada@example.com"`)

	login := fn.url(urlEvent{method: "POST", path: "/api/auth/login",
		body: `{"email":"admin@example.com","password":"` + adminPassword + `"}`})
	require.Equal(t, http.StatusOK, login.StatusCode, login.Body)
	admin := cookieNamed(t, login.Cookies, "shop_session")
	created := fn.url(urlEvent{method: "POST", path: "/api/admin/products", cookies: []string{admin},
		body: `{"sku":"LAMBDA-1","name":"Lambda Lamp","price_cents":1999,"category":"lighting","stock":5}`})
	require.Equal(t, http.StatusCreated, created.StatusCode, created.Body)
	var product struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(created.Body), &product))

	catalog := fn.url(urlEvent{method: "GET", path: "/api/products", query: "q=lamp&category=lighting"})
	require.Equal(t, http.StatusOK, catalog.StatusCode, catalog.Body)
	assert.Contains(t, catalog.Body, product.ID)
	assert.Contains(t, catalog.Body, `"total":1`)

	order := urlEvent{method: "POST", path: "/api/orders", cookies: []string{session}, base64: true,
		headers: map[string]string{"idempotency-key": "rie-order-1"},
		body:    `{"items":[{"product_id":"` + product.ID + `","quantity":2}]}`}
	first := fn.url(order)
	require.Equal(t, http.StatusCreated, first.StatusCode, first.Body)
	assert.NotContains(t, first.Headers, "Idempotent-Replayed")
	replay := fn.url(order)
	require.Equal(t, http.StatusCreated, replay.StatusCode, replay.Body)
	assert.Equal(t, "true", replay.Headers["Idempotent-Replayed"])
	assert.JSONEq(t, first.Body, replay.Body, "the replay is the first answer")
	stock := fn.url(urlEvent{method: "GET", path: "/api/products/" + product.ID})
	assert.Contains(t, stock.Body, `"stock":3`, "one order, not two")

	missing := fn.url(urlEvent{method: "POST", path: "/api/orders", cookies: []string{session}, body: `{"items":[]}`})
	assert.Equal(t, http.StatusBadRequest, missing.StatusCode, "no Idempotency-Key: %s", missing.Body)

	checkWorkEvent(t, fn, dbURL, product.ID)
	checkLambdaLogs(t, fn.out.String(), adminPassword)
}

// checkWorkEvent: the product's creation enqueued a search_index job, the order an invoice job;
// the work event runs them.
func checkWorkEvent(t *testing.T, fn *rie, dbURL, productID string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var state string
	const q = `SELECT state::text FROM river_job WHERE kind = 'search_index' AND args->>'product_id' = $1`
	require.NoError(t, conn.QueryRow(ctx, q, productID).Scan(&state))
	require.Equal(t, "available", state, "due before the work event")
	// Also due: the order's invoice; every job due now is run by the one event.
	var due int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'available'`).Scan(&due))
	require.GreaterOrEqual(t, due, 2, "the search_index job and the order's invoice")

	var res struct {
		Completed int    `json:"completed"`
		Failed    int    `json:"failed"`
		DueLeft   int64  `json:"due_left"`
		StoppedBy string `json:"stopped_by"`
		Pruned    bool   `json:"pruned"`
	}
	started := time.Now()
	require.NoError(t, json.Unmarshal(fn.invoke(map[string]any{"shop_work": map[string]any{"max_seconds": 20}}), &res))
	// Every due job, and perhaps upload_prune, which River's leader inserts on start when it is
	// elected within the event (best effort, workMinRun).
	assert.GreaterOrEqual(t, res.Completed, due)
	assert.LessOrEqual(t, res.Completed, due+1)
	assert.Zero(t, res.Failed)
	assert.Zero(t, res.DueLeft)
	assert.Equal(t, "no_due_jobs", res.StoppedBy, "it stops as soon as nothing is due, not at max_seconds")
	assert.Less(t, time.Since(started), 15*time.Second)
	assert.True(t, res.Pruned)
	require.NoError(t, conn.QueryRow(ctx, q, productID).Scan(&state))
	assert.Equal(t, "completed", state)

	bad := string(fn.invokeRaw(map[string]any{"shop_work": map[string]any{"max_seconds": 5000}}))
	assert.Contains(t, bad, `"errorMessage"`)
	assert.Contains(t, bad, "shop_work.max_seconds=5000: want 1 to 840")
	unknown := string(fn.invokeRaw(map[string]any{"detail-type": "Scheduled Event"}))
	assert.Contains(t, unknown, "unrecognised event")
}

// checkLambdaLogs: the request log takes the client IP from the trusted header, and the metrics
// arrive as EMF lines with the service name, the route and the status class.
func checkLambdaLogs(t *testing.T, logs, secret string) {
	t.Helper()
	assert.Contains(t, logs, `"ip":"198.51.100.77"`, "X-Viewer-Ip believed from the IAM-authenticated Function URL")
	assert.NotContains(t, logs, secret)
	assert.Contains(t, logs, `"SHOP_DB_MAX_CONNS":2`, "the Lambda default pool")
	var placed, requests bool
	for _, line := range strings.Split(logs, "\n") {
		i := strings.Index(line, `{"_aws"`)
		if i < 0 {
			i = strings.Index(line, "{")
		}
		if i < 0 || !strings.Contains(line, `"_aws"`) {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line[i:]), &rec), line)
		assert.Equal(t, "shop-lite", rec["service.name"])
		if rec["orders.placed"] == float64(1) {
			placed = true
		}
		if rec["http.route"] == "/api/orders" && rec["status_class"] == "2xx" && rec["http.server.requests"] != nil {
			requests = true
		}
	}
	assert.True(t, placed, "an orders.placed EMF line")
	assert.True(t, requests, "an http.server.requests EMF line for POST /api/orders, 2xx")
}

// TestLambdaAnswers503UntilTheDatabaseAnswers: a cold instance whose database does not answer
// (paused, resuming) answers Function URL events with 503 unavailable and Retry-After, which the
// storefront retries, and serves once the database is back, without a restart.
func TestLambdaAnswers503UntilTheDatabaseAnswers(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	migrate, out := shopCmd([]string{"DATABASE_URL=" + dbURL}, "migrate")
	require.NoError(t, migrate.Run(), out.String())
	proxy := pgtest.NewProxy(t)
	proxy.Cut()
	fn := startRIE(t, []string{"DATABASE_URL=" + proxy.URL(asAppRole(t, dbURL)), "SHOP_DB_WAIT=1s"}, binary, "lambda")

	down := fn.url(urlEvent{method: "GET", path: "/api/products"})
	require.Equal(t, http.StatusServiceUnavailable, down.StatusCode, down.Body)
	assert.Equal(t, "5", down.Headers["Retry-After"])
	var shape struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(down.Body), &shape))
	assert.Equal(t, "unavailable", shape.Error.Code)

	proxy.Restore()
	up := fn.url(urlEvent{method: "GET", path: "/api/products"})
	assert.Equal(t, http.StatusOK, up.StatusCode, up.Body)
	assert.Contains(t, fn.out.String(), `"msg":"lambda: not ready"`)
}

// workAnswer is the work event's answer.
type workAnswer struct {
	Completed int        `json:"completed"`
	StoppedBy string     `json:"stopped_by"`
	NextDue   *time.Time `json:"next_due"`
}

func (r *rie) work() workAnswer {
	r.t.Helper()
	var res workAnswer
	require.NoError(r.t, json.Unmarshal(r.invoke(map[string]any{"shop_work": map[string]any{"max_seconds": 20}}), &res))
	return res
}

// TestLambdaWorkMarker: with SHOP_WORK_MARKER (the S3 stand-in's bucket), a work event that finds
// nothing due answers without the database (shown by cutting the database off), a request that
// leaves a job moves the mark so the next tick connects and runs it, and one that leaves none
// does not write the mark.
func TestLambdaWorkMarker(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	migrate, out := shopCmd([]string{"DATABASE_URL=" + dbURL}, "migrate")
	require.NoError(t, migrate.Run(), out.String())
	srv := s3test.Start(t)
	proxy := pgtest.NewProxy(t)
	const adminPassword = "marker-admin-password"
	fn := startRIE(t, append(srv.Env(), "DATABASE_URL="+proxy.URL(asAppRole(t, dbURL)), "SHOP_DB_WAIT=2s",
		"SHOP_WORK_MARKER=s3://"+s3test.Bucket+"/work/due.json", "SHOP_ADMIN_EMAIL=admin@example.com",
		"SHOP_ADMIN_PASSWORD="+adminPassword, "SHOP_HASH_CONCURRENCY=1"), binary, "lambda")
	marker := wake.New(srv.Client, s3test.Bucket, "work/due.json")
	ctx := context.Background()

	first := fn.work()
	assert.Equal(t, "no_due_jobs", first.StoppedBy, "no mark yet: the tick connects")
	require.NotNil(t, first.NextDue)
	assert.WithinDuration(t, time.Now().Add(wake.QuietHorizon), *first.NextDue, time.Minute, "nothing pending: the quiet horizon")
	settled, err := marker.Read(ctx)
	require.NoError(t, err)
	require.True(t, settled.Exists)

	proxy.Cut()
	quiet := fn.work()
	assert.Equal(t, "not_due", quiet.StoppedBy, "answered without the database, which is cut off")
	require.NotNil(t, quiet.NextDue)
	assert.True(t, quiet.NextDue.Equal(*first.NextDue))
	proxy.Restore()

	// The cut broke the pool's idle connection: the first request may meet it and answer 503,
	// which the storefront retries, as here.
	var login events.LambdaFunctionURLResponse
	for range 3 {
		login = fn.url(urlEvent{method: "POST", path: "/api/auth/login",
			body: `{"email":"admin@example.com","password":"` + adminPassword + `"}`})
		if login.StatusCode != http.StatusServiceUnavailable {
			break
		}
	}
	require.Equal(t, http.StatusOK, login.StatusCode, login.Body)
	browse := fn.url(urlEvent{method: "GET", path: "/api/products"})
	require.Equal(t, http.StatusOK, browse.StatusCode, browse.Body)
	untouched, err := marker.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, settled.ETag, untouched.ETag, "requests that leave no job do not write the mark")

	created := fn.url(urlEvent{method: "POST", path: "/api/admin/products", cookies: []string{cookieNamed(t, login.Cookies, "shop_session")},
		body: `{"sku":"MARK-1","name":"Marker Mug","price_cents":900,"category":"kitchen","stock":3}`})
	require.Equal(t, http.StatusCreated, created.StatusCode, created.Body)
	advanced, err := marker.Read(ctx)
	require.NoError(t, err)
	assert.True(t, advanced.DueAt(time.Now()), "the product's search_index job is due now: %s", advanced.Due)

	ran := fn.work()
	assert.Equal(t, "no_due_jobs", ran.StoppedBy)
	assert.GreaterOrEqual(t, ran.Completed, 1, "the search_index job ran")
	require.NotNil(t, ran.NextDue)
	assert.Greater(t, time.Until(*ran.NextDue), time.Hour, "settled again once nothing is pending")
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var left int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available','scheduled','retryable','running')`).Scan(&left))
	assert.Zero(t, left)

	proxy.Cut()
	assert.Equal(t, "not_due", fn.work().StoppedBy)
}
