package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/components"
)

// StripeWebhookPath is where Stripe POSTs payment events (the service's webhook); register
// <siteUrl>/api/payments/stripe/webhook as the endpoint in Stripe's dashboard.
const StripeWebhookPath = "/api/payments/stripe/webhook"

// StripeSignatureHeader carries the signature the service verifies with the webhook secret.
const StripeSignatureHeader = "Stripe-Signature"

// Tags of a secret issued outside AWS, which no rotation function of ours can rotate: the policy pack's
// secrets-rotation rule accepts it only with an owner, an interval and a scheduled reminder
// (policies/README.md, "Externally issued secrets").
const (
	RotationTag         = "rotation"
	RotationExternal    = "external"
	RotationOwnerTag    = "rotation-owner"
	RotationIntervalTag = "rotation-interval-days"
)

// Stripe's origins the storefront needs with payments on: Stripe.js and its iframes (the Payment Element,
// and 3-D Secure pages on hooks.stripe.com), and its API, which Stripe.js calls from the page.
var (
	stripeScriptSources  = []string{"https://js.stripe.com"}
	stripeFrameSources   = []string{"https://js.stripe.com", "https://hooks.stripe.com"}
	stripeConnectSources = []string{"https://api.stripe.com"}
)

// payments is the stack side of the Stripe integration, nil-safe: with payments off (no stripeSecretKey)
// every method is a no-op and nothing is created.
type payments struct {
	cfg     Config
	key     *kms.Key
	secrets map[string]*secretsmanager.Secret // by environment variable
}

