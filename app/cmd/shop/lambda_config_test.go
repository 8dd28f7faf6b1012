package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLambdaMode(t *testing.T) {
	t.Parallel()
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	runtime := env(map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"})
	tests := []struct {
		name  string
		argv0 string
		args  []string
		env   func(string) string
		want  bool
	}{
		{"the zip's bootstrap", "/var/task/bootstrap", nil, env(nil), true},
		{"a runtime API and no subcommand", "/shop", nil, runtime, true},
		{"a subcommand wins over the runtime API", "/shop", []string{"migrate"}, runtime, false},
		{"bootstrap with a subcommand", "/var/task/bootstrap", []string{"serve"}, env(nil), false},
		{"plain shop, no runtime", "/shop", nil, env(nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, lambdaMode(tt.argv0, tt.args, tt.env))
		})
	}
}

func TestCheckLambdaConfig(t *testing.T) {
	t.Parallel()
	media := t.TempDir()
	load := func(kv map[string]string) (config, error) {
		getenv := func(k string) string {
			if k == "SHOP_MEDIA_DIR" && kv[k] == "" && kv["SHOP_MEDIA_BUCKET"] == "" && kv["no media"] == "" {
				return media
			}
			return kv[k]
		}
		cfg, err := loadConfig(getenv)
		require.NoError(t, err)
		return cfg, checkLambdaConfig(&cfg, getenv)
	}
	cfg, err := load(nil)
	require.NoError(t, err)
	assert.EqualValues(t, LambdaMaxConns, cfg.MaxConns, "the pool defaults to 2 under Lambda")

	cfg, err = load(map[string]string{"SHOP_DB_MAX_CONNS": "1"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, cfg.MaxConns)

	_, err = load(map[string]string{"SHOP_DB_MAX_CONNS": "3"})
	assert.ErrorContains(t, err, "SHOP_DB_MAX_CONNS=3: under Lambda want 1 or 2")

	dir := t.TempDir()
	require.NoError(t, writeIndex(dir))
	_, err = load(map[string]string{"SHOP_SITE_DIR": dir})
	assert.ErrorContains(t, err, "SHOP_SITE_DIR: under Lambda")

	_, err = load(map[string]string{"no media": "1", "HOME": t.TempDir()})
	assert.ErrorContains(t, err, "SHOP_MEDIA_BUCKET: under Lambda")

	assert.True(t, cfg.Flash.Group.Off, "no group commit under Lambda")
	assert.False(t, cfg.Flash.SoldOut, "no sold-out listener under Lambda")
	assert.Empty(t, cfg.WorkMarker)
	for _, name := range []string{"SHOP_GROUP_COMMIT", "SHOP_SOLD_OUT_FAST_PATH"} {
		_, err = load(map[string]string{name: "on"})
		assert.ErrorContains(t, err, name+"=on: not under Lambda")
	}

	_, err = load(map[string]string{"SHOP_SEARCH_MEMORY": "true"})
	assert.ErrorContains(t, err, "SHOP_SEARCH_MEMORY=true: not under Lambda")

	_, err = load(map[string]string{"SHOP_STRIPE_SECRET_KEY": "sk_test_lambda", "SHOP_STRIPE_WEBHOOK_SECRET": "whsec_lambda",
		"SHOP_STRIPE_PUBLISHABLE_KEY": "pk_test_lambda"})
	assert.ErrorContains(t, err, "SHOP_STRIPE_SECRET_KEY: card payments are not available under Lambda")

	cfg, err = load(map[string]string{"SHOP_WORK_MARKER": "s3://shop-media/work/due.json", "AWS_REGION": "eu-west-1"})
	require.NoError(t, err)
	assert.Equal(t, "s3://shop-media/work/due.json", cfg.WorkMarker)
	_, err = load(map[string]string{"SHOP_WORK_MARKER": "s3://shop-media/work/due.json"})
	assert.ErrorContains(t, err, "SHOP_WORK_MARKER needs AWS_REGION")
	_, err = load(map[string]string{"SHOP_WORK_MARKER": "https://shop-media/due.json", "AWS_REGION": "eu-west-1"})
	assert.ErrorContains(t, err, `SHOP_WORK_MARKER="https://shop-media/due.json": want s3://bucket/key`)
}

func writeIndex(dir string) error {
	return os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>"), 0o600)
}
