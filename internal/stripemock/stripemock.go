// Package stripemock runs stripe-mock (built once into .cache/bin by internal/testbin) for a
// test, behind a recording reverse proxy: stripe-mock is stateless and answers every create
// with the same fixture ids, so tests assert on the requests the shop sent (amount, currency,
// metadata, Idempotency-Key), not on the ids that come back.
package stripemock

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopstack/shopstack/internal/testbin"
)

// Tool is stripe-mock at the pinned version.
var Tool = testbin.Tool{Name: "stripe-mock", Package: "github.com/stripe/stripe-mock@v0.203.0"}

// Request is one API request the proxy passed to stripe-mock.
type Request struct {
	Method, Path   string
	Form           url.Values
	IdempotencyKey string
}

// Server is a running stripe-mock behind the recording proxy at URL.
type Server struct {
	URL     string
	mu      sync.Mutex
	reqs    []Request
	failing bool
}

// SetFailing makes the proxy answer every request 503 with Stripe's error shape (recorded, not
// passed on), as Stripe does when it is down, until SetFailing(false).
func (s *Server) SetFailing(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = on
}

// Start runs stripe-mock on a Unix socket in a temporary folder (no port to collide on) and the
// proxy on a free loopback port, both stopped in t's Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := testbin.Path(t, Tool)
	sock := filepath.Join(t.TempDir(), "stripe-mock.sock")
	cmd := exec.CommandContext(context.Background(), bin, "-http-unix", sock) //nolint:gosec // the cached test binary, by path from testbin
	if err := cmd.Start(); err != nil {
		t.Fatalf("stripemock: start: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}
	waitForSocket(t, dial)

	s := &Server{}
	target, _ := url.Parse("http://stripe-mock")
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = &http.Transport{DialContext: dial}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("stripemock: listen: %v", err)
	}
	srv := &http.Server{Handler: s.record(proxy), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.URL = "http://" + ln.Addr().String()
	return s
}

func waitForSocket(t testing.TB, dial func(context.Context, string, string) (net.Conn, error)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := dial(context.Background(), "", "")
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripemock: stripe-mock did not answer within 20s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, Form: form,
			IdempotencyKey: r.Header.Get("Idempotency-Key")})
		failing := s.failing
		s.mu.Unlock()
		if failing {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":{"type":"api_error","message":"stripemock: failing on purpose"}}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Requests returns the requests so far whose path starts with prefix ("" for all), in order.
func (s *Server) Requests(method, prefix string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.reqs {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}
