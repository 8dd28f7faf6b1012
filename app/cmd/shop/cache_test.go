package main_test

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/internal/redistest"
)

// serve runs `shop serve` with env until the test ends and returns its address and output.
func serve(t *testing.T, env ...string) (string, *syncBuf) {
	t.Helper()
	addr := freeAddr(t)
	dbURL := pgtest.NewDatabase(t)
	migrate, migrateOut := shopCmd([]string{"DATABASE_URL=" + dbURL}, "migrate")
	require.NoError(t, migrate.Run(), migrateOut.String())
	cmd, out := shopCmd(append([]string{"DATABASE_URL=" + asAppRole(t, dbURL), "SHOP_ADDR=" + addr}, env...), "serve")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitHealthy(t, addr, out)
	return addr, out
}

func get(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

// The binary reads SHOP_CACHE_URL and SHOP_CACHE_PASSWORD (an ACL user, as ElastiCache), uses
// the cache, never logs the password, and keeps serving when the cache dies.
func TestServeUsesTheCache(t *testing.T) {
	t.Parallel()
	const password = "cache-s3cret-token"
	srv := redistest.Start(t, redistest.Options{Users: []string{"shop on >" + password + " ~shop:* +@all"}})
	addr, out := serve(t, "SHOP_CACHE_URL=redis://shop@"+srv.Addr(), "SHOP_CACHE_PASSWORD="+password)

	require.Equal(t, http.StatusOK, get(t, "http://"+addr+"/api/products"))
	assert.Equal(t, "*1", srv.Do("KEYS", "shop:{catalog}:page:*"), "the catalog's first page is cached")

	srv.Stop()
	for range 20 {
		assert.Equal(t, http.StatusOK, get(t, "http://"+addr+"/api/products"))
	}
	assert.Eventually(t, func() bool { return strings.Contains(out.String(), "cache unavailable") }, 5*time.Second, 20*time.Millisecond)
	logs := out.String()
	assert.Contains(t, logs, `"msg":"cache: using Redis"`)
	assert.Contains(t, logs, `"SHOP_CACHE_PASSWORD":"*****"`)
	assert.Contains(t, logs, `"SHOP_CACHE_URL":"redis://shop@`+srv.Addr()+`"`)
	assert.Equal(t, 1, strings.Count(logs, "cache unavailable"), "one warning, not one per request")
	assert.NotContains(t, logs, password)
}

func TestServeWithoutCacheSaysSo(t *testing.T) {
	t.Parallel()
	addr, out := serve(t)
	require.Equal(t, http.StatusOK, get(t, "http://"+addr+"/api/products"))
	assert.Contains(t, out.String(), "cache: none (SHOP_CACHE_URL unset)")
}

func TestServeWithUnreachableCacheStarts(t *testing.T) {
	t.Parallel()
	addr, out := serve(t, "SHOP_CACHE_URL=redis://127.0.0.1:1")
	require.Equal(t, http.StatusOK, get(t, "http://"+addr+"/api/products"))
	assert.Contains(t, out.String(), "cache unreachable at start")
}

func TestBadCacheConfigFailsClearly(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"SHOP_CACHE_URL=http://u:hunter2@cache:6379": `SHOP_CACHE_URL=\"http://u:xxxxx@cache:6379\": want redis://`,
		"SHOP_CACHE_PASSWORD=hunter2":                "SHOP_CACHE_PASSWORD is set without SHOP_CACHE_URL",
		"SHOP_CACHE_IAM_AUTH=true":                   "SHOP_CACHE_IAM_AUTH=true needs SHOP_CACHE_URL=rediss://user@host:port",
		"SHOP_CACHE_IAM_AUTH=true SHOP_CACHE_URL=redis://app@cache:6379 SHOP_CACHE_NAME=c AWS_REGION=eu-west-1":                                "(TLS, the IAM user's name)",
		"SHOP_CACHE_IAM_AUTH=true SHOP_CACHE_URL=rediss://app@cache:6379 SHOP_CACHE_PASSWORD=hunter2":                                          "SHOP_CACHE_PASSWORD and SHOP_CACHE_IAM_AUTH=true exclude each other",
		"SHOP_CACHE_IAM_AUTH=true SHOP_CACHE_URL=rediss://app@cache:6379 AWS_REGION=eu-west-1":                                                 "needs SHOP_CACHE_NAME",
		"SHOP_CACHE_IAM_AUTH=true SHOP_CACHE_URL=rediss://app@cache:6379 SHOP_CACHE_NAME=c AWS_REGION=":                                        "needs AWS_REGION",
		"SHOP_CACHE_IAM_AUTH=true SHOP_CACHE_URL=rediss://app@cache:6379 SHOP_CACHE_NAME=c SHOP_CACHE_SERVERLESS=perhaps AWS_REGION=eu-west-1": `SHOP_CACHE_SERVERLESS=\"perhaps\": want true or false`,
		"SHOP_CACHE_IAM_AUTH=maybe": `SHOP_CACHE_IAM_AUTH=\"maybe\": want true or false`,
	} {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			cmd, out := shopCmd(strings.Fields(env), "serve")
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Contains(t, out.String(), want)
			assert.NotContains(t, out.String(), "hunter2")
		})
	}
}
