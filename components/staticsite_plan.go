package components

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The CloudFront flat-rate pricing plans a StaticSite can subscribe its distribution to
// (StaticSiteArgs.PricingPlan). A plan bills the distribution, its web ACL (rules and requests
// included), DDoS protection, its CloudWatch log ingestion and a TLS certificate at one monthly price,
// with no overage: past its allowance AWS slows the distribution down instead of billing more.
const (
	// PricingPlanPayAsYouGo keeps the distribution and its web ACL on usage pricing (the default).
	PricingPlanPayAsYouGo = ""
	// PricingPlanFree is $0 a month for up to 1 million requests and 100 GB; at most three per account.
	PricingPlanFree = "free"
	// PricingPlanPro is $15 a month for up to 10 million requests and 50 TB.
	PricingPlanPro = "pro"
)

// PricingPlans are the values StaticSiteArgs.PricingPlan takes.
var PricingPlans = []string{PricingPlanPayAsYouGo, PricingPlanFree, PricingPlanPro}

// Flat-rate plans are subscribed with a resource the pinned AWS SDK (pulumi-aws v6.83.4) does not have:
// `aws:pricingplanmanager/subscription:Subscription` came with pulumi-aws v7 (from the Terraform resource
// aws_pricingplanmanager_subscription). It is registered by its type token with an explicit provider of that
// plugin version, which `pulumi up` downloads like any plugin; the v7 SDK itself is not needed (and cannot
// be fetched here). The PricingPlanManager API answers in us-east-1 only.
const (
	PricingPlanSubscriptionType = "aws:pricingplanmanager/subscription:Subscription"
	FlatRateProviderVersion     = "7.51.1"
)

// pricingPlanSubscription is the subscription's state: its ARN and status (ACTIVE once AWS applied it).
type pricingPlanSubscription struct {
	pulumi.CustomResourceState
	Arn    pulumi.StringOutput `pulumi:"arn"`
	Status pulumi.StringOutput `pulumi:"status"`
}

func (a *StaticSiteArgs) validatePricingPlan(e *argErrors) {
	if !slices.Contains(PricingPlans, a.PricingPlan) {
		e.bad("PricingPlan", "%q is not one of %q", a.PricingPlan, PricingPlans)
		return
	}
	if a.PricingPlan != PricingPlanPayAsYouGo && a.Waf.Disabled {
		e.bad("PricingPlan", "%q needs the web ACL (Waf not disabled): a CloudFront flat-rate plan covers exactly one distribution and one web ACL, and refuses a distribution without one", a.PricingPlan)
	}
}

// pricingPlan subscribes the distribution and its web ACL to a.PricingPlan as `name-plan`, through the
// provider `name-plans` (FlatRateProviderVersion, us-east-1). While it lasts, CloudFront refuses to remove or
// replace the distribution's web ACL or to delete the distribution. Destroying it deletes a Free subscription
// at once and cancels a paid one at the end of the billing period (the distribution cannot be deleted before).
// Nothing without a plan.
func (s *StaticSite) pricingPlan(ctx *pulumi.Context, name string, a *StaticSiteArgs, dist *cloudfront.Distribution,
	webACL pulumi.StringInput,
) error {
	if a.PricingPlan == PricingPlanPayAsYouGo {
		return nil
	}
	provider := &pulumi.ProviderResourceState{}
	if err := ctx.RegisterResource("pulumi:providers:aws", name+"-plans", pulumi.Map{"region": pulumi.String("us-east-1")},
		provider, pulumi.Parent(s), pulumi.Version(FlatRateProviderVersion)); err != nil {
		return err
	}
	return ctx.RegisterResource(PricingPlanSubscriptionType, name+"-plan", pulumi.Map{
		"planFamily":   pulumi.String("CloudFront"),
		"planTier":     pulumi.String(strings.ToUpper(a.PricingPlan)),
		"resourceArns": pulumi.StringArray{dist.Arn, webACL},
	}, &pricingPlanSubscription{}, pulumi.Parent(s), pulumi.Provider(provider))
}
