package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// healthcheckTimeout bounds the whole probe. It stays under the ECS health
// check's default 5 s timeout, so a hung server is reported by us, with a
// reason, rather than killed by the agent.
const healthcheckTimeout = 2500 * time.Millisecond

// healthURL is the liveness endpoint of a server listening on addr
// (SHOP_ADDR). A wildcard or empty host is probed on 127.0.0.1; a server
// bound to one address is probed there, since nothing else would reach it.
func healthURL(addr string) (string, error) {
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := checkAddr(addr)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/api/healthz", nil
}

// healthcheck is `shop healthcheck`, the container's HEALTHCHECK in an image
// without a shell or curl: it succeeds only when GET /api/healthz answers
// 200 {"status":"ok"} within healthcheckTimeout. It needs no database.
func healthcheck(ctx context.Context, addr string) error {
	u, err := healthURL(addr)
	if err != nil {
		return err
	}
	client := &http.Client{
		Timeout: healthcheckTimeout,
		// Loopback only: never through an HTTP(S)_PROXY from the task's
		// environment, and no connection kept for a process about to exit.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		// A redirect is not the health endpoint answering.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// u is always http://<SHOP_ADDR host or loopback>:<port>/api/healthz (healthURL): no SSRF.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) //nolint:gosec // see above
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	res, err := client.Do(req) //nolint:gosec // the fixed health URL above, not user input
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			if uerr.Timeout() {
				return fmt.Errorf("GET %s: no answer within %s", u, healthcheckTimeout)
			}
			err = uerr.Err // it repeats the URL
		}
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d, want 200", u, res.StatusCode)
	}
	var body struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 4<<10)).Decode(&body); err != nil {
		return fmt.Errorf("GET %s: body is not the health JSON: %w", u, err)
	}
	if body.Status != "ok" {
		return fmt.Errorf("GET %s: status %q, want \"ok\"", u, body.Status)
	}
	return nil
}

// oneLine keeps a reason on one line of stderr, whatever an error wrapped.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
