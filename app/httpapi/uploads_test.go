package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

// newSlot asks for an upload slot of size bytes of contentType.
func newSlot(t *testing.T, c *client, contentType string, size int) uploadSlot {
	t.Helper()
	r := c.do("POST", "/api/admin/uploads", map[string]any{"content_type": contentType, "size_bytes": size})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var slot uploadSlot
	r.json(t, &slot)
	return slot
}

// sessionCookie is the client's session cookie, as a Cookie header value.
func sessionCookie(t *testing.T, c *client) string {
	t.Helper()
	for _, ck := range c.http.Jar.Cookies(mustURL(server.URL)) {
		if ck.Name == "shop_session" {
			return ck.String()
		}
	}
	t.Fatal("the client has no session")
	return ""
}

// errorMessage is the message of an error response.
func errorMessage(t *testing.T, r response) string {
	t.Helper()
	var e httpapi.ErrorBody
	r.json(t, &e)
	return e.Error.Message
}

// TestUploadOfTheWrongLengthStoresNothing: a body that ends before its Content-Length (the
// connection half-closed) or runs past it is a 400 naming both sizes, not a 500, and leaves no
// file, neither at the key nor a temporary one; then the right body stores.
func TestUploadOfTheWrongLengthStoresNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, err := media.NewLocal(dir, "")
	require.NoError(t, err)
	t.Cleanup(func() { files.Close() })
	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.Media = files
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	a := admin(t)
	a.base = srv.URL
	data := picture(t, 64, 64, "png")
	slot := newSlot(t, a, "image/png", len(data))
	nothingStored := func(what string) {
		t.Helper()
		_, err := files.Stat(context.Background(), slot.Key)
		assert.ErrorIs(t, err, media.ErrNotFound, "%s: nothing at the key", what)
		left, err := os.ReadDir(filepath.Join(dir, "uploads"))
		if !os.IsNotExist(err) {
			require.NoError(t, err)
			assert.Empty(t, left, "%s: no temporary file left", what)
		}
	}

	// Short: Content-Length says len(data), the client sends 100 bytes and closes its side, as
	// a browser whose connection drops does. Sent raw, since net/http's client never does that.
	conn, err := net.Dial("tcp", mustURL(srv.URL).Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n",
		slot.Upload.URL, mustURL(srv.URL).Host, sessionCookie(t, a), len(data))
	require.NoError(t, err)
	_, err = conn.Write(data[:100])
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite())
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	short := response{status: res.StatusCode, header: res.Header, body: body}
	checkAgainstOpenAPI(t, "PUT", slot.Upload.URL, short)
	assert.Equal(t, http.StatusBadRequest, short.status, string(body))
	assert.Equal(t, "upload_size_mismatch", short.errorCode(t))
	assert.Equal(t, fmt.Sprintf("the body is 100 bytes, the upload slot expects %d: nothing was stored; send the whole file again", len(data)),
		errorMessage(t, short))
	nothingStored("short")

	// Long: a body past its Content-Length. HTTP/1.1 framing never hands a handler more than
	// Content-Length, so this is the handler served a request whose body runs on.
	req := httptest.NewRequest(http.MethodPut, slot.Upload.URL, bytes.NewReader(append(append([]byte(nil), data...), "trailing"...)))
	req.ContentLength = int64(len(data))
	req.Header.Set("Content-Type", "image/png")
	req.Header.Set("Cookie", sessionCookie(t, a))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	long := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	checkAgainstOpenAPI(t, "PUT", slot.Upload.URL, long)
	assert.Equal(t, http.StatusBadRequest, long.status, rec.Body.String())
	assert.Equal(t, "upload_size_mismatch", long.errorCode(t))
	assert.Equal(t, fmt.Sprintf("the body is more than %[1]d bytes, the upload slot expects %[1]d: nothing was stored; send the whole file again", len(data)),
		errorMessage(t, long))
	nothingStored("long")

	// A declared length other than the slot's is refused before any byte is read.
	r := a.do("PUT", slot.Upload.URL, data[:len(data)-1], "Content-Type", "image/png")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, fmt.Sprintf("Content-Length is %d, the upload slot expects exactly %d bytes, as declared", len(data)-1, len(data)),
		errorMessage(t, r))
	nothingStored("declared short")

	r = a.do("PUT", slot.Upload.URL, data, "Content-Type", "image/png")
	require.Equal(t, http.StatusNoContent, r.status, "the retry with the whole file stores: %s", r.body)
	got, err := os.ReadFile(filepath.Join(dir, slot.Key))
	require.NoError(t, err)
	assert.Equal(t, data, got)
	left, err := os.ReadDir(filepath.Join(dir, "uploads"))
	require.NoError(t, err)
	assert.Len(t, left, 1, "only the upload itself")
}

