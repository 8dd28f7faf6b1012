package opensearch

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeCluster is the test double of an OpenSearch cluster: an httptest.Server that records every
// request and answers each with the next scripted reply, whose bodies are shaped like the
// responses OpenSearch documents for that API. It evaluates nothing: it proves what the adapter
// sends and how it reads a well-formed answer, not what a real cluster would return.
type fakeCluster struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	replies []reply
	got     []request
}

// reply is one scripted answer; want is the "METHOD /path?query" the request must have.
type reply struct {
	want   string
	status int
	body   string
}

// request is one request the fake received.
type request struct {
	Line   string // "METHOD /path?query"
	Header http.Header
	Body   string
}

func newFake(t *testing.T, replies ...reply) *fakeCluster {
	f := &fakeCluster{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		assert.Empty(t, f.replies, "scripted replies the adapter never asked for")
	})
	return f
}

func (f *fakeCluster) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	line := r.Method + " " + r.URL.RequestURI()
	f.mu.Lock()
	f.got = append(f.got, request{Line: line, Header: r.Header.Clone(), Body: string(body)})
	if len(f.replies) == 0 {
		f.mu.Unlock()
		f.t.Errorf("unexpected request %s", line)
		http.Error(w, `{"error":"unexpected"}`, http.StatusInternalServerError)
		return
	}
	next := f.replies[0]
	f.replies = f.replies[1:]
	f.mu.Unlock()
	if next.want != line {
		f.t.Errorf("request %q, want %q", line, next.want)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(next.status)
	_, _ = io.WriteString(w, next.body)
}

func (f *fakeCluster) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.got...)
}

// client returns an unsigned adapter on the fake (no scripted reply is a 502-504, which the
// transport would retry).
func (f *fakeCluster) client(t *testing.T) *Client {
	c, err := New(Config{URL: f.srv.URL, Index: "products"})
	require.NoError(t, err)
	return c
}

// assertJSON checks that got, a JSON document, equals want, another, ignoring formatting and
// key order.
func assertJSON(t *testing.T, want, got string, msg string) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal([]byte(want), &w), "want: %s", want)
	require.NoError(t, json.Unmarshal([]byte(got), &g), "got: %s", got)
	assert.Equal(t, w, g, msg)
}

// field returns one top-level key of a JSON object, re-encoded.
func field(t *testing.T, doc, key string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(doc), &m))
	v, ok := m[key]
	if !ok {
		return ""
	}
	return string(v)
}

// ndjson splits a _bulk body into its lines, each checked to end in "\n".
func ndjson(t *testing.T, body string) []string {
	t.Helper()
	require.True(t, strings.HasSuffix(body, "\n"), "a bulk body ends in a newline")
	return strings.Split(strings.TrimSuffix(body, "\n"), "\n")
}