// newPayments creates, with Stripe on, a customer managed key (rotated yearly) and the two Secrets Manager
// secrets encrypted with it, each tagged as externally issued (RotationTag); nil with payments off.
func newPayments(ctx *pulumi.Context, cfg Config, opts ...pulumi.ResourceOption) (*payments, error) {
	if !cfg.PaymentsOn() {
		return nil, nil
	}
	key, err := kms.NewKey(ctx, "payment-secrets-key", &kms.KeyArgs{
		Description:       pulumi.String("Encrypts the Stripe secrets of stack " + ctx.Stack()),
		EnableKeyRotation: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, err
	}
	p := &payments{cfg: cfg, key: key, secrets: map[string]*secretsmanager.Secret{}}
	for _, s := range []struct {
		name, env, what string
		value           pulumi.StringOutput
	}{
		{"stripe-secret-key", "SHOP_STRIPE_SECRET_KEY", "Stripe API secret key", cfg.StripeSecretKey},
		{"stripe-webhook-secret", "SHOP_STRIPE_WEBHOOK_SECRET", "Stripe webhook signing secret", cfg.StripeWebhookSecret},
	} {
		sec, err := secretsmanager.NewSecret(ctx, s.name, &secretsmanager.SecretArgs{
			Description: pulumi.String(s.what + " (" + s.env + "), from the stack's secret config; issued by Stripe, rotated by hand"),
			KmsKeyId:    key.Arn,
			Tags: pulumi.StringMap{
				RotationTag:         pulumi.String(RotationExternal),
				RotationOwnerTag:    pulumi.String(cfg.StripeRotationOwner),
				RotationIntervalTag: pulumi.String(fmt.Sprint(cfg.StripeRotationDays)),
			},
		}, opts...)
		if err != nil {
			return nil, err
		}
		if _, err := secretsmanager.NewSecretVersion(ctx, s.name, &secretsmanager.SecretVersionArgs{
			SecretId:     sec.ID(),
			SecretString: s.value,
		}, append(opts, pulumi.Parent(sec))...); err != nil {
			return nil, err
		}
		p.secrets[s.env] = sec
	}
	return p, nil
}

// environment adds the payment settings: the publishable key and the reservation timeout as plain
// variables, the secret key and the webhook secret as references the execution role resolves at start.
func (p *payments) environment(env, secrets map[string]pulumi.StringInput) {
	if p == nil {
		return
	}
	env["SHOP_STRIPE_PUBLISHABLE_KEY"] = pulumi.String(p.cfg.StripePublishableKey)
	env["SHOP_PAYMENT_TIMEOUT"] = pulumi.String(p.cfg.PaymentTimeout)
	for name, s := range p.secrets {
		secrets[name] = s.Arn
	}
}

// secretsKey is the key the execution role decrypts the payment secrets with (nil with payments off).
func (p *payments) secretsKey() pulumi.StringInput {
	if p == nil {
		return nil
	}
	return p.key.Arn
}

// webhooks are the site's webhook routes: Stripe's, with payments on.
func (p *payments) webhooks() []components.Webhook {
	if p == nil {
		return nil
	}
	return []components.Webhook{{Path: StripeWebhookPath, SignatureHeader: StripeSignatureHeader}}
}

// contentSecurityPolicy is csp with Stripe's origins added, with payments on; csp unchanged otherwise.
func (p *payments) contentSecurityPolicy(csp string) string {
	if p == nil {
		return csp
	}
	return WithStripeCSP(csp)
}

// WithStripeCSP adds Stripe.js's origins to a Content-Security-Policy: script-src and frame-src (created
// from default-src when absent, so what the policy allowed stays allowed) and connect-src.
func WithStripeCSP(csp string) string {
	csp = components.AddCSPSources(csp, "script-src", stripeScriptSources...)
	csp = components.AddCSPSources(csp, "frame-src", stripeFrameSources...)
	return components.AddCSPSources(csp, "connect-src", stripeConnectSources...)
}

// export adds, with payments on, stripeWebhookUrl: the endpoint to register in Stripe's dashboard.
func (p *payments) export(ctx *pulumi.Context, siteURL pulumi.StringOutput) {
	if p == nil {
		return
	}
	ctx.Export("stripeWebhookUrl", pulumi.Sprintf("%s%s", siteURL, StripeWebhookPath))
}

// rotationReminder is the scheduled reminder the policy pack wants for secrets no function of ours can
// rotate: every StripeRotationDays an EventBridge rule (`stripe-rotation-reminder`) publishes to the alarm
// topic which secrets to rotate, in Stripe's dashboard then with `pulumi config set --secret`, and who owns
// that. The topic's key and policy admit EventBridge for this (operations.go, alarmPublishers).
func (p *payments) rotationReminder(ctx *pulumi.Context, topic pulumi.StringOutput, opts ...pulumi.ResourceOption) error {
	if p == nil {
		return nil
	}
	rule, err := cloudwatch.NewEventRule(ctx, "stripe-rotation-reminder", &cloudwatch.EventRuleArgs{
		Description:        pulumi.String("Reminds " + p.cfg.StripeRotationOwner + " to rotate the Stripe keys of stack " + ctx.Stack()),
		ScheduleExpression: pulumi.String(fmt.Sprintf("rate(%d days)", p.cfg.StripeRotationDays)),
	}, opts...)
	if err != nil {
		return err
	}
	key, hook := p.secrets["SHOP_STRIPE_SECRET_KEY"], p.secrets["SHOP_STRIPE_WEBHOOK_SECRET"]
	input := pulumi.All(key.Arn, hook.Arn).ApplyT(func(v []any) (string, error) {
		return mustJSON(map[string]any{
			"what": fmt.Sprintf("Stack %s: rotate the Stripe keys (every %d days, owner %s)", ctx.Stack(), p.cfg.StripeRotationDays, p.cfg.StripeRotationOwner),
			"how": "Roll the secret key and the webhook signing secret in Stripe's dashboard, then " +
				"`pulumi config set --secret stripeSecretKey` / `stripeWebhookSecret` and `pulumi up`; see stacks/README.md (Payments).",
			"secrets": v,
		}), nil
	}).(pulumi.StringOutput)
	_, err = cloudwatch.NewEventTarget(ctx, "stripe-rotation-reminder", &cloudwatch.EventTargetArgs{
		Rule:  rule.Name,
		Arn:   topic,
		Input: input,
	}, append(opts, pulumi.Parent(rule))...)
	return err
}
