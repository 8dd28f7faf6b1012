package main_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// healthcheck runs `shop healthcheck` with SHOP_ADDR=addr and returns its
// exit code, stdout and stderr.
func healthcheck(t *testing.T, addr string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, "healthcheck")
	cmd.Env = []string{"SHOP_ADDR=" + addr,
		// A proxy in the environment must not be used for the probe.
		"HTTP_PROXY=http://127.0.0.1:9", "http_proxy=http://127.0.0.1:9"}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return 0, stdout.String(), stderr.String()
	}
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	return exit.ExitCode(), stdout.String(), stderr.String()
}

// port is the ":port" form of an httptest server's address, as SHOP_ADDR
// is usually written in a container.
func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return ":" + p
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	respond := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/healthz" || r.Method != http.MethodGet {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // "" means healthy
	}{
		{"ok", respond(200, `{"status":"ok"}`+"\n"), ""},
		{"server error", respond(503, `{"status":"ok"}`), "status 503, want 200"},
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "status 404, want 200"},
		{"redirect is not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, "status 302, want 200"},
		{"other status value", respond(200, `{"status":"starting"}`), `status "starting", want "ok"`},
		{"not JSON", respond(200, "<html>\nok\n</html>"), "body is not the health JSON"},
		{"empty body", respond(200, ""), "body is not the health JSON"},
		{"hangs", func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, "no answer within 2.5s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			start := time.Now()
			code, stdout, stderr := healthcheck(t, port(t, srv))
			if elapsed := time.Since(start); strings.HasPrefix(tt.want, "no answer within") {
				// The probe's own timeout is the behaviour under test here: it waits it out, then gives up
				// before ECS's 5 s timeout would kill it. No other case asserts how fast it runs.
				assert.GreaterOrEqual(t, elapsed, 2500*time.Millisecond, "gave up before its timeout")
				assert.Less(t, elapsed, 5*time.Second, "still waiting at the ECS default timeout")
			}
			assert.Empty(t, stdout)
			if tt.want == "" {
				assert.Equal(t, 0, code, stderr)
				assert.Empty(t, stderr)
				return
			}
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, tt.want)
			assert.True(t, strings.HasPrefix(stderr, "shop healthcheck: GET http://127.0.0.1:"), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		})
	}
}

func TestHealthcheckAddress(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(srv.Close) // after the parallel subtests, unlike defer
	p := port(t, srv)
	for _, addr := range []string{p, "0.0.0.0" + p, "[::]" + p, "127.0.0.1" + p, "localhost" + p} {
		t.Run("healthy "+addr, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := healthcheck(t, addr)
			assert.Equal(t, 0, code, stderr)
		})
	}
	closed := freeAddr(t)
	tests := []struct{ addr, want string }{
		{closed, "GET http://" + closed + "/api/healthz: dial tcp " + closed + ": connect: connection refused"},
		{"8080", `SHOP_ADDR="8080": want host:port or :port`},
		{":http", `SHOP_ADDR=":http": want a numeric port from 1 to 65535`},
		{":0", `SHOP_ADDR=":0": want a numeric port from 1 to 65535`},
		{":70000", `SHOP_ADDR=":70000": want a numeric port from 1 to 65535`},
	}
	for _, tt := range tests {
		t.Run("unhealthy "+tt.addr, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := healthcheck(t, tt.addr)
			assert.Equal(t, 1, code)
			assert.Equal(t, "shop healthcheck: "+tt.want+"\n", stderr)
		})
	}
}
