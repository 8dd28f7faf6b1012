package media_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/shop"
)

func TestLocalStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := media.NewLocal(filepath.Join(dir, "media"), "")
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	testStoreObjects(t, st)
	assert.Equal(t, "/media/products/p1/1-card.jpg", st.URL("products/p1/1-card.jpg"))

	// A symlink inside the root cannot lead out of it.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("secret"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "secret"), filepath.Join(dir, "media", "products", "link.jpg")))
	_, _, err = st.Get(context.Background(), "products/link.jpg")
	assert.Error(t, err, "os.Root refuses a symlink out of the directory")
	_, _, err = st.Get(context.Background(), "products/p1")
	assert.ErrorIs(t, err, media.ErrNotFound, "a directory is not an object")

	up, err := st.PresignPut(context.Background(), "uploads/abc", "image/webp", 10)
	require.NoError(t, err)
	assert.Equal(t, media.Upload{URL: "/api/admin/uploads/uploads/abc", Method: "PUT", Headers: map[string]string{"Content-Type": "image/webp"}}, up)
	u, err := st.PresignGet(context.Background(), "invoices/x.pdf")
	require.NoError(t, err)
	assert.Empty(t, u, "the shop streams private objects itself")
}

// sink records what the image worker sets.
type sink struct {
	mu     sync.Mutex
	images map[string]shop.ProductImages
}

func (s *sink) SetProductImages(_ context.Context, id string, _ int64, images shop.ProductImages) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.images[id] = images
	return true, nil
}

func encoded(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{200, 30, 30, 255}
			if x < w/2 {
				c = color.NRGBA{0, 0, 0, 0} // transparent: the variants put white under it
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if format == "png" {
		require.NoError(t, png.Encode(&buf, img))
	} else {
		require.NoError(t, jpeg.Encode(&buf, img, nil))
	}
	return buf.Bytes()
}

func TestImageWorker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := media.NewLocal(t.TempDir(), "")
	require.NoError(t, err)
	sk := &sink{images: map[string]shop.ProductImages{}}
	w := &media.ImageWorker{Store: st, Sink: sk, Log: slog.New(slog.DiscardHandler)}
	put := func(key string, data []byte) {
		require.NoError(t, st.Put(ctx, key, "application/octet-stream", bytes.NewReader(data), int64(len(data))))
	}
	webp, err := os.ReadFile("testdata/blue.webp")
	require.NoError(t, err)
	put("uploads/png", encoded(t, 1000, 400, "png"))
	put("uploads/webp", webp)
	put("uploads/junk", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...))

	for _, tc := range []struct{ key, product string }{{"uploads/png", "p1"}, {"uploads/webp", "p2"}} {
		job := &river.Job[media.ImageArgs]{JobRow: &rivertype.JobRow{}, Args: media.ImageArgs{ProductID: tc.product, Version: 3, Key: tc.key}}
		require.NoError(t, w.Work(ctx, job), tc.key)
		require.NoError(t, w.Work(ctx, job), "%s: a repeat is harmless", tc.key)
		assert.Equal(t, shop.ProductImages{
			Thumb: "/media/products/" + tc.product + "/3-thumb.jpg", Card: "/media/products/" + tc.product + "/3-card.jpg",
			Full: "/media/products/" + tc.product + "/3-full.jpg"}, sk.images[tc.product])
		for _, v := range shop.ImageVariants {
			rc, _, err := st.Get(ctx, shop.ProductImageKey(tc.product, 3, v.Name))
			require.NoError(t, err)
			img, format, err := image.Decode(rc)
			rc.Close()
			require.NoError(t, err)
			assert.Equal(t, "jpeg", format)
			assert.Equal(t, image.Rect(0, 0, v.Size, v.Size), img.Bounds(), v.Name)
		}
	}
	// The PNG's centre square is half transparent (left) and half red (right).
	rc, _, err := st.Get(ctx, shop.ProductImageKey("p1", 3, "card"))
	require.NoError(t, err)
	card, err := jpeg.Decode(rc)
	rc.Close()
	require.NoError(t, err)
	r, g, b, _ := card.At(40, 240).RGBA()
	assert.Greater(t, min(r, g, b)>>8, uint32(240), "white under the transparent half")
	r, g, _, _ = card.At(440, 240).RGBA()
	assert.Greater(t, r>>8, uint32(150))
	assert.Less(t, g>>8, uint32(80), "red on the right")

	for _, key := range []string{"uploads/junk", "uploads/missing"} {
		err := w.Work(ctx, &river.Job[media.ImageArgs]{JobRow: &rivertype.JobRow{}, Args: media.ImageArgs{ProductID: "p3", Version: 1, Key: key}})
		var cancel *rivertype.JobCancelError
		assert.True(t, errors.As(err, &cancel), "%s: fails for good, not retried: %v", key, err)
	}
	_, ok := sk.images["p3"]
	assert.False(t, ok)
}

