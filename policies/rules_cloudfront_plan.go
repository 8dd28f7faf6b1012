package policies

import (
	"slices"

	"github.com/shopstack/shopstack/internal/awstype"
)

var tPlanSubscription = Tokens{awstype.PricingplanmanagerSubscription}

// flatRateTiers are the CloudFront flat-rate plan tiers AWS sells.
var flatRateTiers = []string{"FREE", "PRO", "BUSINESS", "PREMIUM"}

// cloudfrontFlatRateEligible checks, before `pulumi up` does it the slow way, what CreateSubscription refuses for
// the CloudFront plan family: the subscription must list exactly one distribution and exactly one web ACL, the one
// the distribution uses, and the distribution must not use features flat-rate plans exclude (Lambda@Edge, legacy
// forwardedValues cache settings).
var cloudfrontFlatRateEligible = &Rule{
	ID:    "cloudfront-flat-rate-eligible",
	Title: "A CloudFront flat-rate plan covers one distribution and its own web ACL, with no Lambda@Edge or legacy cache settings",
	Rationale: "CreateSubscription refuses anything else with a ValidationException in the middle of a deploy; a plan " +
		"that listed another ACL than the distribution's would leave the real one billed per request.",
	Level:      Mandatory,
	CheckStack: checkFlatRatePlans,
}

func checkFlatRatePlans(c *Check, s *Stack) {
	for _, sub := range s.Of(tPlanSubscription) {
		if fam, _ := sub.Get("planFamily").Str(); fam != "CloudFront" {
			continue
		}
		tier := sub.Get("planTier")
		if t, _ := tier.Str(); tier.State != Unknown && !slices.Contains(flatRateTiers, t) {
			c.Fail(sub, "planTier %q is not one of %q", t, flatRateTiers)
		}
		var dists, acls []Resource
		for _, d := range s.Deps(sub, "resourceArns") {
			switch {
			case tDistribution.Has(d.Type):
				dists = append(dists, d)
			case tWebACL.Has(d.Type):
				acls = append(acls, d)
			}
		}
		if len(dists) != 1 || len(acls) != 1 {
			if sub.Get("resourceArns").State == Unknown && len(dists)+len(acls) == 0 {
				c.Unknown(sub, "resourceArns")
				continue
			}
			c.Fail(sub, "resourceArns lists %d distributions and %d web ACLs of the stack; a CloudFront plan needs exactly one of each", len(dists), len(acls))
			continue
		}
		d, acl := dists[0], acls[0]
		if !d.DependsOn("webAclId", acl) {
			c.Fail(sub, "the plan lists web ACL %s, which distribution %s does not use (its webAclId)", acl.Name, d.Name)
		}
		behaviors := append([]Value{d.Get("defaultCacheBehavior")}, d.Get("orderedCacheBehaviors").Items()...)
		for _, b := range behaviors {
			if b.Field("lambdaFunctionAssociations").State == Known && len(b.Field("lambdaFunctionAssociations").Items()) > 0 {
				c.Fail(d, "a cache behaviour has Lambda@Edge associations, which flat-rate plans exclude (use CloudFront Functions)")
			}
			if b.Field("forwardedValues").State == Known {
				c.Fail(d, "a cache behaviour uses forwardedValues (legacy cache settings), which flat-rate plans refuse; use a cache policy")
			}
		}
	}
}
