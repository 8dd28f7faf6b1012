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

func TestStaticSiteWebACL(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{})
	rec := r.rec
	provider := rec.Must(t, rtProvider, "site-us-east-1")
	acl := rec.Must(t, rtWebACL, "site-waf")
	logs := rec.Must(t, rtLogGroup, "site-waf-logs")
	logging := rec.Must(t, rtWebACLLogging, "site-waf-logging")
	dist := rec.Must(t, rtDistribution, "site-cdn")

	t.Run("CLOUDFRONT scope, in us-east-1", func(t *testing.T) {
		assert.Equal(t, "CLOUDFRONT", acl.Str("scope"))
		assert.Equal(t, "us-east-1", provider.Str("region"), "CloudFront reads web ACLs from us-east-1 only")
		for _, res := range []pulumimock.Resource{acl, logs, logging} {
			assert.Equal(t, r.urn, res.Parent, res.Name)
			assert.True(t, strings.HasPrefix(res.Provider, provider.URN+"::"), "%s uses the us-east-1 provider", res.Name)
		}
		assert.Contains(t, acl.Out("arn").StringValue(), ":global/webacl/")
	})

	t.Run("on the distribution", func(t *testing.T) {
		assert.Equal(t, acl.Out("arn").StringValue(), dist.Str("webAclId"), "WAFv2 takes the ACL's ARN, not its id")
		assert.True(t, dist.DependsOn("webAclId", acl.URN))
	})

	t.Run("rules: per-viewer rate, then the managed groups", func(t *testing.T) {
		assert.True(t, acl.Has("defaultAction.allow"))
		rules := acl.Plain("rules").([]any)
		require.Len(t, rules, 5)
		assert.Equal(t, "rate-limit-per-ip", acl.Str("rules[0].name"))
		assert.True(t, acl.Has("rules[0].action.block"))
		assert.Equal(t, 1000.0, acl.Num("rules[0].statement.rateBasedStatement.limit"))
		assert.Equal(t, 300.0, acl.Num("rules[0].statement.rateBasedStatement.evaluationWindowSec"))
		assert.Equal(t, "IP", acl.Str("rules[0].statement.rateBasedStatement.aggregateKeyType"),
			"at the edge the source address is the viewer's own")
		assert.False(t, acl.Has("rules[0].statement.rateBasedStatement.forwardedIpConfig"))
		var groups []string
		for i := 1; i < len(rules); i++ {
			g := "rules[" + string(rune('0'+i)) + "]."
			assert.Equal(t, "AWS", acl.Str(g+"statement.managedRuleGroupStatement.vendorName"))
			assert.True(t, acl.Has(g+"overrideAction.none"), "the group's own actions apply")
			groups = append(groups, acl.Str(g+"statement.managedRuleGroupStatement.name"))
		}
		assert.ElementsMatch(t, []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
			"AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAmazonIpReputationList"}, groups)
	})

	t.Run("metrics", func(t *testing.T) {
		assert.True(t, acl.Bool("visibilityConfig.cloudwatchMetricsEnabled"))
		for i := range 5 {
			assert.True(t, acl.Bool("rules["+string(rune('0'+i))+"].visibilityConfig.cloudwatchMetricsEnabled"), i)
		}
	})

	t.Run("logs", func(t *testing.T) {
		assert.True(t, strings.HasPrefix(logs.Str("namePrefix"), "aws-waf-logs-"), "WAF delivers only to aws-waf-logs-* groups")
		assert.Equal(t, 30.0, logs.Num("retentionInDays"))
		assert.Equal(t, acl.Out("arn").StringValue(), logging.Str("resourceArn"))
		assert.Equal(t, []any{logs.Out("arn").StringValue()}, logging.Plain("logDestinationConfigs"))
		assert.Equal(t, "authorization", logging.Str("redactedFields[0].singleHeader.name"))
		assert.Equal(t, "cookie", logging.Str("redactedFields[1].singleHeader.name"))
	})

	t.Run("outputs", func(t *testing.T) {
		assert.True(t, pulumimock.Await[bool](t, r.site.WafEnabled))
		assert.Equal(t, acl.Out("arn").StringValue(), pulumimock.Await[string](t, r.site.WebAclArn))
	})

	t.Run("limits are arguments", func(t *testing.T) {
		c := runSite(t, &components.StaticSiteArgs{Waf: components.StaticSiteWafArgs{RateLimit: 300, LogRetentionDays: 7}})
		assert.Equal(t, 300.0, c.rec.Must(t, rtWebACL, "site-waf").Num("rules[0].statement.rateBasedStatement.limit"))
		assert.Equal(t, 7.0, c.rec.Must(t, rtLogGroup, "site-waf-logs").Num("retentionInDays"))
	})

	t.Run("disabled", func(t *testing.T) {
		off := runSite(t, &components.StaticSiteArgs{Waf: components.StaticSiteWafArgs{Disabled: true}})
		assert.Empty(t, off.rec.ByType(rtWebACL, rtWebACLLogging, rtLogGroup))
		assert.False(t, off.rec.Must(t, rtDistribution, "site-cdn").Has("webAclId"))
		assert.Empty(t, off.rec.ByType(rtProvider), "no custom domain, no log delivery, no WAF: no us-east-1 provider")
		assert.False(t, pulumimock.Await[bool](t, off.site.WafEnabled))
		assert.Empty(t, pulumimock.Await[string](t, off.site.WebAclArn))
	})
}