// TestUploadSlotTakesItsBytesOnce: once a slot holds its bytes, another PUT to it is 409 and the
// bytes stay; above all after the upload was checked and attached to a product, whose image job
// reads the key later.
func TestUploadSlotTakesItsBytesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := admin(t)
	p := newProduct(t, 5, 1000)
	first, other := picture(t, 50, 50, "png"), picture(t, 50, 50, "png")
	other[len(other)-20] ^= 0xff // the same size, other bytes
	slot := upload(t, a, "image/png", first)
	stored := func() []byte {
		t.Helper()
		rc, _, err := mediaStore.Get(ctx, slot.Key)
		require.NoError(t, err)
		defer rc.Close()
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		return b
	}

	r := a.do("PUT", slot.Upload.URL, other, "Content-Type", "image/png")
	assert.Equal(t, http.StatusConflict, r.status, "before the attach too: a slot is not rewritable")
	assert.Equal(t, "already_uploaded", r.errorCode(t))

	r = a.do("POST", "/api/admin/products/"+p.ID+"/image", map[string]string{"key": slot.Key})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r = a.do("PUT", slot.Upload.URL, other, "Content-Type", "image/png")
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "already_uploaded", r.errorCode(t))
	assert.Contains(t, errorMessage(t, r), "takes them only once")
	assert.Equal(t, first, stored(), "the attached picture's bytes are unchanged")
	waitForImages(t, p.ID, nil)
}

// deadlineListener records, per connection, the latest read and write deadlines the server set.
type deadlineListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*deadlineConn
}

type deadlineConn struct {
	net.Conn
	l                 *deadlineListener
	maxRead, maxWrite time.Time
}

func (l *deadlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	dc := &deadlineConn{Conn: c, l: l}
	l.mu.Lock()
	l.conns = append(l.conns, dc)
	l.mu.Unlock()
	return dc, nil
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.l.mu.Lock()
	if t.After(c.maxRead) {
		c.maxRead = t
	}
	c.l.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.l.mu.Lock()
	if t.After(c.maxWrite) {
		c.maxWrite = t
	}
	c.l.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// latest are the latest read and write deadlines set on any connection accepted so far.
func (l *deadlineListener) latest() (read, write time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		if c.maxRead.After(read) {
			read = c.maxRead
		}
		if c.maxWrite.After(write) {
			write = c.maxWrite
		}
	}
	return read, write
}

