package media_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
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
