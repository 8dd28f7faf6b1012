package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

var testStripeWebhook = components.Webhook{Path: "/api/payments/stripe/webhook", SignatureHeader: "Stripe-Signature"}

func TestStaticSiteWebhooks(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only"), Webhooks: []components.Webhook{testStripeWebhook}})
	rec := r.rec
	dist := rec.Must(t, rtDistribution, "site-cdn")
	policy := rec.Must(t, rtOriginRequest, "site-webhook-1-requests")
	hook, at := behaviour(t, dist, testStripeWebhook.Path)
	api, apiAt := behaviour(t, dist, "/api/*")

	t.Run("its own behaviour, before /api/*, to the same origin, uncached", func(t *testing.T) {
		assert.Less(t, at, apiAt, "CloudFront takes the first behaviour that matches")
		assert.Equal(t, api["targetOriginId"], hook["targetOriginId"])
		assert.Equal(t, components.CachingDisabledPolicyId, hook["cachePolicyId"])
		assert.Contains(t, hook["allowedMethods"], "POST")
		assert.Equal(t, api["functionAssociations"], hook["functionAssociations"], "the viewer's address, as on /api/*")
		assert.Equal(t, api["responseHeadersPolicyId"], hook["responseHeadersPolicyId"])
		assert.Equal(t, policy.ID, hook["originRequestPolicyId"])
		assert.NotEqual(t, api["originRequestPolicyId"], hook["originRequestPolicyId"])
	})

	t.Run("forwards the signature and the body, no cookies", func(t *testing.T) {
		headers := policy.Plain("headersConfig.headers.items").([]any)
		assert.Contains(t, headers, "Stripe-Signature")
		assert.Contains(t, headers, "Content-Type")
		assert.Contains(t, headers, components.ViewerIpHeader)
		assert.LessOrEqual(t, len(headers), 10, "CloudFront's default quota of headers per origin request policy")
		assert.NotContains(t, rec.Must(t, rtOriginRequest, "site-api-requests").Plain("headersConfig.headers.items"), "Stripe-Signature",
			"the /api/* policy is full (10 headers)")
		assert.Equal(t, "none", policy.Str("cookiesConfig.cookieBehavior"), "a webhook has no session")
		assert.Equal(t, "none", policy.Str("queryStringsConfig.queryStringBehavior"))
	})

	t.Run("validation", func(t *testing.T) {
		for _, c := range []struct {
			args components.StaticSiteArgs
			want string
		}{
			{components.StaticSiteArgs{Webhooks: []components.Webhook{testStripeWebhook}}, "StaticSiteArgs.Webhooks: need an ApiOrigin"},
			{components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only"), Webhooks: []components.Webhook{{Path: "/api/hooks/*", SignatureHeader: "X-Sig"}}},
				"StaticSiteArgs.Webhooks[0].Path"},
			{components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only"), Webhooks: []components.Webhook{{Path: "/hooks/stripe", SignatureHeader: "X-Sig"}}},
				"StaticSiteArgs.Webhooks[0].Path"},
			{components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only"), Webhooks: []components.Webhook{testStripeWebhook, testStripeWebhook}},
				"StaticSiteArgs.Webhooks[1].Path: \"/api/payments/stripe/webhook\" is listed twice"},
			{components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only"), Webhooks: []components.Webhook{{Path: "/api/hook", SignatureHeader: "bad header"}}},
				"StaticSiteArgs.Webhooks[0].SignatureHeader"},
		} {
			_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewStaticSite(ctx, "site", &c.args)
				return err
			})
			if assert.Error(t, err, c.want) {
				assert.Contains(t, err.Error(), c.want)
			}
		}
	})
}

// The edge WAF must not block Stripe's deliveries, and must not open a hole for them: only the body rules are
// scoped down, and only for a POST to the webhook's exact path.
func TestStaticSiteWebhookWafScopeDown(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only"), Webhooks: []components.Webhook{testStripeWebhook}})
	acl := r.rec.Must(t, rtWebACL, "site-waf")
	rules := map[string]map[string]any{}
	var order []string
	for _, rule := range acl.Plain("rules").([]any) {
		m := rule.(map[string]any)
		rules[m["name"].(string)] = m
		order = append(order, m["name"].(string))
	}
	require.Len(t, rules, 7, "the rate rule, four managed groups, the webhook label, the body rule")

	overridden := func(group string) []string {
		var out []string
		stmt := rules[group]["statement"].(map[string]any)["managedRuleGroupStatement"].(map[string]any)
		for _, o := range stmt["ruleActionOverrides"].([]any) {
			o := o.(map[string]any)
			assert.Equal(t, map[string]any{"count": map[string]any{}}, o["actionToUse"])
			out = append(out, o["name"].(string))
		}
		return out
	}
	t.Run("only the body rules count instead of blocking", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericRFI_BODY", "GenericLFI_BODY",
			"EC2MetaDataSSRF_BODY"}, overridden("AWSManagedRulesCommonRuleSet"))
		assert.Equal(t, []string{"SQLi_BODY", "SQLiExtendedPatterns_BODY"}, overridden("AWSManagedRulesSQLiRuleSet"))
		for _, g := range []string{"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet"} {
			stmt := rules[g]["statement"].(map[string]any)["managedRuleGroupStatement"].(map[string]any)
			assert.NotContains(t, stmt, "ruleActionOverrides", "%s judges webhooks like everything else", g)
		}
		assert.Equal(t, "rate-limit-per-ip", order[0], "webhooks are rate-limited too")
	})

	t.Run("a POST to the exact path is labelled", func(t *testing.T) {
		label := rules["label-webhooks"]
		assert.Equal(t, map[string]any{"count": map[string]any{}}, label["action"], "labels, decides nothing")
		assert.Equal(t, []any{map[string]any{"name": components.WebhookLabel}}, label["ruleLabels"])
		and := label["statement"].(map[string]any)["andStatement"].(map[string]any)["statements"].([]any)
		require.Len(t, and, 2)
		method := and[0].(map[string]any)["byteMatchStatement"].(map[string]any)
		path := and[1].(map[string]any)["byteMatchStatement"].(map[string]any)
		assert.Equal(t, "POST", method["searchString"])
		assert.Contains(t, method["fieldToMatch"], "method")
		assert.Equal(t, "EXACTLY", method["positionalConstraint"])
		assert.Equal(t, testStripeWebhook.Path, path["searchString"])
		assert.Contains(t, path["fieldToMatch"], "uriPath")
		assert.Equal(t, "EXACTLY", path["positionalConstraint"], "no prefix match: /api/payments/stripe/webhook/x is not spared")
	})

	t.Run("everything else the body rules match is still blocked", func(t *testing.T) {
		body := rules["body-rules-except-webhooks"]
		assert.Equal(t, map[string]any{"block": map[string]any{}}, body["action"])
		assert.Greater(t, body["priority"], rules["label-webhooks"]["priority"])
		assert.Greater(t, rules["label-webhooks"]["priority"], rules["AWSManagedRulesSQLiRuleSet"]["priority"], "after the groups add their labels")
		and := body["statement"].(map[string]any)["andStatement"].(map[string]any)["statements"].([]any)
		require.Len(t, and, 2)
		var labels []any
		for _, s := range and[0].(map[string]any)["orStatement"].(map[string]any)["statements"].([]any) {
			labels = append(labels, s.(map[string]any)["labelMatchStatement"].(map[string]any)["key"])
		}
		assert.ElementsMatch(t, []any{
			"awswaf:managed:aws:core-rule-set:SizeRestrictions_Body", "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
			"awswaf:managed:aws:core-rule-set:GenericRFI_Body", "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
			"awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body", "awswaf:managed:aws:sql-database:SQLi_Body",
			"awswaf:managed:aws:sql-database:SQLiExtendedPatterns_Body",
		}, labels, "one label per counted rule: none is dropped")
		not := and[1].(map[string]any)["notStatement"].(map[string]any)["statements"].([]any)
		assert.Equal(t, []any{map[string]any{"labelMatchStatement": map[string]any{"scope": "LABEL", "key": components.WebhookLabel}}}, not)
	})

	t.Run("without webhooks the ACL is unchanged", func(t *testing.T) {
		plain := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only")})
		pacl := plain.rec.Must(t, rtWebACL, "site-waf")
		assert.Len(t, pacl.Plain("rules").([]any), 5)
		assert.NotContains(t, pacl.Str("rules[2].statement.managedRuleGroupStatement.name"), "ruleActionOverrides")
		for i := range 5 {
			assert.False(t, pacl.Has("rules["+string(rune('0'+i))+"].statement.managedRuleGroupStatement.ruleActionOverrides"))
		}
	})
}
