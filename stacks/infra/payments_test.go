package infra_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
	"github.com/shopstack/shopstack/policies"
	"github.com/shopstack/shopstack/site"
	"github.com/shopstack/shopstack/stacks/infra"
)

const (
	testStripeKey  = "sk_test_51Hx0000000000000000000000000000000000000000"
	testWebhookKey = "whsec_0123456789abcdef0123456789abcdef"
	testPublicKey  = "pk_test_51Hx0000000000000000000000000000000000000000"
)

var stripeSecretKeys = []string{"shopstack:stripeSecretKey", "shopstack:stripeWebhookSecret"}

// withStripe turns payments on in a stack's config.
func withStripe(c map[string]string) {
	c["shopstack:stripeSecretKey"] = testStripeKey
	c["shopstack:stripeWebhookSecret"] = testWebhookKey
	c["shopstack:stripePublishableKey"] = testPublicKey
	c["shopstack:stripeRotationOwner"] = "payments@example.com"
}

func TestLoadConfigShopAndPayments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(map[string]string)
		wantErr []string
	}{
		{"empty shop name", func(c map[string]string) { c["shopstack:shopName"] = "" },
			[]string{"shopstack:shopName: must not be empty"}},
		{"shop name too long", func(c map[string]string) { c["shopstack:shopName"] = strings.Repeat("x", 101) },
			[]string{"shopstack:shopName: is 101 characters; at most 100"}},
		{"control character in the address", func(c map[string]string) { c["shopstack:shopAddress"] = "1 Main St\tSpringfield" },
			[]string{"shopstack:shopAddress: contains control characters"}},
		{"contact address", func(c map[string]string) { c["shopstack:shopContactEmail"] = "Shop <shop@example.com>" },
			[]string{`shopstack:shopContactEmail: "Shop <shop@example.com>" is not a plain email address`}},
		{"payment timeout", func(c map[string]string) { c["shopstack:paymentTimeout"] = "30" },
			[]string{`shopstack:paymentTimeout: want a duration such as 30m or 2h, got "30"`}},
		{"payment timeout too short", func(c map[string]string) { c["shopstack:paymentTimeout"] = "1m" },
			[]string{"shopstack:paymentTimeout: 1m0s is out of range [5m0s, 72h0m0s]"}},
		{"webhook secret without a key", func(c map[string]string) { c["shopstack:stripeWebhookSecret"] = testWebhookKey },
			[]string{"shopstack:stripeSecretKey: stripeWebhookSecret or stripePublishableKey is set without it"}},
		{"key without the rest", func(c map[string]string) { c["shopstack:stripeSecretKey"] = testStripeKey },
			[]string{"shopstack:stripeWebhookSecret: required with stripeSecretKey", "shopstack:stripePublishableKey: required with stripeSecretKey",
				"shopstack:stripeRotationOwner: want the plain email address"}},
		{"a publishable key as the secret key", func(c map[string]string) {
			withStripe(c)
			c["shopstack:stripeSecretKey"] = testPublicKey
		}, []string{"shopstack:stripeSecretKey: is not a Stripe secret key"}},
		{"not a webhook secret", func(c map[string]string) {
			withStripe(c)
			c["shopstack:stripeWebhookSecret"] = "we_123"
		}, []string{"shopstack:stripeWebhookSecret: is not a Stripe webhook signing secret"}},
		{"live and test keys mixed", func(c map[string]string) {
			withStripe(c)
			c["shopstack:stripePublishableKey"] = "pk_live_51Hx0000"
		}, []string{"shopstack:stripePublishableKey: is a live key and stripeSecretKey a test key"}},
		{"rotation interval", func(c map[string]string) {
			withStripe(c)
			c["shopstack:stripeRotationDays"] = "400"
		}, []string{"shopstack:stripeRotationDays: 400 is out of range [1, 365]"}},
		{"stripe secrets in plain text", withStripe,
			[]string{"shopstack:stripeSecretKey: is not encrypted: set it with `pulumi config set --secret stripeSecretKey`",
				"shopstack:stripeWebhookSecret: is not encrypted"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := stackConfig(t, "dev")
			tc.edit(c)
			_, err := loadConfig(t, c)
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			for _, secret := range []string{testStripeKey, testWebhookKey} {
				assert.NotContains(t, err.Error(), secret, "a message never carries a secret")
			}
		})
	}

	t.Run("payments on", func(t *testing.T) {
		t.Parallel()
		c := stackConfig(t, "dev")
		withStripe(c)
		cfg, err := loadConfig(t, c, stripeSecretKeys...)
		require.NoError(t, err)
		assert.True(t, cfg.PaymentsOn())
		assert.Equal(t, testStripeKey, pulumimock.AwaitSecret[string](t, cfg.StripeSecretKey))
		assert.Equal(t, testWebhookKey, pulumimock.AwaitSecret[string](t, cfg.StripeWebhookSecret))
		assert.Equal(t, 90, cfg.StripeRotationDays)
		assert.Equal(t, "30m", cfg.PaymentTimeout)
	})
	t.Run("payments off by default", func(t *testing.T) {
		t.Parallel()
		cfg, err := loadConfig(t, stackConfig(t, "prod"))
		require.NoError(t, err)
		assert.False(t, cfg.PaymentsOn())
		assert.Equal(t, "shopstack", cfg.ShopName)
	})
}

