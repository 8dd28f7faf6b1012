package components_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestStaticSiteCustomDomain(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{
		Domain:       "shop.example.com",
		HostedZoneId: pulumi.String("Z123"),
	})
	rec := r.rec
	provider := rec.Must(t, rtProvider, "site-us-east-1")
	cert := rec.Must(t, rtCert, "site-cert")
	validation := rec.Must(t, rtRecord, "site-cert-validation")
	validated := rec.Must(t, rtCertValid, "site-cert-validated")
	dist := rec.Must(t, rtDistribution, "site-cdn")

	t.Run("us-east-1 provider", func(t *testing.T) {
		assert.Equal(t, r.urn, provider.Parent)
		assert.Equal(t, "us-east-1", provider.Str("region"), "CloudFront reads certificates from us-east-1 only")
	})

	t.Run("certificate and its DNS validation", func(t *testing.T) {
		assert.Equal(t, r.urn, cert.Parent)
		assert.True(t, strings.HasPrefix(cert.Provider, provider.URN+"::"), "explicit provider: %s", cert.Provider)
		assert.Equal(t, "shop.example.com", cert.Str("domainName"))
		assert.Equal(t, "DNS", cert.Str("validationMethod"))
		assert.Equal(t, "Z123", validation.Str("zoneId"))
		assert.Equal(t, cert.Out("domainValidationOptions[0].resourceRecordName").StringValue(), validation.Str("name"))
		assert.Equal(t, cert.Out("domainValidationOptions[0].resourceRecordType").StringValue(), validation.Str("type"))
		assert.Equal(t, []any{cert.Out("domainValidationOptions[0].resourceRecordValue").StringValue()}, validation.Plain("records"))
		assert.True(t, strings.HasPrefix(validated.Provider, provider.URN+"::"))
		assert.Equal(t, cert.Out("arn").StringValue(), validated.Str("certificateArn"))
		assert.Equal(t, []any{validation.Out("fqdn").StringValue()}, validated.Plain("validationRecordFqdns"))
	})

	t.Run("distribution serves the validated certificate", func(t *testing.T) {
		assert.Equal(t, []any{"shop.example.com"}, dist.Plain("aliases"))
		assert.Equal(t, cert.Out("arn").StringValue(), dist.Str("viewerCertificate.acmCertificateArn"))
		assert.True(t, dist.DependsOn("viewerCertificate", validated.URN), "the distribution waits for validation")
		assert.Equal(t, "sni-only", dist.Str("viewerCertificate.sslSupportMethod"))
		assert.Equal(t, "TLSv1.2_2021", dist.Str("viewerCertificate.minimumProtocolVersion"))
		assert.False(t, dist.Bool("viewerCertificate.cloudfrontDefaultCertificate"))
	})

	t.Run("alias records", func(t *testing.T) {
		for _, typ := range []string{"A", "AAAA"} {
			rr := rec.Must(t, rtRecord, "site-alias-"+strings.ToLower(typ))
			assert.Equal(t, r.urn, rr.Parent)
			assert.Equal(t, "Z123", rr.Str("zoneId"))
			assert.Equal(t, "shop.example.com", rr.Str("name"))
			assert.Equal(t, typ, rr.Str("type"))
			assert.Equal(t, dist.Out("domainName").StringValue(), rr.Str("aliases[0].name"))
			assert.Equal(t, dist.Out("hostedZoneId").StringValue(), rr.Str("aliases[0].zoneId"))
		}
	})

	t.Run("outputs", func(t *testing.T) {
		assert.Equal(t, "https://shop.example.com", pulumimock.Await[string](t, r.site.Url))
		assert.False(t, pulumimock.Await[bool](t, r.site.UsesDefaultCertificate))
	})
}

