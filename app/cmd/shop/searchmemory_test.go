package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/internal/redistest"
)

// TestServeAnswersSearchFromTheCopy: with SHOP_SEARCH_MEMORY=true, serve (as the application
// role) loads the in-process copy, says so, keeps refreshing it, and searches answer from it.
func TestServeAnswersSearchFromTheCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	migrate, migrateOut := shopCmd([]string{"DATABASE_URL=" + dbURL}, "migrate")
	require.NoError(t, migrate.Run(), migrateOut.String())
	addr := freeAddr(t)
	cmd, out := shopCmd([]string{"DATABASE_URL=" + asAppRole(t, dbURL), "SHOP_ADDR=" + addr, "SHOP_SEARCH_MEMORY=true",
		"SHOP_WORKERS=0"}, "serve")
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill() //nolint:errcheck // the test ends here
	waitHealthy(t, addr, out)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"msg":"search index: loaded`) }, 30*time.Second,
		20*time.Millisecond, "the copy is loaded: %s", out)
	assert.Contains(t, out.String(), `"search":"postgresql, answered from an in-process copy (SHOP_SEARCH_MEMORY=true)"`)

	// A product written after the load reaches the copy through a refresh.
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO products (sku, name, price_cents, stock, category) VALUES ('ZORB-1', 'Zorblat Deluxe', 4999, 5, 'gadgets')`)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/api/products?q=zorblat")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var page shop.ProductPage
		return res.StatusCode == http.StatusOK && json.NewDecoder(res.Body).Decode(&page) == nil && page.Total == 1 &&
			len(page.Items) == 1 && page.Items[0].SKU == "ZORB-1"
	}, 30*time.Second, 20*time.Millisecond, "the new product is found: %s", out)
	assert.NotContains(t, out.String(), "refresh failed", "the application role may read what the refresh reads")
}

// TestServeWithTheCopyAndTheCacheSkipsThePageCache: with SHOP_SEARCH_MEMORY=true listings come
// from the copy, not the catalog page cache, whose 1 s would add to the copy's 1 s; single
// product reads still use the cache.
func TestServeWithTheCopyAndTheCacheSkipsThePageCache(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	addr, out := serve(t, "SHOP_CACHE_URL=redis://"+srv.Addr(), "SHOP_SEARCH_MEMORY=true", "SHOP_WORKERS=0")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), `"msg":"search index: loaded`) }, 30*time.Second,
		20*time.Millisecond, "the copy is loaded: %s", out)
	require.Equal(t, http.StatusOK, get(t, "http://"+addr+"/api/products"))
	require.Equal(t, http.StatusOK, get(t, "http://"+addr+"/api/products?category=kitchen"))
	assert.Equal(t, "*0", srv.Do("KEYS", "shop:{catalog}:page:*"), "no catalog page is cached")
	assert.Contains(t, out.String(), `"msg":"cache: using Redis"`)
}