// The tags the stack puts on externally issued secrets are the ones the policy pack reads.
func TestRotationTagsAreThePolicyPacks(t *testing.T) {
	t.Parallel()
	assert.Equal(t, policies.RotationTag, infra.RotationTag)
	assert.Equal(t, policies.RotationExternal, infra.RotationExternal)
	assert.Equal(t, policies.RotationOwnerTag, infra.RotationOwnerTag)
	assert.Equal(t, policies.RotationIntervalTag, infra.RotationIntervalTag)
}

func TestWithStripeCSP(t *testing.T) {
	t.Parallel()
	got := infra.WithStripeCSP(site.ContentSecurityPolicy)
	dirs := map[string][]string{}
	for _, d := range strings.Split(got, "; ") {
		f := strings.Fields(d)
		dirs[f[0]] = f[1:]
	}
	assert.Equal(t, []string{"'self'", "https://js.stripe.com"}, dirs["script-src"])
	assert.Equal(t, []string{"'self'", "https://js.stripe.com", "https://hooks.stripe.com"}, dirs["frame-src"],
		"frame-src starts from default-src, so nothing it allowed is lost")
	assert.Equal(t, []string{"'self'", "https://api.stripe.com"}, dirs["connect-src"])
	assert.Equal(t, []string{"'none'"}, dirs["frame-ancestors"], "the rest is untouched")
	assert.Equal(t, []string{"'self'"}, dirs["default-src"])
	assert.True(t, strings.HasPrefix(got, "default-src 'self'; script-src 'self' https://js.stripe.com; style-src"), got)
	assert.Equal(t, got, infra.WithStripeCSP(got), "idempotent")
}