func TestStaticSiteRoutesApiToAnInternalLoadBalancer(t *testing.T) {
	t.Parallel()
	var api *components.Api
	var site *components.StaticSite
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		if api, err = components.NewApi(ctx, "api", baseApiArgs()); err != nil {
			return err
		}
		site, err = components.NewStaticSite(ctx, "site", &components.StaticSiteArgs{
			ApiOrigin: api.Origin, Waf: components.StaticSiteWafArgs{Disabled: true},
		})
		return err
	})
	siteURN := pulumimock.Await[string](t, site.URN())
	alb := rec.Must(t, rtLB, "api-alb")
	vo := rec.Must(t, rtVpcOrigin, "site-api-origin")
	dist := rec.Must(t, rtDistribution, "site-cdn")
	b := "orderedCacheBehaviors[0]."

	t.Run("children", func(t *testing.T) {
		assert.Equal(t, sortedList(
			rtBucket+" site-bucket",
			rtPAB+" site-bucket-public-access",
			rtOwnership+" site-bucket-ownership",
			rtSSE+" site-bucket-encryption",
			rtBucketPolicy+" site-bucket-policy",
			rtOAC+" site-oac",
			rtHeaders+" site-headers",
			rtFunction+" site-deep-links",
			rtVpcOrigin+" site-api-origin",
			rtOriginRequest+" site-api-requests",
			rtHeaders+" site-api-headers",
			rtFunction+" site-api-viewer-ip",
			rtDistribution+" site-cdn",
		), childrenOf(rec, siteURN), "exactly these children with an API origin")
		assert.True(t, alb.Bool("internal"))
	})

	t.Run("VPC origin", func(t *testing.T) {
		assert.Equal(t, siteURN, vo.Parent)
		ep := "vpcOriginEndpointConfig."
		assert.Equal(t, alb.Out("arn").StringValue(), vo.Str(ep+"arn"))
		assert.Regexp(t, "^"+regexp.QuoteMeta(alb.Out("name").StringValue())+"-[0-9a-f]{8}$", vo.Str(ep+"name"),
			"the load balancer's name and a hash of the configuration")
		assert.Equal(t, "http-only", vo.Str(ep+"originProtocolPolicy"))
		assert.Equal(t, 80.0, vo.Num(ep+"httpPort"))
	})

	t.Run("origin", func(t *testing.T) {
		require.Len(t, dist.Plain("origins"), 2)
		assert.Equal(t, "api", dist.Str("origins[1].originId"))
		assert.Equal(t, alb.Out("dnsName").StringValue(), dist.Str("origins[1].domainName"))
		assert.Equal(t, vo.ID, dist.Str("origins[1].vpcOriginConfig.vpcOriginId"))
		assert.False(t, dist.Has("origins[1].customOriginConfig"), "never over the internet")
	})

	t.Run("behaviour", func(t *testing.T) {
		require.Len(t, dist.Plain("orderedCacheBehaviors"), 1)
		assert.Equal(t, "/api/*", dist.Str(b+"pathPattern"))
		assert.Equal(t, "api", dist.Str(b+"targetOriginId"))
		assert.Equal(t, components.CachingDisabledPolicyId, dist.Str(b+"cachePolicyId"))
		assert.Equal(t, rec.Must(t, rtOriginRequest, "site-api-requests").ID, dist.Str(b+"originRequestPolicyId"))
		assert.ElementsMatch(t, []any{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}, dist.Plain(b+"allowedMethods"))
		assert.Equal(t, "redirect-to-https", dist.Str(b+"viewerProtocolPolicy"))
		assert.False(t, dist.Has(b+"forwardedValues"))
	})

	// API responses keep the API's own (stricter) headers; CloudFront only
	// adds the ones it did not send.
	t.Run("response headers", func(t *testing.T) {
		apiHeaders := rec.Must(t, rtHeaders, "site-api-headers")
		assert.Equal(t, siteURN, apiHeaders.Parent)
		assert.Equal(t, apiHeaders.ID, dist.Str(b+"responseHeadersPolicyId"))
		siteHeaders := rec.Must(t, rtHeaders, "site-headers")
		assert.Equal(t, siteHeaders.ID, dist.Str("defaultCacheBehavior.responseHeadersPolicyId"))
		for _, h := range []string{"strictTransportSecurity", "contentSecurityPolicy", "contentTypeOptions", "frameOptions", "referrerPolicy"} {
			assert.False(t, apiHeaders.Bool("securityHeadersConfig."+h+".override"), "%s: the API's value wins", h)
			assert.True(t, siteHeaders.Bool("securityHeadersConfig."+h+".override"), "%s: S3 sends none, the site's value is set", h)
		}
		for i := range 3 {
			item := "customHeadersConfig.items[" + strconv.Itoa(i) + "]"
			assert.False(t, apiHeaders.Bool(item+".override"), apiHeaders.Str(item+".header"))
		}
		assert.Equal(t, responseHeaders(t, siteHeaders), responseHeaders(t, apiHeaders), "same values, added only where missing")
	})

	t.Run("viewer address for the Api's WAF: set by CloudFront, not the client", func(t *testing.T) {
		viewerIP := rec.Must(t, rtFunction, "site-api-viewer-ip")
		assert.Equal(t, siteURN, viewerIP.Parent)
		assert.Equal(t, "cloudfront-js-2.0", viewerIP.Str("runtime"))
		assert.True(t, viewerIP.Bool("publish"))
		code := viewerIP.Str("code")
		assert.Contains(t, code, "request.headers['"+strings.ToLower(components.ViewerIpHeader)+"'] = { value: event.viewer.ip };",
			"replaces whatever the client sent with the address it connected from")
		assert.NotContains(t, code, "uri", "API paths are never rewritten")
		assert.Equal(t, []any{map[string]any{"eventType": "viewer-request", "functionArn": viewerIP.Out("arn").StringValue()}},
			dist.Plain(b+"functionAssociations"))
		assert.Len(t, dist.Plain("defaultCacheBehavior.functionAssociations"), 1, "deep links on the S3 behaviour only")
	})

	t.Run("the load balancer admits CloudFront only", func(t *testing.T) {
		cf := rec.Must(t, rtIngress, "api-lb-in-cloudfront-80")
		assert.Equal(t, "pl-3b927c52", cf.Str("prefixListId"))
	})
}

