package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
)

const viewerIP = "X-Viewer-Ip"

func TestClientIPExtractor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string // Config.ClientIPHeader
		peer   string
		set    []string // header name, value pairs on the request
		want   string
	}{
		{"unset: X-Forwarded-For's right-most public hop, the viewer header ignored", "", "127.0.0.1:40000",
			[]string{viewerIP, "198.51.100.1", "X-Forwarded-For", "203.0.113.1"}, "203.0.113.1"},
		{"unset: the peer without X-Forwarded-For", "", "127.0.0.1:40000", []string{viewerIP, "198.51.100.1"}, "127.0.0.1"},
		{"loopback peer: the header", viewerIP, "127.0.0.1:40000",
			[]string{viewerIP, "198.51.100.2", "X-Forwarded-For", "198.51.100.2, 203.0.113.2"}, "198.51.100.2"},
		{"private peer (the load balancer): the header", viewerIP, "10.0.12.7:40000",
			[]string{viewerIP, "198.51.100.3", "X-Forwarded-For", "203.0.113.3"}, "198.51.100.3"},
		{"IPv6 loopback peer, IPv6 value", viewerIP, "[::1]:40000", []string{viewerIP, "2001:db8::3"}, "2001:db8::3"},
		{"header name is case-insensitive, value trimmed", viewerIP, "127.0.0.1:40000", []string{"x-viewer-ip", " 198.51.100.4 "}, "198.51.100.4"},
		{"IPv4-mapped value is the IPv4 address", viewerIP, "127.0.0.1:40000", []string{viewerIP, "::ffff:198.51.100.5"}, "198.51.100.5"},
		{"public peer: never the header, the peer", viewerIP, "203.0.113.50:40000", []string{viewerIP, "198.51.100.6"}, "203.0.113.50"},
		{"public peer: never the header, nor its X-Forwarded-For", viewerIP, "203.0.113.51:40000",
			[]string{viewerIP, "198.51.100.6", "X-Forwarded-For", "198.51.100.7"}, "203.0.113.51"},
		{"malformed value: X-Forwarded-For", viewerIP, "127.0.0.1:40000",
			[]string{viewerIP, "not-an-ip", "X-Forwarded-For", "203.0.113.8"}, "203.0.113.8"},
		{"a list is not one address", viewerIP, "127.0.0.1:40000",
			[]string{viewerIP, "198.51.100.9, 198.51.100.10", "X-Forwarded-For", "203.0.113.9"}, "203.0.113.9"},
		{"address with a port", viewerIP, "127.0.0.1:40000",
			[]string{viewerIP, "198.51.100.11:443", "X-Forwarded-For", "203.0.113.10"}, "203.0.113.10"},
		{"address with a zone", viewerIP, "127.0.0.1:40000",
			[]string{viewerIP, "fe80::1%eth0", "X-Forwarded-For", "203.0.113.11"}, "203.0.113.11"},
		{"empty value: the peer", viewerIP, "10.0.0.9:40000", []string{viewerIP, ""}, "10.0.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/api/healthz", nil)
			r.RemoteAddr = tt.peer
			for i := 0; i+1 < len(tt.set); i += 2 {
				r.Header.Set(tt.set[i], tt.set[i+1])
			}
			assert.Equal(t, tt.want, httpapi.ClientIPExtractor(tt.header)(r))
		})
	}

	t.Run("two header values: X-Forwarded-For", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodGet, "/api/healthz", nil)
		r.RemoteAddr = "127.0.0.1:40000"
		r.Header.Add(viewerIP, "198.51.100.12")
		r.Header.Add(viewerIP, "198.51.100.13")
		r.Header.Set("X-Forwarded-For", "203.0.113.12")
		assert.Equal(t, "203.0.113.12", httpapi.ClientIPExtractor(viewerIP)(r))
	})

	t.Run("public peer marked trusted (a Function URL behind OAC): the header", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodGet, "/api/healthz", nil)
		r.RemoteAddr = "203.0.113.60:0"
		r.Header.Set(viewerIP, "198.51.100.14")
		assert.Equal(t, "203.0.113.60", httpapi.ClientIPExtractor(viewerIP)(r), "unmarked: the peer")
		r = r.WithContext(httpapi.WithTrustedPeer(r.Context()))
		assert.Equal(t, "198.51.100.14", httpapi.ClientIPExtractor(viewerIP)(r))
	})
}

