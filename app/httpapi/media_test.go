package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

// picture is a w×h PNG (or JPEG) with a gradient, so its variants have real content.
func picture(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	if format == "jpeg" {
		require.NoError(t, jpeg.Encode(&buf, img, nil))
	} else {
		require.NoError(t, png.Encode(&buf, img))
	}
	return buf.Bytes()
}

type uploadSlot struct {
	Key    string `json:"key"`
	Upload struct {
		URL     string            `json:"url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	} `json:"upload"`
}

// upload asks for a slot of contentType and sends data to it, as the console does.
func upload(t *testing.T, c *client, contentType string, data []byte) uploadSlot {
	t.Helper()
	r := c.do("POST", "/api/admin/uploads", map[string]any{"content_type": contentType, "size_bytes": len(data)})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var slot uploadSlot
	r.json(t, &slot)
	require.Equal(t, "PUT", slot.Upload.Method)
	require.Equal(t, map[string]string{"Content-Type": contentType}, slot.Upload.Headers)
	require.Equal(t, "/api/admin/uploads/"+slot.Key, slot.Upload.URL, "locally the shop takes the bytes itself")
	r = c.do("PUT", slot.Upload.URL, data, "Content-Type", contentType)
	require.Equal(t, http.StatusNoContent, r.status, string(r.body))
	return slot
}

// waitForImages polls the product until its picture's variants are made.
func waitForImages(t *testing.T, id string, old *shop.ProductImages) shop.Product {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := store.GetProduct(context.Background(), id)
		require.NoError(t, err)
		if p.Images != nil && (old == nil || *p.Images != *old) {
			return p
		}
		require.True(t, time.Now().Before(deadline), "the variants were not made within 20 s")
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProductPictureUploadMakesVariants(t *testing.T) {
	t.Parallel()
	a := admin(t)
	p := newProduct(t, 5, 1000)
	slot := upload(t, a, "image/png", picture(t, 900, 600, "png"))

	r := a.do("POST", "/api/admin/products/"+p.ID+"/image", map[string]string{"key": slot.Key})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var got shop.Product
	r.json(t, &got)
	assert.Nil(t, got.Images, "null until the job has made the variants")

	done := waitForImages(t, p.ID, nil)
	imgs := *done.Images
	assert.Equal(t, imgs.Card, done.ImageURL, "image_url is the card variant")
	for name, want := range map[string]struct {
		url  string
		size int
	}{"thumb": {imgs.Thumb, 160}, "card": {imgs.Card, 480}, "full": {imgs.Full, 1200}} {
		assert.Equal(t, fmt.Sprintf("/media/products/%s/1-%s.jpg", p.ID, name), want.url)
		res := newClient(t).do("GET", want.url, nil)
		require.Equal(t, http.StatusOK, res.status, name)
		assert.Equal(t, "image/jpeg", res.header.Get("Content-Type"))
		assert.Equal(t, "public, max-age=31536000, immutable", res.header.Get("Cache-Control"))
		cfg, format, err := image.DecodeConfig(bytes.NewReader(res.body))
		require.NoError(t, err)
		assert.Equal(t, "jpeg", format)
		assert.Equal(t, [2]int{want.size, want.size}, [2]int{cfg.Width, cfg.Height}, name)
	}
	// The public product carries the variants too, listing included.
	r = newClient(t).do("GET", "/api/products/"+p.ID, nil)
	r.json(t, &got)
	assert.Equal(t, imgs, *got.Images)

	// A second upload is version 2: new keys, so cached variants of version 1 stay right.
	slot2 := upload(t, a, "image/jpeg", picture(t, 300, 500, "jpeg"))
	r = a.do("POST", "/api/admin/products/"+p.ID+"/image", map[string]string{"key": slot2.Key})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.json(t, &got)
	assert.Equal(t, imgs, *got.Images, "the old variants stay until the new ones are made")
	done = waitForImages(t, p.ID, &imgs)
	assert.Equal(t, fmt.Sprintf("/media/products/%s/2-card.jpg", p.ID), done.Images.Card)
}

func TestUploadsRefuseWrongTypesSizesAndBytes(t *testing.T) {
	t.Parallel()
	a := admin(t)
	p := newProduct(t, 5, 1000)

	r := a.do("POST", "/api/admin/uploads", map[string]any{"content_type": "image/gif", "size_bytes": 10})
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	assert.Equal(t, "unsupported_media_type", r.errorCode(t))
	for _, size := range []int{0, -1, 5<<20 + 1} {
		r = a.do("POST", "/api/admin/uploads", map[string]any{"content_type": "image/png", "size_bytes": size})
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, size)
		assert.Contains(t, string(r.body), `"field":"size_bytes"`)
	}

	data := picture(t, 40, 40, "png")
	r = a.do("POST", "/api/admin/uploads", map[string]any{"content_type": "image/png", "size_bytes": len(data)})
	require.Equal(t, http.StatusCreated, r.status)
	var slot uploadSlot
	r.json(t, &slot)
	// Before the bytes arrive, the key cannot be used.
	r = a.do("POST", "/api/admin/products/"+p.ID+"/image", map[string]string{"key": slot.Key})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, string(r.body), "nothing was uploaded")
	// The local PUT enforces the declared type and length, as a presigned S3 PUT does.
	r = a.do("PUT", slot.Upload.URL, data, "Content-Type", "image/jpeg")
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	r = a.do("PUT", slot.Upload.URL, data[:len(data)-1], "Content-Type", "image/png")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = newClient(t).do("PUT", slot.Upload.URL, data, "Content-Type", "image/png")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	shopper, _ := registered(t)
	r = shopper.do("PUT", slot.Upload.URL, data, "Content-Type", "image/png")
	assert.Equal(t, http.StatusForbidden, r.status)
	r = a.do("PUT", slot.Upload.URL, data, "Content-Type", "image/png", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, "cross_site_request", r.errorCode(t))
	// Past the presigned URL's 10 minutes, the local URL has expired too.
	_, err := store.Pool().Exec(context.Background(), `UPDATE uploads SET created_at = now() - interval '11 minutes' WHERE key = $1`, slot.Key)
	require.NoError(t, err)
	r = a.do("PUT", slot.Upload.URL, data, "Content-Type", "image/png")
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Contains(t, string(r.body), "expired")

	// Declared PNG, sent JPEG bytes: the sniffed type decides, and nothing changes.
	jpg := picture(t, 40, 40, "jpeg")
	r = a.do("POST", "/api/admin/uploads", map[string]any{"content_type": "image/png", "size_bytes": len(jpg)})
	require.Equal(t, http.StatusCreated, r.status)
	r.json(t, &slot)
	r = a.do("PUT", slot.Upload.URL, jpg, "Content-Type", "image/png")
	require.Equal(t, http.StatusNoContent, r.status)
	r = a.do("POST", "/api/admin/products/"+p.ID+"/image", map[string]string{"key": slot.Key})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, string(r.body), "the bytes are image/jpeg, not the declared image/png")
	var version int64
	require.NoError(t, store.Pool().QueryRow(context.Background(), `SELECT image_version FROM products WHERE id = $1`, p.ID).Scan(&version))
	assert.Zero(t, version, "a refused upload changes nothing")

	for _, key := range []string{"", "uploads/../secret", "invoices/2026/12/SH-000001.pdf", "uploads/00000000-0000-4000-8000-000000000000"} {
		r = a.do("POST", "/api/admin/products/"+p.ID+"/image", map[string]string{"key": key})
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, key)
		assert.Contains(t, string(r.body), `"field":"key"`, key)
	}
	r = a.do("POST", "/api/admin/products/00000000-0000-4000-8000-000000000000/image", map[string]string{"key": slot.Key})
	assert.Equal(t, http.StatusNotFound, r.status)
}

func TestMediaServesOnlyPublicKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	require.NoError(t, mediaStore.Put(ctx, "invoices/2026/12/SH-999999.pdf", "application/pdf", strings.NewReader("%PDF"), 4))
	require.NoError(t, mediaStore.Put(ctx, "products/x/1-card.jpg", "image/jpeg", strings.NewReader("jpeg"), 4))
	c := newClient(t)
	for _, path := range []string{
		"/media/invoices/2026/12/SH-999999.pdf", "/media/uploads/whatever", "/media/products/x/../../invoices/2026/12/SH-999999.pdf",
		"/media/products/%2e%2e/invoices/2026/12/SH-999999.pdf", "/media/products/x", "/media/products/x/", "/media/",
		"/media/products/x/missing.jpg",
	} {
		r := c.do("GET", path, nil)
		assert.Equal(t, http.StatusNotFound, r.status, path)
		assert.NotContains(t, string(r.body), "%PDF", path)
	}
	r := c.do("GET", "/media/products/x/1-card.jpg", nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
}
