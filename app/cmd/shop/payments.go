package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/stripe"
)

// paymentConfig is the payment provider: none (pay on delivery) unless SHOP_STRIPE_SECRET_KEY
// is set, then Stripe.
type paymentConfig struct {
	SecretKey      string
	WebhookSecret  string
	PublishableKey string
	// APIBase is SHOP_STRIPE_API_BASE: another Stripe API endpoint (tests: stripe-mock).
	APIBase string
	// Timeout is SHOP_PAYMENT_TIMEOUT: how long an unpaid order holds its stock.
	Timeout time.Duration
}

func (c paymentConfig) on() bool { return c.SecretKey != "" }

func loadPaymentConfig(getenv func(string) string) (paymentConfig, error) {
	c := paymentConfig{
		SecretKey:      strings.TrimSpace(getenv("SHOP_STRIPE_SECRET_KEY")),
		WebhookSecret:  strings.TrimSpace(getenv("SHOP_STRIPE_WEBHOOK_SECRET")),
		PublishableKey: strings.TrimSpace(getenv("SHOP_STRIPE_PUBLISHABLE_KEY")),
		APIBase:        strings.TrimSpace(getenv("SHOP_STRIPE_API_BASE")),
		Timeout:        payment.DefaultTimeout,
	}
	var errs []error
	bad := func(err error) { errs = append(errs, err) }
	if d, err := duration(getenv, "SHOP_PAYMENT_TIMEOUT", "30m"); err != nil {
		bad(err)
	} else if d > 0 {
		if d < time.Second || d > payment.MaxTimeout {
			bad(fmt.Errorf("SHOP_PAYMENT_TIMEOUT=%q: want a duration from 1s to %s (Stripe keeps an idempotency key 24h)", getenv("SHOP_PAYMENT_TIMEOUT"), payment.MaxTimeout))
		}
		c.Timeout = d
	}
	if !c.on() {
		for _, name := range []string{"SHOP_STRIPE_WEBHOOK_SECRET", "SHOP_STRIPE_PUBLISHABLE_KEY", "SHOP_STRIPE_API_BASE"} {
			if getenv(name) != "" {
				bad(fmt.Errorf("%s is set without SHOP_STRIPE_SECRET_KEY", name))
			}
		}
		return c, errors.Join(errs...)
	}
	// The values are never echoed: a mistyped secret in a log line is a leaked secret.
	if !strings.HasPrefix(c.SecretKey, "sk_") && !strings.HasPrefix(c.SecretKey, "rk_") {
		bad(errors.New("SHOP_STRIPE_SECRET_KEY: want a secret key (sk_live_..., sk_test_...) or restricted key (rk_...)"))
	}
	if c.WebhookSecret == "" {
		bad(errors.New("SHOP_STRIPE_WEBHOOK_SECRET is required with SHOP_STRIPE_SECRET_KEY: it verifies the webhook's deliveries"))
	} else if !strings.HasPrefix(c.WebhookSecret, "whsec_") {
		bad(errors.New("SHOP_STRIPE_WEBHOOK_SECRET: want the endpoint's signing secret (whsec_...)"))
	}
	if c.PublishableKey != "" && !strings.HasPrefix(c.PublishableKey, "pk_") {
		// Not echoed either: a secret key pasted here by mistake must not reach the log.
		bad(errors.New("SHOP_STRIPE_PUBLISHABLE_KEY: want a publishable key (pk_live_..., pk_test_...)"))
	}
	if c.APIBase != "" {
		if u, err := url.Parse(c.APIBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			bad(fmt.Errorf("SHOP_STRIPE_API_BASE=%q: want http(s)://host[:port]", c.APIBase))
		}
	}
	return c, errors.Join(errs...)
}

func (c paymentConfig) logAttr() slog.Attr {
	if !c.on() {
		return slog.String("payments", "none: pay on delivery (SHOP_STRIPE_SECRET_KEY unset)")
	}
	return slog.Group("payments", slog.String("provider", "stripe"),
		slog.String("SHOP_STRIPE_SECRET_KEY", "*****"), slog.String("SHOP_STRIPE_WEBHOOK_SECRET", "*****"),
		slog.String("SHOP_STRIPE_PUBLISHABLE_KEY", c.PublishableKey), slog.String("SHOP_STRIPE_API_BASE", c.APIBase),
		slog.String("SHOP_PAYMENT_TIMEOUT", c.Timeout.String()))
}

// storeOptions makes the store take orders pending payment when a provider is on.
func (c paymentConfig) storeOptions() []postgres.Option {
	if !c.on() {
		return nil
	}
	return []postgres.Option{postgres.WithPayments("stripe", c.Timeout)}
}

// openPayments builds the payment service of c over store.
func openPayments(c paymentConfig, store *postgres.Store, log *slog.Logger) (*payment.Service, error) {
	if !c.on() {
		return payment.NewService(payment.None{}, store, log), nil
	}
	p, err := stripe.New(stripe.Config{SecretKey: c.SecretKey, WebhookSecret: c.WebhookSecret, APIBase: c.APIBase, Log: log})
	if err != nil {
		return nil, err
	}
	return payment.NewService(p, store, log), nil
}
