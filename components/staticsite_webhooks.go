package components

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Webhook is an API path a third party POSTs signed events to (Stripe's payment events). It gets its own
// behaviour, before /api/*: uncached, and with an origin request policy that forwards the signature header,
// which the /api/* policy cannot take (it holds CloudFront's 10-header maximum already). The edge WAF keeps
// every rule on it except those that inspect the body (webhookBodyRules): the service authenticates the
// body by its signature, and a provider's event is routinely larger than the Core rule set's 8 KB.
type Webhook struct {
	// Path is the exact request path, under /api/ (no wildcard). Required.
	Path string
	// SignatureHeader is the header carrying the sender's signature ("Stripe-Signature"). Required.
	SignatureHeader string
}

// WebhookForwardedHeaders are what a webhook behaviour sends to the Api besides its SignatureHeader and the
// viewer-address headers (ApiOrigin's ViewerIpHeader, ViewerHostHeader): no cookies, no query string.
var WebhookForwardedHeaders = []string{"Content-Type", "CloudFront-Forwarded-Proto", "User-Agent"}

// webhookPath is an exact API path the WAF can compare and CloudFront match literally.
var webhookPath = regexp.MustCompile(`^/api(/[a-z0-9_-]+)+$`)

func (a *StaticSiteArgs) validateWebhooks(e *argErrors) {
	if len(a.Webhooks) > 0 && a.ApiOrigin == nil {
		e.bad("Webhooks", "need an ApiOrigin to send them to")
	}
	var seen []string
	for i, w := range a.Webhooks {
		field := fmt.Sprintf("Webhooks[%d]", i)
		if !webhookPath.MatchString(w.Path) {
			e.bad(field+".Path", "%q; want an exact path under /api/ (lower-case letters, digits, '-', '_'; no wildcard)", w.Path)
		}
		if slices.Contains(seen, w.Path) {
			e.bad(field+".Path", "%q is listed twice", w.Path)
		}
		seen = append(seen, w.Path)
		if !headerName.MatchString(w.SignatureHeader) || slices.ContainsFunc(WebhookForwardedHeaders, func(h string) bool {
			return strings.EqualFold(h, w.SignatureHeader)
		}) {
			e.bad(field+".SignatureHeader", "%q; want the provider's signature header name (letters, digits, '-')", w.SignatureHeader)
		}
	}
}

// webhookBehaviours are the behaviours of a.Webhooks, copies of the /api/* behaviour api (same origin,
// caching off, response headers, viewer-address function) with the webhook's path and its own origin
// request policy (`name-webhook-N-requests`).
func (s *StaticSite) webhookBehaviours(ctx *pulumi.Context, name string, a *StaticSiteArgs,
	api cloudfront.DistributionOrderedCacheBehaviorArgs,
) (cloudfront.DistributionOrderedCacheBehaviorArray, error) {
	var out cloudfront.DistributionOrderedCacheBehaviorArray
	for i, w := range a.Webhooks {
		headers := append([]string{w.SignatureHeader}, WebhookForwardedHeaders...)
		headers = append(headers, a.ApiOrigin.ViewerIpHeader, ViewerHostHeader)
		policy, err := cloudfront.NewOriginRequestPolicy(ctx, fmt.Sprintf("%s-webhook-%d-requests", name, i+1), &cloudfront.OriginRequestPolicyArgs{
			Comment: pulumi.String("What " + name + " " + w.Path + " sends to the Api: the body, " + w.SignatureHeader + ", no cookies"),
			HeadersConfig: cloudfront.OriginRequestPolicyHeadersConfigArgs{
				HeaderBehavior: pulumi.String("whitelist"),
				Headers:        cloudfront.OriginRequestPolicyHeadersConfigHeadersArgs{Items: pulumi.ToStringArray(headers)},
			},
			CookiesConfig:      cloudfront.OriginRequestPolicyCookiesConfigArgs{CookieBehavior: pulumi.String("none")},
			QueryStringsConfig: cloudfront.OriginRequestPolicyQueryStringsConfigArgs{QueryStringBehavior: pulumi.String("none")},
		}, pulumi.Parent(s))
		if err != nil {
			return nil, err
		}
		b := api
		b.PathPattern = pulumi.String(w.Path)
		b.OriginRequestPolicyId = policy.ID()
		out = append(out, b)
	}
	return out, nil
}
