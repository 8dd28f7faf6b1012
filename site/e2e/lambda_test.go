package e2e_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The first two catalog requests get the 503 `unavailable` a Lambda instance answers while its
// database resumes; the page shows "Waking up…", retries, and shows the catalog.
func TestWakingUpRetriesA503(t *testing.T) {
	tb := newTab(t)
	paused := chromedp.Events(tb.ctx, fetch.RequestPaused)
	_, err := chromedp.Call(tb.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/api/products*", RequestStage: fetch.RequestStageRequest},
	}})
	require.NoError(t, err)
	var refused atomic.Int32
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if ev.Request.Method == http.MethodGet && refused.Load() < 2 {
				refused.Add(1)
				_, _ = chromedp.Call(tb.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID,
					ResponseCode: http.StatusServiceUnavailable, ResponseHeaders: []*fetch.HeaderEntry{
						{Name: "Content-Type", Value: "application/json"}, {Name: "Retry-After", Value: "5"}},
					Body: []byte(`{"error":{"code":"unavailable","message":"the service is starting","details":[]}}`)})
				continue
			}
			_, _ = chromedp.Call(tb.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()

	tb.open("/")
	tb.untilText("#waking", "Waking up…")
	assert.Equal(t, "status", tb.evalNoFail(`document.getElementById('waking').getAttribute('role')`))
	tb.shot("waking-up")
	tb.until("the catalog grid", `document.querySelectorAll('.card').length > 0`)
	tb.until("the notice gone", `!document.getElementById('waking')`)
	assert.EqualValues(t, 2, refused.Load())
}

// Every request with a body carries x-amz-content-sha256, the hex SHA-256 of exactly the bytes
// sent, which CloudFront's Origin Access Control needs to sign it for a Lambda Function URL.
func TestBodiesCarryTheirSHA256(t *testing.T) {
	tb := newTab(t)
	paused := chromedp.Events(tb.ctx, fetch.RequestPaused)
	_, err := chromedp.Call(tb.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/api/*", RequestStage: fetch.RequestStageRequest},
	}})
	require.NoError(t, err)
	type seen struct{ method, url, hash, body string }
	var mu sync.Mutex
	var requests []seen
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			s := seen{method: ev.Request.Method, url: ev.Request.URL}
			for k, v := range ev.Request.Headers {
				if strings.EqualFold(k, "x-amz-content-sha256") {
					s.hash, _ = v.(string)
				}
			}
			for _, e := range ev.Request.PostDataEntries {
				s.body += string(e.Bytes)
			}
			mu.Lock()
			requests = append(requests, s)
			mu.Unlock()
			_, _ = chromedp.Call(tb.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()

	tb.register("Hash Check")
	mu.Lock()
	defer mu.Unlock()
	var register *seen
	for i, r := range requests {
		if r.body == "" {
			assert.Empty(t, r.hash, "%s %s has no body, so no hash", r.method, r.url)
			continue
		}
		sum := sha256.Sum256([]byte(r.body))
		assert.Equal(t, hex.EncodeToString(sum[:]), r.hash, "%s %s", r.method, r.url)
		if strings.HasSuffix(r.url, "/api/auth/register") {
			register = &requests[i]
		}
	}
	require.NotNil(t, register, "the registration was seen: %v", requests)
	assert.Contains(t, register.body, `"name":"Hash Check"`)
}
