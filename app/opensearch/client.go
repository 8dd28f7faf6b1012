// Package opensearch is the OpenSearch adapter of product search: shop.ProductSearcher over an
// index alias, the search_index worker's Indexer, and the alias-swapping reindex. It speaks the
// REST API through opensearch-go's transport (retries, and AWS SigV4 signing when the Config has
// a Signer); the JSON bodies are built here, so the requests are exactly what the tests assert.
package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	opensearchgo "github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/signer/awsv2"
)

// DefaultIndex is the alias searched and written when Config.Index is empty.
const DefaultIndex = "products"

// Config is where the cluster is and how to sign for it.
type Config struct {
	// URL is the domain endpoint, e.g. https://search-shop-xxxx.eu-west-1.es.amazonaws.com.
	URL string
	// Index is the alias every search and write goes through (DefaultIndex when empty); reindex
	// creates Index-<timestamp> indices behind it.
	Index string
	// AWS, when non-nil, signs every request with SigV4 for service "es" with its credentials and
	// region. Nil sends unsigned requests (a local cluster with security off, or the tests).
	AWS *aws.Config
	// HTTP is the transport (tests); nil is the library's default.
	HTTP http.RoundTripper
}

// Client is the OpenSearch adapter.
type Client struct {
	os    *opensearchgo.Client
	index string
}

// New returns the adapter. It sends nothing until used.
func New(cfg Config) (*Client, error) {
	if _, err := url.ParseRequestURI(cfg.URL); err != nil || !strings.HasPrefix(cfg.URL, "http") {
		return nil, fmt.Errorf("opensearch: URL %q: want http(s)://host[:port]", cfg.URL)
	}
	ocfg := opensearchgo.Config{Addresses: []string{strings.TrimRight(cfg.URL, "/")}, Transport: cfg.HTTP}
	if cfg.AWS != nil {
		s, err := awsv2.NewSignerWithService(*cfg.AWS, "es")
		if err != nil {
			return nil, fmt.Errorf("opensearch: signer: %w", err)
		}
		ocfg.Signer = s
	}
	c, err := opensearchgo.NewClient(ocfg)
	if err != nil {
		return nil, fmt.Errorf("opensearch: %w", err)
	}
	index := cfg.Index
	if index == "" {
		index = DefaultIndex
	}
	return &Client{os: c, index: index}, nil
}

// Index is the alias the client searches and writes.
func (c *Client) Index() string { return c.index }

// statusError is a response outside 2xx.
type statusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("opensearch: %s %s: %d %s", e.Method, e.Path, e.Status, e.Body)
}

// isStatus reports whether err is a response with that status.
func isStatus(err error, status int) bool {
	var se *statusError
	return errors.As(err, &se) && se.Status == status
}

// do sends one request: body is JSON-encoded unless it is already []byte (NDJSON for _bulk);
// a 2xx answer is decoded into out (when non-nil), anything else is a *statusError.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, contentType = bytes.NewReader(b), "application/x-ndjson"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("opensearch: %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return fmt.Errorf("opensearch: %w", err)
	}
	req.Header = http.Header{}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.os.Stream(req)
	if err != nil {
		return fmt.Errorf("opensearch: %s %s: %w", method, path, err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("opensearch: %s %s: read: %w", method, path, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return &statusError{Method: method, Path: path, Status: res.StatusCode, Body: truncate(string(raw), 500)}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("opensearch: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
