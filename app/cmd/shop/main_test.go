package main_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pgtest"
)

var binary, mediaDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shop-bin")
	if err != nil {
		panic(err)
	}
	binary, mediaDir = filepath.Join(dir, "shop"), filepath.Join(dir, "media")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build shop: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuf is an output buffer safe for the process's writer goroutine and the test.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func shopCmd(env []string, args ...string) (*exec.Cmd, *syncBuf) {
	cmd := exec.Command(binary, args...)
	// No HOME: the media directory must be given (it defaults to one under HOME).
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "SHOP_MEDIA_DIR=" + mediaDir}, env...)
	out := &syncBuf{}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out
}

// migrations is the number of the shop's migrations, the schema version `shop migrate` reaches.
func migrations(t *testing.T) int {
	files, err := filepath.Glob("../../postgres/migrations/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return len(files)
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func waitHealthy(t *testing.T, addr string, out *syncBuf) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + addr + "/api/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("shop did not become healthy; output:\n%s", out)
}

// asAppRole is dbURL with the user `shop migrate` creates for `shop serve`.
func asAppRole(t *testing.T, dbURL string) string {
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	u.User = url.User("shop_app")
	return u.String()
}

// TestServeAsAppRoleEnsuresAdminAndShutsDownGracefully: `shop migrate` with the owner's
// credentials prepares the schema and the application role; `shop serve` runs as that role.
func TestServeAsAppRoleEnsuresAdminAndShutsDownGracefully(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	addr := freeAddr(t)
	migrate, migrateOut := shopCmd([]string{"DATABASE_URL=" + dbURL}, "migrate")
	require.NoError(t, migrate.Run(), migrateOut.String())
	assert.Contains(t, migrateOut.String(), `"app_role":"shop_app"`)
	const password = "s3cret-admin-password"
	cmd, out := shopCmd([]string{"DATABASE_URL=" + asAppRole(t, dbURL), "SHOP_ADDR=" + addr,
		"SHOP_ADMIN_EMAIL=admin@example.com", "SHOP_ADMIN_PASSWORD=" + password, "SHOP_CLIENT_IP_HEADER=X-Viewer-Ip",
		"SHOP_HASH_CONCURRENCY=1"}, "serve")
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill() //nolint:errcheck // already exited on the happy path
	waitHealthy(t, addr, out)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	code, _, stderr := healthcheck(t, ":"+port)
	assert.Equal(t, 0, code, "the container health check passes against the real server: %s", stderr)

	res, err := http.Post("http://"+addr+"/api/auth/login", "application/json",
		strings.NewReader(`{"email":"admin@example.com","password":"`+password+`"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	assert.Contains(t, string(body), `"is_admin":true`)

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/api/healthz", nil)
	require.NoError(t, err)
	req.Header.Set("X-Viewer-Ip", "198.51.100.30")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	// serve compresses (the contract is larger than 1 KiB) and answers the shop's identity.
	req, err = http.NewRequest(http.MethodGet, "http://"+addr+"/api/openapi.yaml", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = (&http.Transport{DisableCompression: true}).RoundTrip(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	res, err = http.Get("http://" + addr + "/api/shop")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Contains(t, string(body), `"name":"Shopstack Demo Store"`)

	// An in-flight request: headers and half the body sent before SIGTERM.
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	reg := `{"email":"late@example.com","password":"correct horse battery","name":"Late"}`
	_, err = fmt.Fprintf(conn, "POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(reg), reg[:10])
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	refused := false
	for deadline := time.Now().Add(10 * time.Second); !refused && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/api/healthz")
		if err != nil {
			refused = true
		} else {
			res.Body.Close()
		}
	}
	assert.True(t, refused, "no new connections after SIGTERM")
	code, _, stderr = healthcheck(t, ":"+port)
	assert.Equal(t, 1, code, "the health check fails once the server stops listening")
	assert.Contains(t, stderr, "connection refused")

	_, err = conn.Write([]byte(reg[10:]))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the in-flight request is finished")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, out.String())
	case <-time.After(25 * time.Second):
		t.Fatalf("shop did not exit after SIGTERM:\n%s", out)
	}
	logs := out.String()
	assert.Contains(t, logs, `"msg":"stopped"`)
	assert.Contains(t, logs, `"SHOP_WORKERS":2`)
	assert.Contains(t, logs, `"msg":"background workers started","workers":2`)
	assert.Contains(t, logs, `"SHOP_ADMIN_PASSWORD":"*****"`)
	assert.Contains(t, logs, `"SHOP_CLIENT_IP_HEADER":"X-Viewer-Ip"`)
	assert.Contains(t, logs, `"SHOP_HASH_CONCURRENCY":1`, "the hashing bound is logged")
	assert.Contains(t, logs, `"SHOP_REGISTER_LIMIT":20`)
	assert.Contains(t, logs, `"ip":"198.51.100.30"`, "the request log names the client IP from SHOP_CLIENT_IP_HEADER")
	assert.NotContains(t, logs, password, "the secret never reaches the log")
	assert.Contains(t, logs, `"request_id"`)
	assert.Contains(t, logs, `"DATABASE_URL":"postgres://shop_app@`)
}

// TestServeRefusesAnUnmigratedSchema: serve runs as a role that cannot run DDL, so it checks
// the schema instead of migrating, and says what to do.
func TestServeRefusesAnUnmigratedSchema(t *testing.T) {
	t.Parallel()
	cmd, out := shopCmd([]string{"DATABASE_URL=" + pgtest.NewDatabase(t), "SHOP_ADDR=" + freeAddr(t)}, "serve")
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out.String())
	assert.Contains(t, out.String(), fmt.Sprintf("schema version 0, this build needs %d: run `shop migrate`", migrations(t)))
	assert.NotContains(t, out.String(), `"msg":"listening"`)
}

func TestSubcommands(t *testing.T) {
	t.Parallel()
	server, err := url.Parse(pgtest.ServerURL())
	require.NoError(t, err)
	name := fmt.Sprintf("shop_cmd_test_%d", time.Now().UnixNano())
	dbu := *server
	dbu.Path = "/" + name
	dbURL := dbu.String()
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, pgtest.ServerURL())
		if assert.NoError(t, err) {
			_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			assert.NoError(t, err)
			conn.Close(ctx)
		}
	})
	env := []string{"DATABASE_URL=" + dbURL}

	run := func(args ...string) string {
		cmd, out := shopCmd(env, args...)
		require.NoError(t, cmd.Run(), out.String())
		return out.String()
	}
	assert.Contains(t, run("createdb"), `"created":true`)
	assert.Contains(t, run("createdb"), `"created":false`)

	// Several instances migrating at once: the advisory lock serialises them.
	var wg sync.WaitGroup
	// tern numbers the migrations 1..n, so a fresh database ends at n.
	outs := make([]string, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() {
			cmd, out := shopCmd(env, "migrate")
			errs[i] = cmd.Run()
			outs[i] = out.String()
		})
	}
	wg.Wait()
	for i := range 3 {
		require.NoError(t, errs[i], outs[i])
		assert.Contains(t, outs[i], fmt.Sprintf(`"version":%d`, migrations(t)))
	}

	assert.Contains(t, run("seed"), `"added":36`)
	assert.Contains(t, run("seed"), `"added":0`, "seeding is idempotent")
}

