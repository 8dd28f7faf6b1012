package media_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/internal/s3test"
)

const testBucket = s3test.Bucket

// startS3 runs the S3 stand-in (versitygw, internal/s3test) for the test and returns a client for it.
func startS3(t *testing.T) *s3.Client {
	t.Helper()
	return s3test.Start(t).Client
}

func TestS3Store(t *testing.T) {
	t.Parallel()
	client := startS3(t)
	st := media.NewS3(client, testBucket, "https://shop.example/media")
	ctx := context.Background()

	t.Run("objects", func(t *testing.T) {
		testStoreObjects(t, st)
		obj, err := st.Stat(ctx, "products/p1/1-card.jpg")
		require.NoError(t, err)
		assert.Equal(t, "image/jpeg", obj.ContentType)
		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("products/p1/1-card.jpg")})
		require.NoError(t, err)
		assert.Equal(t, media.PublicCacheControl, aws.ToString(head.CacheControl), "variants are cached for good")
		assert.Equal(t, "https://shop.example/media/products/p1/1-card.jpg", st.URL("products/p1/1-card.jpg"))
	})

	t.Run("presigned PUT enforces type and length, once", func(t *testing.T) {
		data := []byte("\x89PNG\r\n\x1a\n pretend picture bytes")
		up, err := st.PresignPut(ctx, "uploads/presigned", "image/png", int64(len(data)))
		require.NoError(t, err)
		assert.Equal(t, "PUT", up.Method)
		assert.Equal(t, map[string]string{"Content-Type": "image/png", "If-None-Match": "*"}, up.Headers)
		assert.Contains(t, up.URL, "X-Amz-Expires=600")
		assert.Contains(t, up.URL, "content-length")
		assert.Contains(t, up.URL, "content-type")
		assert.Contains(t, up.URL, "if-none-match")

		putWith := func(ct string, body []byte, ifNoneMatch bool) int {
			req, err := http.NewRequest(http.MethodPut, up.URL, bytes.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", ct)
			if ifNoneMatch {
				req.Header.Set("If-None-Match", "*")
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			_, _ = io.Copy(io.Discard, res.Body)
			return res.StatusCode
		}
		put := func(ct string, body []byte) int { return putWith(ct, body, true) }
		assert.Equal(t, http.StatusForbidden, putWith("image/png", data, false), "the condition is signed: it cannot be left out")
		assert.Equal(t, http.StatusForbidden, put("image/jpeg", data), "another content type breaks the signature")
		assert.Equal(t, http.StatusForbidden, put("image/png", append(data, 'x')), "another length breaks the signature")
		_, err = st.Stat(ctx, "uploads/presigned")
		assert.ErrorIs(t, err, media.ErrNotFound, "nothing was stored by the refused uploads")
		assert.Equal(t, http.StatusOK, put("image/png", data))
		obj, err := st.Stat(ctx, "uploads/presigned")
		require.NoError(t, err)
		assert.Equal(t, int64(len(data)), obj.Size)
		problem, err := media.CheckUpload(ctx, st, "uploads/presigned", "image/png", int64(len(data)), 5<<20)
		require.NoError(t, err)
		assert.Empty(t, problem, "the bytes sniff as PNG")
		other := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{'z'}, len(data)-8)...)
		assert.Equal(t, http.StatusPreconditionFailed, put("image/png", other), "the slot takes its bytes once")
		r, _, err := st.Get(ctx, "uploads/presigned")
		require.NoError(t, err)
		kept, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		assert.Equal(t, data, kept, "the first upload's bytes stay")
	})

	t.Run("presigned GET", func(t *testing.T) {
		require.NoError(t, st.Put(ctx, "invoices/2026/12/SH-000001.pdf", "application/pdf", strings.NewReader("%PDF-1.3 x"), 10))
		u, err := st.PresignGet(ctx, "invoices/2026/12/SH-000001.pdf")
		require.NoError(t, err)
		assert.Contains(t, u, "X-Amz-Expires=300")
		res, err := http.Get(u)
		require.NoError(t, err)
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "%PDF-1.3 x", string(body))
		res2, err := http.Get(strings.Replace(u, "SH-000001", "SH-000002", 1))
		require.NoError(t, err)
		res2.Body.Close()
		assert.Equal(t, http.StatusForbidden, res2.StatusCode, "the signature covers the key")
	})
}

// testStoreObjects is what every Store does with objects.
func testStoreObjects(t *testing.T, st media.Store) {
	t.Helper()
	ctx := context.Background()
	key := "products/p1/1-card.jpg"
	require.NoError(t, st.Put(ctx, key, "image/jpeg", strings.NewReader("first"), 5))
	require.NoError(t, st.Put(ctx, key, "image/jpeg", strings.NewReader("second!"), 7), "Put replaces")
	rc, obj, err := st.Get(ctx, key)
	require.NoError(t, err)
	body, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	assert.Equal(t, "second!", string(body))
	assert.Equal(t, int64(7), obj.Size)
	assert.WithinDuration(t, time.Now(), obj.ModTime, time.Minute)

	_, _, err = st.Get(ctx, "products/p1/missing.jpg")
	assert.ErrorIs(t, err, media.ErrNotFound)
	_, err = st.Stat(ctx, "products/p1/missing.jpg")
	assert.ErrorIs(t, err, media.ErrNotFound)

	require.NoError(t, st.Put(ctx, "products/p1/gone.jpg", "image/jpeg", strings.NewReader("x"), 1))
	require.NoError(t, st.Delete(ctx, "products/p1/gone.jpg"))
	require.NoError(t, st.Delete(ctx, "products/p1/gone.jpg"), "deleting a missing key is fine")
	_, err = st.Stat(ctx, "products/p1/gone.jpg")
	assert.ErrorIs(t, err, media.ErrNotFound)

	for _, bad := range []string{"", "/abs", "a/../b", "../x", "a//b", ".hidden", "a/./b", "a\\b", strings.Repeat("a", 513), "a/b/"} {
		assert.Error(t, st.Put(ctx, bad, "text/plain", strings.NewReader("x"), 1), strconv.Quote(bad))
		_, _, err := st.Get(ctx, bad)
		assert.Error(t, err, bad)
		assert.False(t, media.ValidKey(bad), bad)
	}
	assert.Error(t, st.Put(ctx, "products/short", "image/jpeg", strings.NewReader("abc"), 5), "fewer bytes than declared")
}
