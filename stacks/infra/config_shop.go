package infra

import (
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PaymentsOn reports whether the stack takes payments with Stripe (stripeSecretKey set).
func (c Config) PaymentsOn() bool { return c.HasStripe }

// Bounds of the shop identity values: they are printed on invoices and pages.
const (
	maxShopNameLen    = 100
	maxShopAddressLen = 300
)

// shop reads the shop's identity: a name (required), an address (printed on invoices; newlines allowed as
// "\n" in the YAML string) and a contact address, each free of control characters.
func (r *reader) shop(c *Config) {
	c.ShopName = r.text("shopName", maxShopNameLen, false)
	if c.ShopName == "" && r.ok("shopName") {
		r.fail("shopName", "must not be empty: it heads every invoice and page")
	}
	c.ShopAddress = r.text("shopAddress", maxShopAddressLen, true)
	c.ShopContactEmail = r.str("shopContactEmail")
	if c.ShopContactEmail != "" {
		if a, err := mail.ParseAddress(c.ShopContactEmail); err != nil || a.Address != c.ShopContactEmail {
			r.fail("shopContactEmail", "%q is not a plain email address (shop@example.com)", c.ShopContactEmail)
		}
	}
}

// text reads a printable, trimmed string of at most limit characters (newlines only when multiline).
func (r *reader) text(key string, limit int, multiline bool) string {
	v, ok := r.raw(key)
	if !ok {
		return ""
	}
	if v != strings.TrimSpace(v) {
		r.fail(key, "has leading or trailing spaces")
	}
	if n := len([]rune(v)); n > limit {
		r.fail(key, "is %d characters; at most %d", n, limit)
	}
	if strings.ContainsFunc(v, func(c rune) bool { return unicode.IsControl(c) && (!multiline || c != '\n') }) {
		r.fail(key, "contains control characters")
	}
	return v
}

// OfflineSecretPlaceholder is what the offline plan (package plan) passes for an encrypted stack value: it
// never has the decryption key, so a secret's shape cannot be checked there.
const OfflineSecretPlaceholder = "offline-plan-placeholder"

// Stripe key prefixes: secret (or restricted) keys, webhook signing secrets, publishable keys, per mode.
var (
	stripeSecretPrefixes      = map[string][]string{"live": {"sk_live_", "rk_live_"}, "test": {"sk_test_", "rk_test_"}}
	stripePublishablePrefixes = map[string][]string{"live": {"pk_live_"}, "test": {"pk_test_"}}
)

// stripeMode is "live" or "test" by the key's prefix, "" when it has neither.
func stripeMode(v string, prefixes map[string][]string) string {
	for mode, ps := range prefixes {
		for _, p := range ps {
			if strings.HasPrefix(v, p) && len(v) > len(p) {
				return mode
			}
		}
	}
	return ""
}

// stripe reads the payment settings. The secret key turns payments on and needs the webhook secret (the
// service must verify events), the publishable key of the same mode (a test key with a live one fails
// every payment), a rotation owner and interval. The values are checked by shape only and never appear in
// a message.
func (r *reader) stripe(ctx *pulumi.Context, c *Config) {
	c.StripePublishableKey = r.str("stripePublishableKey")
	c.StripeRotationOwner = r.str("stripeRotationOwner")
	c.StripeRotationDays = r.intIn("stripeRotationDays", 1, 365)
	c.PaymentTimeout = r.duration("paymentTimeout", 5*time.Minute, 72*time.Hour)
	sk, hasKey := r.raw("stripeSecretKey")
	wh, hasHook := r.raw("stripeWebhookSecret")
	hasKey, hasHook = hasKey && sk != "", hasHook && wh != ""
	if !hasKey {
		if hasHook || c.StripePublishableKey != "" {
			r.fail("stripeSecretKey", "stripeWebhookSecret or stripePublishableKey is set without it: set all three or none")
		}
		return
	}
	offline := sk == OfflineSecretPlaceholder
	mode := stripeMode(sk, stripeSecretPrefixes)
	if offline {
		mode = stripeMode(c.StripePublishableKey, stripePublishablePrefixes)
	} else if mode == "" {
		r.fail("stripeSecretKey", "is not a Stripe secret key (sk_live_…, sk_test_…, or a restricted rk_…)")
	}
	if !hasHook {
		r.fail("stripeWebhookSecret", "required with stripeSecretKey: the service verifies every webhook with it")
	} else if !strings.HasPrefix(wh, "whsec_") && wh != OfflineSecretPlaceholder {
		r.fail("stripeWebhookSecret", "is not a Stripe webhook signing secret (whsec_…)")
	}
	switch pm := stripeMode(c.StripePublishableKey, stripePublishablePrefixes); {
	case pm == "":
		r.fail("stripePublishableKey", "required with stripeSecretKey: want a publishable key (pk_live_… or pk_test_…)")
	case mode != "" && pm != mode:
		r.fail("stripePublishableKey", "is a %s key and stripeSecretKey a %s key: use one mode for both", pm, mode)
	}
	if a, err := mail.ParseAddress(c.StripeRotationOwner); err != nil || a.Address != c.StripeRotationOwner {
		r.fail("stripeRotationOwner", "want the plain email address of whoever rolls the Stripe keys (they cannot rotate themselves)")
	}
	var ok1, ok2 bool
	c.StripeSecretKey, ok1 = r.secret(ctx, "stripeSecretKey")
	c.StripeWebhookSecret, ok2 = r.secret(ctx, "stripeWebhookSecret")
	c.HasStripe = ok1 && ok2
}

// duration reads a Go duration ("30m") within [lo, hi].
func (r *reader) duration(key string, lo, hi time.Duration) string {
	v, ok := r.raw(key)
	if !ok {
		return ""
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		r.fail(key, "want a duration such as 30m or 2h, got %q", v)
	case d < lo || d > hi:
		r.fail(key, "%s is out of range [%s, %s]", d, lo, hi)
	}
	return v
}