func TestBadConfigFailsClearly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  []string
		args []string
		want string
	}{
		{nil, nil, "usage: shop"},
		{nil, []string{"frobnicate"}, `unknown command \"frobnicate\"`},
		{[]string{"SHOP_ADMIN_EMAIL=a@example.com"}, []string{"serve"}, "must be set together"},
		{[]string{"SHOP_ADMIN_EMAIL=a@example.com", "SHOP_ADMIN_PASSWORD=short"}, []string{"serve"}, "SHOP_ADMIN_PASSWORD must be"},
		{[]string{"SHOP_DB_MAX_CONNS=lots"}, []string{"serve"}, "SHOP_DB_MAX_CONNS"},
		{[]string{"SHOP_WORKERS=-1"}, []string{"serve"}, `SHOP_WORKERS=\"-1\": want an integer from 0 (off) to 100`},
		{[]string{"SHOP_WORKERS=many"}, []string{"serve"}, "SHOP_WORKERS"},
		{[]string{"SHOP_CLIENT_IP_HEADER=X Viewer Ip"}, []string{"serve"}, `SHOP_CLIENT_IP_HEADER: header \"X Viewer Ip\" is not a header name`},
		{[]string{"SHOP_VIEWER_HOST_HEADER=X Viewer Host"}, []string{"serve"}, `SHOP_VIEWER_HOST_HEADER: header \"X Viewer Host\" is not a header name`},
		{[]string{"DATABASE_URL=postgres://u:hunter2@127.0.0.1:1/shop?connect_timeout=2", "SHOP_DB_WAIT=1s"}, []string{"migrate"}, "connect to 127.0.0.1:1/shop"},
		{[]string{"DATABASE_URL=postgres://u@127.0.0.1:1/shop?connect_timeout=2&password=hunter2", "SHOP_DB_WAIT=1s"}, []string{"migrate"}, "connect to 127.0.0.1:1/shop"},
		{[]string{"DATABASE_URL=postgres://u@127.0.0.1:1/shop", "SHOP_DB_WAIT=2s"}, []string{"serve"}, `no answer within 2s`},
		{[]string{"DATABASE_URL=postgres://u:hunter2@127.0.0.1:port/shop"}, []string{"serve"}, "DATABASE_URL: cannot parse"},
		{[]string{"SHOP_ADDR=18103"}, []string{"serve"}, `SHOP_ADDR=\"18103\": want host:port or :port`},
		{[]string{"SHOP_ADDR=:http"}, []string{"serve"}, `SHOP_ADDR=\":http\": want a numeric port`},
		{[]string{"SHOP_SITE_DIR=/no/such/dir"}, []string{"serve"}, "SHOP_SITE_DIR=\\\"/no/such/dir\\\": want a folder holding index.html"},
		{[]string{"SHOP_DB_WAIT=soon"}, []string{"serve"}, `SHOP_DB_WAIT=\"soon\": want a positive duration`},
		{[]string{"SHOP_ALLOWED_ORIGINS=https://shop.example.com,shop.example.com"}, []string{"serve"}, `SHOP_ALLOWED_ORIGINS: origin \"shop.example.com\"`},
		{[]string{"SHOP_DB_APP_ROLE=Shop-App"}, []string{"migrate"}, `SHOP_DB_APP_ROLE: role name \"Shop-App\"`},
		{[]string{"SHOP_DB_PASSWORD_FILE=/no/such/file"}, []string{"serve"}, `SHOP_DB_PASSWORD_FILE=\"/no/such/file\": read password file`},
		{[]string{"SHOP_DB_IAM_AUTH=maybe"}, []string{"serve"}, `SHOP_DB_IAM_AUTH=\"maybe\": want true or false`},
		{[]string{"SHOP_DB_IAM_AUTH=true", "DATABASE_URL=postgres://shop_app@db.cluster-x.eu-west-1.rds.amazonaws.com/shop?sslmode=prefer"}, []string{"serve"},
			"SHOP_DB_IAM_AUTH=true needs TLS on every connection"},
		{[]string{"SHOP_DB_IAM_AUTH=true", "DATABASE_URL=postgres://shop_app@127.0.0.1/shop?sslmode=require"}, []string{"serve"},
			"SHOP_DB_IAM_AUTH=true needs the database's AWS region"},
		{[]string{"SHOP_DB_IAM_AUTH=true", "SHOP_DB_PASSWORD_FILE=/etc/hostname", "DATABASE_URL=postgres://shop_app@db.cluster-x.eu-west-1.rds.amazonaws.com/shop?sslmode=require"},
			[]string{"serve"}, "SHOP_DB_PASSWORD_FILE and SHOP_DB_IAM_AUTH=true exclude each other"},
		{[]string{"SHOP_HASH_CONCURRENCY=0"}, []string{"serve"}, `SHOP_HASH_CONCURRENCY=\"0\": want an integer from 1 to 1024`},
		{[]string{"SHOP_REGISTER_LIMIT=lots"}, []string{"serve"}, `SHOP_REGISTER_LIMIT=\"lots\": want an integer`},
		{[]string{"SHOP_REGISTER_WINDOW=100ms"}, []string{"serve"}, `SHOP_REGISTER_WINDOW=\"100ms\": want a duration from 1s to 168h`},
		{[]string{"SHOP_ADMIN_EMAIL=admin\u200b@example.com", "SHOP_ADMIN_PASSWORD=long enough password"}, []string{"serve"},
			`must not contain the invisible or control character U+200B`},
		{[]string{"SHOP_MEDIA_DIR=", "HOME="}, []string{"serve"}, "SHOP_MEDIA_DIR is unset and so are XDG_STATE_HOME and HOME"},
		{[]string{"SHOP_MEDIA_BUCKET=shop-media"}, []string{"serve"}, "SHOP_MEDIA_BUCKET and SHOP_MEDIA_DIR exclude each other"},
		{[]string{"SHOP_MEDIA_DIR=", "SHOP_MEDIA_BUCKET=shop-media"}, []string{"serve"}, "SHOP_MEDIA_BUCKET needs AWS_REGION"},
		{[]string{"SHOP_MEDIA_DIR=", "SHOP_MEDIA_BUCKET=Shop_Media", "AWS_REGION=eu-west-1"}, []string{"serve"}, `SHOP_MEDIA_BUCKET=\"Shop_Media\": want an S3 bucket name`},
		{[]string{"SHOP_MEDIA_PUBLIC_BASE=http://cdn.example/media"}, []string{"serve"}, `SHOP_MEDIA_PUBLIC_BASE=\"http://cdn.example/media\": want a path`},
		{[]string{"SHOP_MEDIA_PUBLIC_BASE=/media/"}, []string{"serve"}, `SHOP_MEDIA_PUBLIC_BASE=\"/media/\"`},
		{[]string{"SHOP_RETURNS_DAYS=a month"}, []string{"serve"}, `SHOP_RETURNS_DAYS=\"a month\": want an integer from 0 to 365`},
		{[]string{"SHOP_CONTACT_EMAIL=nobody"}, []string{"serve"}, `SHOP_CONTACT_EMAIL=\"nobody\": want an email address`},
		{[]string{"SHOP_CURRENCY=usd"}, []string{"serve"}, `SHOP_CURRENCY=\"usd\": want an ISO 4217 code`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append(tt.env, tt.args...), " "), func(t *testing.T) {
			t.Parallel()
			cmd, out := shopCmd(tt.env, tt.args...)
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, 1, exit.ExitCode())
			assert.Contains(t, out.String(), tt.want)
			assert.NotContains(t, out.String(), "hunter2")
			assert.NotContains(t, out.String(), `"msg":"listening"`)
		})
	}
}