// TestPictureUploadsOutliveTheServerTimeouts: through the server and handler chain `shop serve`
// runs (NewServer's timeouts, telemetry, gzip), a picture of the largest allowed size is stored,
// and its connection may take 5 minutes to be read and answered, not the 15 s and 30 s every
// other request keeps (checked on the deadlines the server sets, not by waiting them out); one
// byte more is 413 naming the limit, while other endpoints keep their small limits.
func TestPictureUploadsOutliveTheServerTimeouts(t *testing.T) {
	t.Parallel()
	e, err := httpapi.New(appConfig(store, slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	h, err := httpapi.Compress(e)
	require.NoError(t, err)
	srv := httpapi.NewServer("127.0.0.1:0", telemetry.Handler(h), slog.New(slog.DiscardHandler))
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := &deadlineListener{Listener: tcp}
	go srv.Serve(l) //nolint:errcheck // ends with ErrServerClosed at cleanup
	t.Cleanup(func() { srv.Close() })
	base := "http://" + tcp.Addr().String()

	// Another endpoint first, on its own connection: the server's timeouts (the idle timeout,
	// 120 s, is the longest it sets).
	anon := newClient(t)
	anon.base = base
	start := time.Now()
	require.Equal(t, http.StatusOK, anon.do("GET", "/api/products?limit=1", nil).status)
	read, write := l.latest()
	assert.WithinRange(t, read, start, start.Add(3*time.Minute))
	assert.WithinRange(t, write, start, start.Add(time.Minute), "the 30 s write timeout")

	a := admin(t)
	a.base = base
	a.http.Transport = &http.Transport{} // a connection of its own, not the idle one above
	data := bytes.Repeat([]byte("0123456789abcdef"), shop.MaxUploadBytes/16)
	require.Len(t, data, shop.MaxUploadBytes)
	slot := newSlot(t, a, "image/png", len(data))
	start = time.Now()
	r := a.do("PUT", slot.Upload.URL, data, "Content-Type", "image/png")
	require.Equal(t, http.StatusNoContent, r.status, "a picture of the largest size is stored: %s", r.body)
	read, write = l.latest()
	assert.True(t, read.After(start.Add(4*time.Minute)), "the upload may be read for 5 minutes, not 15 s: latest read deadline %s after the start", read.Sub(start))
	assert.True(t, write.After(start.Add(4*time.Minute)), "and answered after them: latest write deadline %s after the start", write.Sub(start))
	obj, err := mediaStore.Stat(context.Background(), slot.Key)
	require.NoError(t, err)
	assert.Equal(t, int64(shop.MaxUploadBytes), obj.Size)

	// One byte over the largest picture: refused from Content-Length, before anything is read.
	slot = newSlot(t, a, "image/png", len(data))
	r = a.do("PUT", slot.Upload.URL, append(data, 'x'), "Content-Type", "image/png")
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Equal(t, "body_too_large", r.errorCode(t))
	assert.Equal(t, "the request body is over this endpoint's limit of 5242880 bytes (5 MiB)", errorMessage(t, r))
	_, err = mediaStore.Stat(context.Background(), slot.Key)
	assert.ErrorIs(t, err, media.ErrNotFound)

	// Every other endpoint keeps the 64 KiB limit.
	r = anon.do("POST", "/api/auth/register", `{"email":"`+strings.Repeat("a", httpapi.DefaultBodyLimit)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Equal(t, "the request body is over this endpoint's limit of 65536 bytes (64 KiB)", errorMessage(t, r))
	r = a.do("POST", "/api/orders", `{"items":[`+strings.Repeat(" ", httpapi.DefaultBodyLimit)+`]}`, "Idempotency-Key", key())
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status, "an admin's other requests too")
}

// TestWebhookTakesLargerEventsThanTheGeneralLimit: Stripe's deliveries may pass 64 KiB (its
// events have no documented maximum) and reach the signature check; past 1 MiB they are 413.
func TestWebhookTakesLargerEventsThanTheGeneralLimit(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, time.Hour, false)
	big := `{"id":"evt_big","object":"event","pad":"` + strings.Repeat("a", 200<<10) + `"}`
	r := ps.deliver(t, []byte(big), "t=1,v1=00")
	assert.Equal(t, http.StatusBadRequest, r.status, "read whole and checked: %s", r.body)
	assert.Equal(t, "invalid_signature", r.errorCode(t))

	r = ps.deliver(t, bytes.Repeat([]byte("a"), 1<<20+1), "t=1,v1=00")
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Equal(t, "the request body is over this endpoint's limit of 1048576 bytes (1 MiB)", errorMessage(t, r))
}