func TestStaticSiteApiOriginDefaultsTheViewerIPHeader(t *testing.T) {
	t.Parallel()
	origin := &components.ApiOrigin{
		LoadBalancerArn: pulumi.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/0123"),
		Name:            pulumi.String("api"), DomainName: pulumi.String("internal-api.elb.amazonaws.com"),
		ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 443,
	}
	r := runSite(t, &components.StaticSiteArgs{ApiOrigin: origin})
	code := r.rec.Must(t, rtFunction, "site-api-viewer-ip").Str("code")
	assert.Contains(t, code, "request.headers['"+strings.ToLower(components.ViewerIpHeader)+"']")
	assert.Empty(t, origin.ViewerIpHeader, "the caller's ApiOrigin is not modified")
}

func TestStaticSiteStandardLoggingV2(t *testing.T) {
	t.Parallel()
	const bucketArn = "arn:aws:s3:::logs-1234567"
	r := runSite(t, &components.StaticSiteArgs{AccessLogBucketArn: pulumi.String(bucketArn)})
	rec := r.rec
	dist := rec.Must(t, rtDistribution, "site-cdn")
	provider := rec.Must(t, rtProvider, "site-us-east-1")
	source := rec.Must(t, "aws:cloudwatch/logDeliverySource:LogDeliverySource", "site-log-source")
	dest := rec.Must(t, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "site-log-destination")
	delivery := rec.Must(t, "aws:cloudwatch/logDelivery:LogDelivery", "site-log-delivery")

	t.Run("no legacy logging", func(t *testing.T) {
		assert.False(t, dist.Has("loggingConfig"), "no legacy logging: it would need bucket ACLs")
	})

	t.Run("delivery lives in us-east-1", func(t *testing.T) {
		assert.Equal(t, "us-east-1", provider.Str("region"), "CloudFront's delivery sources live in us-east-1")
		for _, res := range []pulumimock.Resource{source, dest, delivery} {
			assert.Equal(t, r.urn, res.Parent, res.Name)
			assert.True(t, strings.HasPrefix(res.Provider, provider.URN+"::"), "%s uses the us-east-1 provider", res.Name)
		}
	})

	t.Run("source, destination and delivery", func(t *testing.T) {
		assert.Equal(t, "ACCESS_LOGS", source.Str("logType"))
		assert.Equal(t, dist.Out("arn").StringValue(), source.Str("resourceArn"))
		assert.Equal(t, bucketArn, dest.Str("deliveryDestinationConfiguration.destinationResourceArn"))
		assert.Regexp(t, `^arn:aws:logs:us-east-1:123456789012:delivery-source:site-log-source-[0-9a-f]{7}$`, source.Out("arn").StringValue())
		assert.Equal(t, source.Out("name").StringValue(), delivery.Str("deliverySourceName"))
		assert.Equal(t, dest.Out("arn").StringValue(), delivery.Str("deliveryDestinationArn"))
		assert.Equal(t, "cloudfront/{DistributionId}/{yyyy}/{MM}/{dd}/{HH}", delivery.Str("s3DeliveryConfigurations[0].suffixPath"))
		assert.Empty(t, rec.ByType(rtCert), "a log delivery alone needs no certificate")
	})

	t.Run("off by default", func(t *testing.T) {
		plain := runSite(t, &components.StaticSiteArgs{Waf: components.StaticSiteWafArgs{Disabled: true}})
		assert.Empty(t, plain.rec.ByType("aws:cloudwatch/logDeliverySource:LogDeliverySource", rtProvider), "off by default")
	})
}
