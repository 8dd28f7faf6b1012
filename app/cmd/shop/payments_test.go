package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadPaymentConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := loadPaymentConfig(env())
	require.NoError(t, err)
	assert.Equal(t, paymentConfig{Timeout: 30 * time.Minute}, c, "unset: none, pay on delivery")
	assert.False(t, c.on())

	c, err = loadPaymentConfig(env("SHOP_STRIPE_SECRET_KEY", "sk_test_abc", "SHOP_STRIPE_WEBHOOK_SECRET", "whsec_abc",
		"SHOP_STRIPE_PUBLISHABLE_KEY", "pk_test_abc", "SHOP_STRIPE_API_BASE", "http://127.0.0.1:12111", "SHOP_PAYMENT_TIMEOUT", "15m"))
	require.NoError(t, err)
	assert.Equal(t, paymentConfig{SecretKey: "sk_test_abc", WebhookSecret: "whsec_abc", PublishableKey: "pk_test_abc",
		APIBase: "http://127.0.0.1:12111", Timeout: 15 * time.Minute}, c)
	assert.True(t, c.on())
	logged := c.logAttr().String()
	assert.NotContains(t, logged, "sk_test_abc", "the secret key is never logged")
	assert.NotContains(t, logged, "whsec_abc", "the webhook secret is never logged")

	for want, e := range map[string][]string{
		"SHOP_STRIPE_WEBHOOK_SECRET is required with SHOP_STRIPE_SECRET_KEY": {"SHOP_STRIPE_SECRET_KEY", "sk_test_abc"},
		"SHOP_STRIPE_WEBHOOK_SECRET is set without SHOP_STRIPE_SECRET_KEY":   {"SHOP_STRIPE_WEBHOOK_SECRET", "whsec_abc"},
		"SHOP_STRIPE_SECRET_KEY: want a secret key":                          {"SHOP_STRIPE_SECRET_KEY", "pk_test_abc", "SHOP_STRIPE_WEBHOOK_SECRET", "whsec_abc"},
		"SHOP_STRIPE_WEBHOOK_SECRET: want the endpoint's signing secret":     {"SHOP_STRIPE_SECRET_KEY", "sk_test_abc", "SHOP_STRIPE_WEBHOOK_SECRET", "abc"},
		`SHOP_STRIPE_API_BASE="localhost:12111": want`:                       {"SHOP_STRIPE_SECRET_KEY", "sk_test_abc", "SHOP_STRIPE_WEBHOOK_SECRET", "whsec_abc", "SHOP_STRIPE_API_BASE", "localhost:12111"},
		`SHOP_PAYMENT_TIMEOUT="48h": want a duration from 1s to 24h0m0s`:     {"SHOP_PAYMENT_TIMEOUT", "48h"},
		`SHOP_PAYMENT_TIMEOUT="soon": want a positive duration`:              {"SHOP_PAYMENT_TIMEOUT", "soon"},
		"SHOP_STRIPE_PUBLISHABLE_KEY: want a publishable key":                {"SHOP_STRIPE_SECRET_KEY", "sk_test_abc", "SHOP_STRIPE_WEBHOOK_SECRET", "whsec_abc", "SHOP_STRIPE_PUBLISHABLE_KEY", "sk_live_x"},
	} {
		t.Run(want, func(t *testing.T) {
			_, err := loadPaymentConfig(env(e...))
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
	t.Run("a wrong secret is not echoed in the error", func(t *testing.T) {
		_, err := loadPaymentConfig(env("SHOP_STRIPE_SECRET_KEY", "sx_secret_value", "SHOP_STRIPE_WEBHOOK_SECRET", "wh_secret_value"))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "secret_value")
	})
}
