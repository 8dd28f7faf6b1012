package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestStaticSiteRoutesApiToAFunctionURL(t *testing.T) {
	t.Parallel()
	var api *components.Api
	var site *components.StaticSite
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		if api, err = components.NewApi(ctx, "api", lambdaApiArgs(t)); err != nil {
			return err
		}
		site, err = components.NewStaticSite(ctx, "site", &components.StaticSiteArgs{
			ApiOrigin: api.Origin, Waf: components.StaticSiteWafArgs{RateRuleOnly: true},
		})
		return err
	})
	siteURN := pulumimock.Await[string](t, site.URN())
	dist := rec.Must(t, rtDistribution, "site-cdn")
	fn := rec.Must(t, rtLambdaFn, "api-function")
	url := rec.Must(t, rtFunctionURL, "api-url")

	t.Run("no VPC origin, no load balancer", func(t *testing.T) {
		assert.Empty(t, rec.ByType(rtVpcOrigin, rtLB))
	})

	t.Run("origin: the Function URL over HTTPS, signed by a lambda OAC", func(t *testing.T) {
		oac := rec.Must(t, rtOAC, "site-api-oac")
		assert.Equal(t, siteURN, oac.Parent)
		assert.Equal(t, "lambda", oac.Str("originAccessControlOriginType"))
		assert.Equal(t, "always", oac.Str("signingBehavior"))
		assert.Equal(t, "sigv4", oac.Str("signingProtocol"))
		var api map[string]any
		for _, o := range dist.Plain("origins").([]any) {
			if m := o.(map[string]any); m["originId"] == "api" {
				api = m
			}
		}
		require.NotNil(t, api, "an api origin")
		want := url.Out("functionUrl").StringValue()
		assert.Equal(t, want, "https://"+api["domainName"].(string)+"/")
		assert.Equal(t, oac.Out("id").StringValue(), api["originAccessControlId"])
		custom := api["customOriginConfig"].(map[string]any)
		assert.Equal(t, "https-only", custom["originProtocolPolicy"])
		assert.Equal(t, []any{"TLSv1.2"}, custom["originSslProtocols"])
		assert.NotContains(t, api, "vpcOriginConfig")
		assert.Equal(t, "api", dist.Str("orderedCacheBehaviors[0].targetOriginId"))
		assert.Equal(t, "/api/*", dist.Str("orderedCacheBehaviors[0].pathPattern"))
	})

	t.Run("only this distribution may invoke: InvokeFunctionUrl and InvokeFunction", func(t *testing.T) {
		perms := rec.ByType(rtPermission)
		require.Len(t, perms, 2)
		actions := map[string]pulumimock.Resource{}
		for _, p := range perms {
			assert.Equal(t, siteURN, p.Parent)
			assert.Equal(t, "cloudfront.amazonaws.com", p.Str("principal"))
			assert.Equal(t, dist.Out("arn").StringValue(), p.Str("sourceArn"), "%s: restricted to the distribution", p.Name)
			assert.Equal(t, fn.Out("name").StringValue(), p.Str("function"))
			actions[p.Str("action")] = p
		}
		require.Contains(t, actions, "lambda:InvokeFunctionUrl")
		require.Contains(t, actions, "lambda:InvokeFunction")
		assert.Equal(t, "AWS_IAM", actions["lambda:InvokeFunctionUrl"].Str("functionUrlAuthType"))
	})

	t.Run("edge WAF: the rate rule only", func(t *testing.T) {
		acl := rec.Must(t, rtWebACL, "site-waf")
		rules := acl.Plain("rules").([]any)
		require.Len(t, rules, 1)
		assert.Equal(t, "rate-limit-per-ip", rules[0].(map[string]any)["name"])
		assert.Equal(t, acl.Out("arn").StringValue(), dist.Str("webAclId"))
	})
}

func TestStaticSiteFunctionOriginIsHTTPSOnly(t *testing.T) {
	t.Parallel()
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := components.NewStaticSite(ctx, "site", &components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			Name: pulumi.String("fn"), DomainName: pulumi.String("x.lambda-url.us-east-1.on.aws"),
			FunctionName: pulumi.String("fn"), ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 443,
		}})
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "StaticSiteArgs.ApiOrigin.ProtocolPolicy")
}
