package components_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestStaticSiteUploadsEveryFileWithTypeAndCacheContract(t *testing.T) {
	t.Parallel()
	dir := writeDist(t)

	t.Run("one object per file, typed, with the default contract", func(t *testing.T) {
		r := runSite(t, &components.StaticSiteArgs{AssetsDir: dir})
		rec := r.rec
		bucketID := rec.Must(t, rtBucket, "site-bucket").ID
		want := map[string][2]string{
			"index.html":              {"text/html; charset=utf-8", components.CacheControlRevalidate},
			"favicon.svg":             {"image/svg+xml", components.CacheControlShort},
			"robots.txt":              {"text/plain; charset=utf-8", components.CacheControlShort},
			"assets/app-ABCDEFGH.js":  {"text/javascript; charset=utf-8", components.CacheControlImmutable},
			"assets/app-QWERTY23.css": {"text/css; charset=utf-8", components.CacheControlImmutable},
			"assets/logo.webp":        {"image/webp", components.CacheControlShort},
		}
		objects := rec.ByType(rtObject)
		require.Len(t, objects, len(want), "one object per file; dot files skipped")
		for _, o := range objects {
			key := o.Str("key")
			w, ok := want[key]
			require.True(t, ok, "unexpected object %q", key)
			assert.Equal(t, "site-asset-"+key, o.Name)
			assert.Equal(t, r.urn, o.Parent)
			assert.Equal(t, bucketID, o.Str("bucket"))
			assert.Equal(t, w[0], o.Str("contentType"), key)
			assert.Equal(t, w[1], o.Str("cacheControl"), key)
			assert.True(t, o.Get("source").IsAsset(), key)
			assert.Equal(t, filepath.Join(dir, filepath.FromSlash(key)), o.Get("source").AssetValue().Path)
			assert.False(t, o.Has("acl"), "no ACLs")
		}
		assert.Equal(t, len(want), pulumimock.Await[int](t, r.site.AssetCount))
	})

	t.Run("the stack passes the site's own contract", func(t *testing.T) {
		custom := runSite(t, &components.StaticSiteArgs{AssetsDir: dir, CacheControl: func(key string) string {
			if strings.HasPrefix(key, "assets/") {
				return "public, max-age=60"
			}
			return "private"
		}})
		for _, o := range custom.rec.ByType(rtObject) {
			if strings.HasPrefix(o.Str("key"), "assets/") {
				assert.Equal(t, "public, max-age=60", o.Str("cacheControl"))
			} else {
				assert.Equal(t, "private", o.Str("cacheControl"))
			}
		}
	})
}

func TestStaticSiteDefaultCacheControlAndContentType(t *testing.T) {
	t.Parallel()
	t.Run("cache control", func(t *testing.T) {
		for key, want := range map[string]string{
			"index.html":                components.CacheControlRevalidate,
			"orders/index.html":         components.CacheControlRevalidate,
			"checkout":                  components.CacheControlRevalidate,
			"assets/app-ABCDEFGH.js":    components.CacheControlImmutable,
			"assets/chunk.3f2a9c1d.js":  components.CacheControlImmutable,
			"assets/app.js":             components.CacheControlShort,
			"assets/app-abcdefgh.js":    components.CacheControlShort,
			"assets/settings-panel.css": components.CacheControlShort,
			"favicon.ico":               components.CacheControlShort,
		} {
			assert.Equal(t, want, components.DefaultCacheControl(key), key)
		}
	})
	t.Run("content type", func(t *testing.T) {
		for key, want := range map[string]string{
			"a.HTML":       "text/html; charset=utf-8",
			"a.woff2":      "font/woff2",
			"a.json":       "application/json",
			"a.map":        "application/json",
			"a.unknownext": "application/octet-stream",
			"LICENSE":      "application/octet-stream",
		} {
			assert.Equal(t, want, components.ContentType(key), key)
		}
	})
}
