package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

// TestStaticSitePricingPlan: with a flat-rate plan the distribution and its web ACL (and only they) are
// subscribed, through a provider of the plugin version that has the resource, in us-east-1; without one
// there is no subscription; a plan without a web ACL, or an unknown plan, is refused before anything is
// registered.
func TestStaticSitePricingPlan(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{PricingPlan: components.PricingPlanFree})
	sub := r.rec.Must(t, components.PricingPlanSubscriptionType, "site-plan")
	provider := r.rec.Must(t, "pulumi:providers:aws", "site-plans")
	acl := r.rec.Must(t, rtWebACL, "site-waf")
	dist := r.rec.Must(t, rtDistribution, "site-cdn")

	assert.Equal(t, "CloudFront", sub.Str("planFamily"))
	assert.Equal(t, "FREE", sub.Str("planTier"))
	assert.Equal(t, []any{dist.Out("arn").StringValue(), acl.Out("arn").StringValue()}, sub.Plain("resourceArns"),
		"exactly one distribution and one web ACL, as CreateSubscription wants")
	assert.True(t, sub.DependsOn("resourceArns", dist.URN))
	assert.True(t, sub.DependsOn("resourceArns", acl.URN))
	assert.Equal(t, r.urn, sub.Parent)
	assert.Contains(t, sub.Provider, provider.URN+"::", "the subscription goes through the v7 provider")
	assert.Equal(t, components.FlatRateProviderVersion, provider.Version)
	assert.Equal(t, "us-east-1", provider.Str("region"), "the PricingPlanManager API is in us-east-1 only")

	none := runSite(t, &components.StaticSiteArgs{})
	assert.Empty(t, none.rec.ByType(components.PricingPlanSubscriptionType))
	for _, p := range none.rec.ByType("pulumi:providers:aws") {
		assert.NotEqual(t, components.FlatRateProviderVersion, p.Version, "pay-as-you-go needs no second plugin: %s", p.Name)
	}

	for args, want := range map[*components.StaticSiteArgs]string{
		{PricingPlan: components.PricingPlanFree, Waf: components.StaticSiteWafArgs{Disabled: true}}: `StaticSiteArgs.PricingPlan: "free" needs the web ACL`,
		{PricingPlan: "business"}: `StaticSiteArgs.PricingPlan: "business" is not one of`,
	} {
		rec, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
			_, err := components.NewStaticSite(ctx, "site", args)
			return err
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
		assert.Empty(t, rec.Resources())
	}
}