// Payments off (every real stack today): nothing of Stripe's exists, and the CSP is the storefront's own.
func TestPaymentsOffAddsNothing(t *testing.T) {
	t.Parallel()
	rec := record(t, "prod")
	for _, typ := range []string{"aws:secretsmanager/secret:Secret", "aws:cloudwatch/eventRule:EventRule", "aws:kms/key:Key"} {
		for _, r := range rec.ByType(typ) {
			assert.NotContains(t, r.Name, "stripe", r.Name)
			assert.NotContains(t, r.Name, "payment", r.Name)
		}
	}
	csp := rec.Must(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").
		Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy")
	assert.NotContains(t, csp, "stripe.com")
	assert.Equal(t, components.AddCSPSources(site.ContentSecurityPolicy, "connect-src", uploadOrigin(t, rec)), csp)
	env, secrets := container(t, rec)
	assert.NotContains(t, env, "SHOP_STRIPE_PUBLISHABLE_KEY")
	assert.NotContains(t, secrets, "SHOP_STRIPE_SECRET_KEY")
	dist := rec.Must(t, "aws:cloudfront/distribution:Distribution", "site-cdn")
	assert.NotContains(t, dist.Str("orderedCacheBehaviors[0].pathPattern"), "webhook")
}

func TestPaymentsOn(t *testing.T) {
	t.Parallel()
	var values map[string]string
	rec := recordWith(t, "prod", func(c map[string]string) {
		withStripe(c)
		values = c
	}, stripeSecretKeys...)
	key := rec.Must(t, "aws:kms/key:Key", "payment-secrets-key")
	secretKey := rec.Must(t, "aws:secretsmanager/secret:Secret", "stripe-secret-key")
	webhookSecret := rec.Must(t, "aws:secretsmanager/secret:Secret", "stripe-webhook-secret")

	t.Run("the secrets: Secrets Manager under the stack's key, never plain", func(t *testing.T) {
		assert.True(t, key.Bool("enableKeyRotation"))
		for _, s := range []pulumimock.Resource{secretKey, webhookSecret} {
			assert.Equal(t, key.Out("arn").StringValue(), s.Str("kmsKeyId"), s.Name)
			assert.Equal(t, "external", s.Str("tags.rotation"), s.Name)
			assert.Equal(t, "payments@example.com", s.Str("tags.rotation-owner"), s.Name)
			assert.Equal(t, "90", s.Str("tags.rotation-interval-days"), s.Name)
			assert.True(t, rec.Must(t, "aws:secretsmanager/secretVersion:SecretVersion", s.Name).IsSecret("secretString"), s.Name)
		}
		for _, r := range rec.Resources() {
			b, err := json.Marshal(pulumimock.Plain(r.Inputs, true))
			require.NoError(t, err)
			for _, v := range []string{testStripeKey, testWebhookKey} {
				assert.NotContains(t, string(b), v, "%s %s holds a Stripe secret in plain text", r.Type, r.Name)
			}
		}
	})

	t.Run("the task: secrets by reference, the publishable key and timeout plain", func(t *testing.T) {
		env, secrets := container(t, rec)
		assert.Equal(t, secretKey.Out("arn").StringValue(), secrets["SHOP_STRIPE_SECRET_KEY"])
		assert.Equal(t, webhookSecret.Out("arn").StringValue(), secrets["SHOP_STRIPE_WEBHOOK_SECRET"])
		assert.Equal(t, testPublicKey, env["SHOP_STRIPE_PUBLISHABLE_KEY"])
		assert.Equal(t, "30m", env["SHOP_PAYMENT_TIMEOUT"])
		got := map[string][]string{}
		for _, s := range rolePolicy(t, rec, "api-execution-policy") {
			got[s.Sid] = s.Resource
		}
		dbSecret := rec.Must(t, "aws:rds/instance:Instance", "data-db").Out("masterUserSecrets[0].secretArn").StringValue()
		assert.ElementsMatch(t, []string{secretKey.Out("arn").StringValue(), webhookSecret.Out("arn").StringValue(), dbSecret}, got["Secrets"],
			"the execution role reads exactly these secrets (and the migration's)")
		assert.Equal(t, []string{key.Out("arn").StringValue()}, got["SecretsKey"], "and decrypts with exactly this key")
	})

	t.Run("the webhook behaviour and the CSP", func(t *testing.T) {
		dist := rec.Must(t, "aws:cloudfront/distribution:Distribution", "site-cdn")
		assert.Equal(t, infra.StripeWebhookPath, dist.Str("orderedCacheBehaviors[0].pathPattern"))
		assert.Equal(t, "/api/*", dist.Str("orderedCacheBehaviors[1].pathPattern"))
		assert.Contains(t, rec.Must(t, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "site-webhook-1-requests").
			Plain("headersConfig.headers.items"), "Stripe-Signature")
		csp := rec.Must(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").
			Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy")
		assert.Equal(t, components.AddCSPSources(infra.WithStripeCSP(site.ContentSecurityPolicy), "connect-src", uploadOrigin(t, rec)), csp)
		acl := rec.Must(t, "aws:wafv2/webAcl:WebAcl", "site-waf")
		assert.Len(t, acl.Plain("rules").([]any), 7, "the edge WAF spares the webhook's body, nothing else")
	})

	t.Run("a regional web ACL on the load balancer spares the webhook too", func(t *testing.T) {
		regional := recordWith(t, "prod", func(c map[string]string) {
			withStripe(c)
			c["shopstack:apiWafEnabled"] = "true"
		}, stripeSecretKeys...)
		acl := regional.Must(t, "aws:wafv2/webAcl:WebAcl", "api-waf")
		assert.Len(t, acl.Plain("rules").([]any), 7)
		assert.Equal(t, infra.StripeWebhookPath, acl.Str("rules[5].statement.andStatement.statements[1].byteMatchStatement.searchString"))
	})

	t.Run("the rotation reminder reaches the alarm topic", func(t *testing.T) {
		rule := rec.Must(t, "aws:cloudwatch/eventRule:EventRule", "stripe-rotation-reminder")
		target := rec.Must(t, "aws:cloudwatch/eventTarget:EventTarget", "stripe-rotation-reminder")
		topic := rec.Must(t, "aws:sns/topic:Topic", "alarms")
		assert.Equal(t, "rate(90 days)", rule.Str("scheduleExpression"))
		assert.Equal(t, topic.Out("arn").StringValue(), target.Str("arn"))
		assert.Contains(t, target.Str("input"), secretKey.Out("arn").StringValue())
		assert.Contains(t, target.Str("input"), "payments@example.com")
		assert.Contains(t, rec.Must(t, "aws:sns/topicPolicy:TopicPolicy", "alarms-policy").Str("policy"), "events.amazonaws.com")
		assert.Contains(t, rec.Must(t, "aws:kms/key:Key", "alarms-key").Str("policy"), "events.amazonaws.com",
			"EventBridge encrypts for the topic's key")
	})

	t.Run("the policy pack passes it", func(t *testing.T) {
		rep, err := plan.RunPolicies("prod", values, rec.Resources(), nil)
		require.NoError(t, err)
		for _, f := range rep.Mandatory() {
			t.Errorf("mandatory violation: %s %s: %s", f.Rule, f.Name, f.Message)
		}
	})
}

// The media bucket is served at /media/* by the site's own distribution and written by the service under
// its three prefixes only.
func TestMediaThroughCloudFront(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := record(t, stack)
			dist := rec.Must(t, "aws:cloudfront/distribution:Distribution", "site-cdn")
			bucket := rec.Must(t, "aws:s3/bucketV2:BucketV2", "data-media")
			arn := bucket.Out("arn").StringValue()

			policy := rec.Must(t, "aws:s3/bucketPolicy:BucketPolicy", "data-media-policy").Str("policy")
			assert.Contains(t, policy, `"Resource":"`+arn+`/products/*"`)
			assert.Contains(t, policy, `"AWS:SourceArn":"`+dist.Out("arn").StringValue()+`"`)
			cors := rec.Must(t, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2", "data-media-cors")
			assert.Equal(t, []any{"https://" + dist.Out("domainName").StringValue()}, cors.Plain("corsRules[0].allowedOrigins"),
				"the site's own origin, nothing else")

			var found bool
			for i, b := range dist.Plain("orderedCacheBehaviors").([]any) {
				if b.(map[string]any)["pathPattern"] == "/media/*" {
					found = true
					assert.Equal(t, "media", dist.Str("orderedCacheBehaviors["+string(rune('0'+i))+"].targetOriginId"))
				}
			}
			assert.True(t, found, "a /media/* behaviour")

			csp := rec.Must(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").
				Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy")
			assert.Contains(t, csp, "connect-src 'self' "+uploadOrigin(t, rec)+";", "pages may PUT to exactly this bucket")
			assert.Equal(t, []any{"PUT"}, cors.Plain("corsRules[0].allowedMethods"))

			env, _ := container(t, rec)
			assert.Equal(t, "/media", env["SHOP_MEDIA_PUBLIC_BASE"])
			assert.Equal(t, "shopstack", env["SHOP_NAME"])
			task := rec.Must(t, "aws:iam/rolePolicy:RolePolicy", "api-task-policy").Str("policy")
			assert.Contains(t, task, `"Action":["s3:GetObject","s3:PutObject"],"Resource":["`+arn+`/uploads/*","`+arn+`/products/*","`+arn+`/invoices/*"]`)
			assert.NotContains(t, task, `"`+arn+`/*"`, "no bucket-wide object grant")
			assert.NotContains(t, task, "s3:DeleteObject")
		})
	}
}

// uploadOrigin is the media bucket's presigned-upload origin in a recorded stack.
func uploadOrigin(t *testing.T, rec *pulumimock.Recorder) string {
	t.Helper()
	return "https://" + rec.Must(t, "aws:s3/bucketV2:BucketV2", "data-media").Out("bucket").StringValue() + ".s3.us-east-1.amazonaws.com"
}