func TestClientIPHeaderName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "X-Viewer-Ip", "x-client-ip", "CF-Connecting-IP"} {
		assert.NoError(t, httpapi.CheckClientIPHeader(name), name)
	}
	for _, name := range []string{"X Viewer", "X-Viewer-Ip:", "X_Viewer", "X-Forwarded-For", "x-forwarded-for", "Ä"} {
		err := httpapi.CheckClientIPHeader(name)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", name))
		}
	}
	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.ClientIPHeader = "X Viewer"
	_, err := httpapi.New(cfg)
	assert.ErrorContains(t, err, "ClientIPHeader")
}

// TestClientIPHeaderOverHTTP runs the service with and without ClientIPHeader behind a loopback
// peer (as behind the load balancer) and reads the client IP the request log and the login
// throttle see.
func TestClientIPHeaderOverHTTP(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{mu: make(chan struct{}, 1)}
	cfg := appConfig(store, slog.New(slog.NewJSONHandler(logs, nil)))
	cfg.ClientIPHeader = viewerIP
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	behindCloudFront := httptest.NewServer(e)
	t.Cleanup(behindCloudFront.Close)

	// ip sends GET /api/healthz with headers and returns the ip its request log line names.
	ip := func(t *testing.T, base string, logs *syncBuffer, headers ...string) string {
		t.Helper()
		id := "clientip-" + key()
		c := newClient(t)
		c.base = base
		require.Equal(t, http.StatusOK, c.do("GET", "/api/healthz", nil, append(headers, "X-Request-Id", id)...).status)
		for line := range strings.Lines(logs.String()) {
			var entry struct {
				Msg       string `json:"msg"`
				RequestID string `json:"request_id"`
				IP        string `json:"ip"`
			}
			require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
			if entry.Msg == "request" && entry.RequestID == id {
				return entry.IP
			}
		}
		t.Fatalf("no request log line with request_id %s", id)
		return ""
	}

	t.Run("honoured from a loopback peer", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, "198.51.100.20", ip(t, behindCloudFront.URL, logs, viewerIP, "198.51.100.20", "X-Forwarded-For", "203.0.113.20"))
	})
	t.Run("ignored when unset", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, "203.0.113.21", ip(t, server.URL, &logBuf, viewerIP, "198.51.100.21", "X-Forwarded-For", "203.0.113.21"))
	})
	t.Run("ignored when malformed", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, "203.0.113.22", ip(t, behindCloudFront.URL, logs, viewerIP, "198.51.100.22x", "X-Forwarded-For", "203.0.113.22"))
	})

	t.Run("the login throttle keys on it", func(t *testing.T) {
		t.Parallel()
		// Every attempt uses a new email, so only the per-IP counter (20 failures) can trip, and
		// every attempt carries the same X-Forwarded-For and comes from the same loopback peer.
		login := func(viewer string) response {
			c := newClient(t)
			c.base = behindCloudFront.URL
			return c.do("POST", "/api/auth/login", map[string]string{"email": uniqueEmail(), "password": "wrong password"},
				viewerIP, viewer, "X-Forwarded-For", "203.0.113.23")
		}
		const first, second = "198.51.100.23", "2001:db8::23"
		for i := range 20 {
			require.Equal(t, http.StatusUnauthorized, login(first).status, "failure %d", i+1)
		}
		r := login(first)
		assert.Equal(t, http.StatusTooManyRequests, r.status, "the 21st failure from one viewer is throttled")
		assert.Equal(t, "too_many_attempts", r.errorCode(t))
		assert.Equal(t, http.StatusUnauthorized, login(second).status, "another viewer behind the same edge has its own counter")
	})
}