// The service sets its session cookie's Secure attribute, and judges the
// request's own origin, from CloudFront-Forwarded-Proto (app/httpapi viaHTTPS),
// and refuses cross-site state changes from Origin and Sec-Fetch-Site: the
// /api/* origin request policy must send them.
func TestStaticSiteApiOriginRequestPolicy(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only")})
	policy := r.rec.Must(t, rtOriginRequest, "site-api-requests")
	dist := r.rec.Must(t, rtDistribution, "site-cdn")

	assert.Equal(t, r.urn, policy.Parent)
	assert.Equal(t, policy.ID, dist.Str("orderedCacheBehaviors[0].originRequestPolicyId"))
	assert.Equal(t, "whitelist", policy.Str("headersConfig.headerBehavior"),
		"Host stays out, so CloudFront sends the origin's own name")
	headers := policy.Plain("headersConfig.headers.items")
	for _, h := range []string{"CloudFront-Forwarded-Proto", "Origin", "Sec-Fetch-Site", "Idempotency-Key", "Content-Type",
		components.ViewerIpHeader} {
		assert.Contains(t, headers, h)
	}
	assert.NotContains(t, headers, "Host")
	assert.LessOrEqual(t, len(headers.([]any)), 10, "CloudFront's default quota of headers per origin request policy")
	assert.Equal(t, "all", policy.Str("cookiesConfig.cookieBehavior"), "the session cookie")
	assert.Equal(t, "all", policy.Str("queryStringsConfig.queryStringBehavior"))
}

// CloudFront answers 409 to an update of a VPC origin a distribution uses, so
// every change replaces it, the new one (under a new name) first.
func TestStaticSiteVpcOriginIsReplacedNotUpdated(t *testing.T) {
	t.Parallel()
	plain := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only")})
	tls := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("https-only")})
	vo := plain.rec.Must(t, rtVpcOrigin, "site-api-origin")
	voTLS := tls.rec.Must(t, rtVpcOrigin, "site-api-origin")

	assert.Equal(t, []string{"*"}, vo.ReplaceOnChanges, "any change replaces it")
	assert.False(t, vo.DeleteBeforeReplace, "the new one exists before the distribution leaves the old one")
	name := "vpcOriginEndpointConfig.name"
	assert.Regexp(t, `^api-alb-1234567-[0-9a-f]{8}$`, vo.Str(name))
	assert.NotEqual(t, vo.Str(name), voTLS.Str(name), "a new configuration, a new name: create-before-delete never collides")
	again := runSite(t, &components.StaticSiteArgs{ApiOrigin: testApiOrigin("http-only")})
	assert.Equal(t, vo.Str(name), again.rec.Must(t, rtVpcOrigin, "site-api-origin").Str(name), "stable: no change, no replacement")
}

func testApiOrigin(protocol string) *components.ApiOrigin {
	return &components.ApiOrigin{
		LoadBalancerArn: pulumi.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api-alb-1234567/0123"),
		Name:            pulumi.String("api-alb-1234567"), DomainName: pulumi.String("internal-api.elb.amazonaws.com"),
		ProtocolPolicy: protocol, HttpPort: 80, HttpsPort: 443,
	}
}
