package opensearch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/opensearch"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/internal/testbin"
)

// zincTool is ZincSearch v0.4.10, patched to build on Go 1.26 by tools/zincsearch/build.sh and
// cached in .cache/bin. It is the closest stand-in for OpenSearch that runs here: a search server
// with an Elasticsearch-compatible REST API under /es (index creation with a mapping, _bulk,
// _search with the query DSL and aggregations, aliases).
var zincTool = testbin.Tool{Name: "zincsearch", Script: "tools/zincsearch/build.sh", Version: "v0.4.10-1"}

const (
	zincUser     = "shoptest"
	zincPassword = "zinc-test-only-1"
)

// zinc is one ZincSearch process the test started, on a free loopback port, with its data in a
// temporary directory.
type zinc struct {
	URL string // the ES-compatible API, http://127.0.0.1:<port>/es
}

// startZinc starts ZincSearch and waits until its ES API answers; Cleanup kills it.
func startZinc(t *testing.T) *zinc {
	t.Helper()
	bin := testbin.Path(t, zincTool)
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"ZINC_FIRST_ADMIN_USER="+zincUser, "ZINC_FIRST_ADMIN_PASSWORD="+zincPassword,
		"ZINC_DATA_PATH="+t.TempDir(), "ZINC_SERVER_ADDRESS=127.0.0.1", "ZINC_SERVER_PORT="+strconv.Itoa(port),
		"ZINC_TELEMETRY=false", "ZINC_SENTRY=false", "ZINC_PROFILER=false", "GIN_MODE=release",
		// One shard, as the adapter's mapping asks of OpenSearch (Zinc ignores index settings).
		"ZINC_SHARD_NUM=1")
	logf, err := os.Create(t.TempDir() + "/zinc.log")
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logf.Name()); err == nil {
				t.Logf("zincsearch log (tail):\n%s", tail(b, 4000))
			}
		}
	})
	z := &zinc{URL: fmt.Sprintf("http://127.0.0.1:%d/es", port)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, z.URL+"/", nil)
		req.SetBasicAuth(zincUser, zincPassword)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return z
			}
		}
		require.True(t, time.Now().Before(deadline), "zincsearch did not answer within 30 s: %v", err)
		time.Sleep(50 * time.Millisecond)
	}
}

// client is the adapter on this Zinc. Zinc always wants HTTP basic auth (OpenSearch on AWS wants
// SigV4 instead, which the adapter's Config.AWS does): the harness adds it in the transport, so
// the adapter itself is unchanged.
func (z *zinc) client(t *testing.T, index string) *opensearch.Client {
	t.Helper()
	c, err := opensearch.New(opensearch.Config{URL: z.URL, Index: index, HTTP: basicAuth{http.DefaultTransport}})
	require.NoError(t, err)
	return c
}

type basicAuth struct{ next http.RoundTripper }

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(zincUser, zincPassword)
	return b.next.RoundTrip(r)
}

// newStore is a migrated shop store on a fresh PostgreSQL database.
func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.NewDatabase(t), 4, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	return s
}

// loadCatalog creates the products in order, each a minute newer than the one before.
func loadCatalog(t *testing.T, s *postgres.Store, catalog []shop.NewProduct) {
	t.Helper()
	ctx := context.Background()
	for i, p := range catalog {
		created, err := s.CreateProduct(ctx, p)
		require.NoError(t, err)
		_, err = s.Pool().Exec(ctx, "UPDATE products SET created_at = '2026-01-01'::timestamptz + $2 * interval '1 minute' WHERE id = $1",
			created.ID, i)
		require.NoError(t, err)
	}
}

// waitVisible waits until a search of index counts want documents. Zinc's _refresh returns at
// once and its write-ahead log is applied to the searchable segments a few seconds later
// (OpenSearch's _refresh, which Reindex sends, makes the writes visible before it answers).
func (z *zinc) waitVisible(t *testing.T, index string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := z.count(index)
		if err == nil && n == want {
			return
		}
		require.True(t, time.Now().Before(deadline), "zinc %s: %d documents visible after 30 s, want %d (%v)", index, n, want, err)
		time.Sleep(100 * time.Millisecond)
	}
}

func (z *zinc) count(index string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, z.URL+"/"+index+"/_search",
		strings.NewReader(`{"size":0,"track_total_hits":true,"query":{"match_all":{}}}`))
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(zincUser, zincPassword)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var body struct {
		Hits struct {
			Total struct {
				Value int `json:"value"`
			} `json:"total"`
		} `json:"hits"`
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", res.StatusCode)
	}
	err = json.NewDecoder(res.Body).Decode(&body)
	return body.Hits.Total.Value, err
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func discardLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
