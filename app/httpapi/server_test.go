package httpapi_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
)

// TestServerDropsSlowClients: the server `shop serve` runs has the documented timeouts, and a
// client that never finishes its request headers (slowloris) loses its connection after the
// read-header timeout instead of holding it open.
func TestServerDropsSlowClients(t *testing.T) {
	t.Parallel()
	var served atomic.Bool
	srv := httpapi.NewServer("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Store(true)
		w.WriteHeader(http.StatusNoContent)
	}), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	assert.Equal(t, 5*time.Second, srv.ReadHeaderTimeout)
	assert.Equal(t, 15*time.Second, srv.ReadTimeout)
	assert.Equal(t, 30*time.Second, srv.WriteTimeout)
	assert.Equal(t, 120*time.Second, srv.IdleTimeout)
	assert.Equal(t, 64<<10, srv.MaxHeaderBytes)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l) //nolint:errcheck // ends with ErrServerClosed at cleanup
	t.Cleanup(func() { srv.Close() })

	conn, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprint(conn, "GET /api/healthz HTTP/1.1\r\nHost: shop\r\n") // no blank line: headers never end
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(15*time.Second)))
	_, err = io.ReadAll(conn)
	elapsed := time.Since(start)
	require.NoError(t, err, "the server closed the connection (our own 15 s deadline did not fire)")
	assert.GreaterOrEqual(t, elapsed, 4500*time.Millisecond, "not before the read-header timeout")
	assert.Less(t, elapsed, 10*time.Second)
	assert.False(t, served.Load(), "an unfinished request never reaches the handler")
}