// TestEveryBadVariableIsReportedAtOnce: one run names every bad variable, before anything
// starts: nothing is logged as listening, and the database is never contacted.
func TestEveryBadVariableIsReportedAtOnce(t *testing.T) {
	t.Parallel()
	cmd, out := shopCmd([]string{"SHOP_ADDR=18103", "SHOP_DB_MAX_CONNS=lots", "SHOP_DB_WAIT=-1s", "SHOP_SHUTDOWN_TIMEOUT=0",
		"SHOP_ALLOWED_ORIGINS=evil", "SHOP_CLIENT_IP_HEADER=X Viewer", "SHOP_DB_IAM_AUTH=yes please",
		"DATABASE_URL=postgres://u@127.0.0.1:1/shop"}, "serve")
	start := time.Now()
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Less(t, time.Since(start), 5*time.Second, "no database wait: the config failed first")
	for _, name := range []string{"SHOP_ADDR", "SHOP_DB_MAX_CONNS", "SHOP_DB_WAIT", "SHOP_SHUTDOWN_TIMEOUT",
		"SHOP_ALLOWED_ORIGINS", "SHOP_CLIENT_IP_HEADER", "SHOP_DB_IAM_AUTH"} {
		assert.Contains(t, out.String(), name)
	}
	assert.Contains(t, out.String(), "want host:port")
	assert.NotContains(t, out.String(), `"msg":"listening"`)
	assert.NotContains(t, out.String(), `"msg":"config"`, "the effective config is logged only once it is valid")
	assert.Equal(t, 0, strings.Count(strings.TrimSpace(out.String()), "\n"), "one log line")
}