// brokenBody yields data, then fails with err (a connection that ends or breaks mid-body).
type brokenBody struct {
	data []byte
	err  error
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, b.err
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

// TestLocalStoresExactBodiesOnly: a body shorter or longer than the size to store, or one that
// breaks off, is an error that says so (*SizeError, *BodyError) and leaves no file behind, not
// at the key and no temporary one beside it; the exact body then stores.
func TestLocalStoresExactBodiesOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := media.NewLocal(dir, "")
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	key, data := "uploads/exact", []byte("0123456789")
	broken := errors.New("connection reset by peer")

	for name, tc := range map[string]struct {
		body     func() io.Reader
		got      int64 // the SizeError's Got; -1: a BodyError
		wantText string
	}{
		"short (EOF)":            {func() io.Reader { return bytes.NewReader(data[:4]) }, 4, "the body is 4 bytes, want 10"},
		"short (unexpected EOF)": {func() io.Reader { return &brokenBody{data[:7], io.ErrUnexpectedEOF} }, 7, "the body is 7 bytes, want 10"},
		"long":                   {func() io.Reader { return strings.NewReader(string(data) + "more") }, 11, "the body is more than 10 bytes, want 10"},
		"broken":                 {func() io.Reader { return &brokenBody{data[:3], broken} }, -1, "reading the body failed after 3 of 10 bytes: connection reset by peer"},
	} {
		for op, put := range map[string]func(context.Context, string, string, io.Reader, int64) error{"Put": st.Put, "Create": st.Create} {
			err := put(ctx, key, "image/png", tc.body(), int64(len(data)))
			require.Error(t, err, "%s %s", op, name)
			assert.ErrorContains(t, err, tc.wantText, "%s %s", op, name)
			if tc.got >= 0 {
				var se *media.SizeError
				require.ErrorAs(t, err, &se, "%s %s", op, name)
				assert.Equal(t, media.SizeError{Key: key, Got: tc.got, Want: 10}, *se, "%s %s", op, name)
			} else {
				var be *media.BodyError
				require.ErrorAs(t, err, &be, "%s %s", op, name)
				assert.ErrorIs(t, err, broken)
			}
			_, err = st.Stat(ctx, key)
			assert.ErrorIs(t, err, media.ErrNotFound, "%s %s: nothing at the key", op, name)
			left, err := os.ReadDir(filepath.Join(dir, "uploads"))
			require.NoError(t, err)
			assert.Empty(t, left, "%s %s: no temporary file left", op, name)
		}
	}

	require.NoError(t, st.Create(ctx, key, "image/png", bytes.NewReader(data), 10), "the exact body stores")
	err = st.Create(ctx, key, "image/png", strings.NewReader("ABCDEFGHIJ"), 10)
	assert.ErrorIs(t, err, media.ErrExists, "Create never replaces")
	got, err := os.ReadFile(filepath.Join(dir, key))
	require.NoError(t, err)
	assert.Equal(t, data, got, "the first bytes are kept")
	left, err := os.ReadDir(filepath.Join(dir, "uploads"))
	require.NoError(t, err)
	require.Len(t, left, 1, "the refused Create left no temporary file")
	assert.Equal(t, "exact", left[0].Name())
	require.NoError(t, st.Put(ctx, key, "image/png", strings.NewReader("ABCDEFGHIJ"), 10), "Put replaces")
}
