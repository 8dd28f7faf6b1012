package components_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestApiWaf(t *testing.T) {
	t.Parallel()
	t.Run("defaults: a rate limit keyed on the viewer, the managed groups, logs without credentials", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, baseApiArgs())
		rec := r.rec
		acl := rec.Must(t, rtWebACL, "api-waf")
		assert.Equal(t, "REGIONAL", acl.Str("scope"))
		assert.True(t, acl.Has("defaultAction.allow"))
		assert.True(t, acl.Bool("visibilityConfig.cloudwatchMetricsEnabled"))
		rules := acl.Plain("rules").([]any)
		require.Len(t, rules, 5)
		var names []string
		for i := range rules {
			p := "rules[" + string(rune('0'+i)) + "]"
			names = append(names, acl.Str(p+".name"))
			assert.True(t, acl.Bool(p+".visibilityConfig.cloudwatchMetricsEnabled"), "metrics on %s", acl.Str(p+".name"))
			assert.True(t, acl.Bool(p+".visibilityConfig.sampledRequestsEnabled"), "samples on %s", acl.Str(p+".name"))
		}
		assert.Equal(t, []string{"rate-limit-per-ip", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet",
			"AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"}, names)
		assert.True(t, acl.Has("rules[0].action.block"))
		assert.Equal(t, 1000.0, acl.Num("rules[0].statement.rateBasedStatement.limit"))
		assert.Equal(t, "FORWARDED_IP", acl.Str("rules[0].statement.rateBasedStatement.aggregateKeyType"), "behind CloudFront the source is CloudFront")
		assert.Equal(t, components.ViewerIpHeader, acl.Str("rules[0].statement.rateBasedStatement.forwardedIpConfig.headerName"),
			"keyed on the header CloudFront sets from the viewer's address, never on X-Forwarded-For, whose first entry the client writes")
		assert.Equal(t, "MATCH", acl.Str("rules[0].statement.rateBasedStatement.forwardedIpConfig.fallbackBehavior"))
		assert.Equal(t, components.ViewerIpHeader, r.api.Origin.ViewerIpHeader, "the StaticSite learns the header from Api.Origin")
		for i := 1; i < 5; i++ {
			p := "rules[" + string(rune('0'+i)) + "]"
			assert.Equal(t, "AWS", acl.Str(p+".statement.managedRuleGroupStatement.vendorName"))
			assert.True(t, acl.Has(p+".overrideAction.none"), "managed groups block (not count)")
		}
		assoc := rec.Must(t, rtWebACLAssoc, "api-waf-association")
		assert.Equal(t, rec.Must(t, rtLB, "api-alb").Out("arn").StringValue(), assoc.Str("resourceArn"))
		assert.Equal(t, acl.Out("arn").StringValue(), assoc.Str("webAclArn"))
		wafLogs := rec.Must(t, rtLogGroup, "api-waf-logs")
		assert.True(t, strings.HasPrefix(wafLogs.Str("namePrefix"), "aws-waf-logs-"), wafLogs.Str("namePrefix"))
		assert.Equal(t, 30.0, wafLogs.Num("retentionInDays"))
		logging := rec.Must(t, rtWebACLLogging, "api-waf-logging")
		assert.Equal(t, acl.Out("arn").StringValue(), logging.Str("resourceArn"))
		assert.Equal(t, []any{wafLogs.Out("arn").StringValue()}, logging.Plain("logDestinationConfigs"))
		assert.Equal(t, []any{
			map[string]any{"singleHeader": map[string]any{"name": "authorization"}},
			map[string]any{"singleHeader": map[string]any{"name": "cookie"}},
		}, logging.Plain("redactedFields"))
	})

	t.Run("internet-facing: keyed on the source address", func(t *testing.T) {
		t.Parallel()
		acl := runApi(t, internetApiArgs()).rec.Must(t, rtWebACL, "api-waf")
		assert.Equal(t, "IP", acl.Str("rules[0].statement.rateBasedStatement.aggregateKeyType"), "the source address is the viewer")
		assert.False(t, acl.Has("rules[0].statement.rateBasedStatement.forwardedIpConfig"))
	})

	t.Run("WafRateLimit sets the limit", func(t *testing.T) {
		t.Parallel()
		acl := runApi(t, tunedApiArgs()).rec.Must(t, rtWebACL, "api-waf")
		assert.Equal(t, 300.0, acl.Num("rules[0].statement.rateBasedStatement.limit"))
	})

	t.Run("WafWebhooks: the body rules spare a POST to exactly those paths, as at the edge", func(t *testing.T) {
		t.Parallel()
		args := baseApiArgs()
		args.WafWebhooks = []components.Webhook{testStripeWebhook}
		acl := runApi(t, args).rec.Must(t, rtWebACL, "api-waf")
		require.Len(t, acl.Plain("rules").([]any), 7)
		assert.Equal(t, "label-webhooks", acl.Str("rules[5].name"))
		assert.Equal(t, testStripeWebhook.Path, acl.Str("rules[5].statement.andStatement.statements[1].byteMatchStatement.searchString"))
		assert.Equal(t, "body-rules-except-webhooks", acl.Str("rules[6].name"))
		assert.True(t, acl.Has("rules[6].action.block"))
		assert.Equal(t, "SizeRestrictions_BODY",
			acl.Str("rules[2].statement.managedRuleGroupStatement.ruleActionOverrides[0].name"), "the ALB inspects 8 KB at most")

		args.WafWebhooks = []components.Webhook{{Path: "/api/*"}}
		_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
			_, err := components.NewApi(ctx, "api", args)
			return err
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `ApiArgs.WafWebhooks[0].Path: "/api/*"`)
	})

	t.Run("DisableWaf removes it and says so", func(t *testing.T) {
		t.Parallel()
		args := baseApiArgs()
		args.DisableWaf = true
		r := runApi(t, args)
		for _, typ := range []string{rtWebACL, rtWebACLAssoc, rtWebACLLogging} {
			assert.Empty(t, r.rec.ByType(typ), typ)
		}
		_, wafLogs := r.rec.Find(rtLogGroup, "api-waf-logs")
		assert.False(t, wafLogs)
		assert.False(t, pulumimock.Await[bool](t, r.api.WafEnabled))
		assert.Equal(t, "", pulumimock.Await[string](t, r.api.WebAclArn))
	})
}
