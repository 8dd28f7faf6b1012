package components

import (
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Managed CloudFront policies (global, fixed ids published by AWS).
const (
	// CachingOptimizedPolicyId caches on the URL only, honours origin
	// Cache-Control, and compresses (gzip, brotli).
	CachingOptimizedPolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	// CachingDisabledPolicyId caches nothing.
	CachingDisabledPolicyId = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
)

// ApiForwardedHeaders are the request headers the /api/* origin request
// policy sends to the Api, besides the viewer-address header (ApiOrigin's
// ViewerIpHeader), every cookie and the query string. It is an explicit list
// because no header behaviour offers "all viewer headers except Host, plus
// CloudFront's": the managed AllViewerExceptHostHeader policy (which leaves
// Host out so CloudFront sends the origin's own name, the one its TLS
// certificate covers) cannot add CloudFront-Forwarded-Proto, and without it
// the service cannot tell that the viewer used HTTPS, so its session cookie
// loses Secure. A header the service starts to read must be added here. An
// origin request policy holds at most 10 headers (an adjustable quota).
var ApiForwardedHeaders = []string{
	"CloudFront-Forwarded-Proto", // Secure cookies, the request's own origin (viaHTTPS)
	"Origin", "Sec-Fetch-Site",   // the cross-site refusal
	"Idempotency-Key",        // order retries
	"Content-Type", "Accept", // the 415 check, content negotiation
	"User-Agent",   // a regional web ACL on the Api judges the viewer's, not CloudFront's
	"X-Request-Id", // the request log keeps the client's id
}

const (
	s3OriginId  = "s3"
	apiOriginId = "api"
)

// edgeProtection is what the distribution gets from us-east-1: cert, the
// validated certificate of Domain (nil: the CloudFront default certificate),
// and webACL, the web ACL's ARN (nil: no WAF).
type edgeProtection struct{ cert, webACL pulumi.StringInput }

// distribution registers `name-cdn` and what its behaviours use: the bucket's
// origin access control, the site's response headers policy and deep-link
// function and, with an ApiOrigin, the /api/* route.
func (s *StaticSite) distribution(ctx *pulumi.Context, name string, a *StaticSiteArgs, bucket *privateBucket,
	edge edgeProtection,
) (*cloudfront.Distribution, error) {
	oac, err := cloudfront.NewOriginAccessControl(ctx, name+"-oac", &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("Site bucket of " + name),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, pulumi.Parent(s))
	if err != nil {
		return nil, err
	}
	defaultBehaviour, err := s.defaultBehaviour(ctx, name, a)
	if err != nil {
		return nil, err
	}
	origins := cloudfront.DistributionOriginArray{
		cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(s3OriginId),
			DomainName:            bucket.Bucket.BucketRegionalDomainName,
			OriginAccessControlId: oac.ID(),
		},
	}
	var ordered cloudfront.DistributionOrderedCacheBehaviorArray
	if a.ApiOrigin != nil {
		route, err := s.apiRoute(ctx, name, a)
		if err != nil {
			return nil, err
		}
		origins = append(origins, route.origin)
		// Exact webhook paths first: CloudFront takes the first behaviour that matches.
		webhooks, err := s.webhookBehaviours(ctx, name, a, route.behaviour)
		if err != nil {
			return nil, err
		}
		ordered = append(append(ordered, webhooks...), route.behaviour)
	}
	if a.Media != nil {
		route, err := s.mediaRoute(ctx, name, a.Media, defaultBehaviour.ResponseHeadersPolicyId)
		if err != nil {
			return nil, err
		}
		origins = append(origins, route.origin)
		ordered = append(ordered, route.behaviour)
	}
	aliases := pulumi.StringArray{}
	if a.Domain != "" {
		aliases = append(aliases, pulumi.String(a.Domain))
	}
	distArgs := &cloudfront.DistributionArgs{
		Enabled:               pulumi.Bool(true),
		Comment:               pulumi.String(name),
		Aliases:               aliases,
		HttpVersion:           pulumi.String("http2and3"),
		IsIpv6Enabled:         pulumi.Bool(true),
		PriceClass:            pulumi.String(a.PriceClass),
		DefaultRootObject:     pulumi.String(a.DefaultRootObject),
		Origins:               origins,
		DefaultCacheBehavior:  defaultBehaviour,
		OrderedCacheBehaviors: ordered,
		Restrictions: cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		ViewerCertificate: viewerCertificate(edge.cert),
		WebAclId:          edge.webACL,
	}
	if a.AccessLogBucketDomainName != nil {
		distArgs.LoggingConfig = cloudfront.DistributionLoggingConfigArgs{
			Bucket:         a.AccessLogBucketDomainName,
			Prefix:         pulumi.String(a.AccessLogPrefix),
			IncludeCookies: pulumi.Bool(false),
		}
	}
	return cloudfront.NewDistribution(ctx, name+"-cdn", distArgs, pulumi.Parent(s))
}

// viewerCertificate is the validated ACM certificate, or CloudFront's default
// one when cert is nil.
func viewerCertificate(cert pulumi.StringInput) cloudfront.DistributionViewerCertificateArgs {
	if cert == nil {
		return cloudfront.DistributionViewerCertificateArgs{CloudfrontDefaultCertificate: pulumi.Bool(true)}
	}
	return cloudfront.DistributionViewerCertificateArgs{
		AcmCertificateArn:      cert,
		SslSupportMethod:       pulumi.String("sni-only"),
		MinimumProtocolVersion: pulumi.String("TLSv1.2_2021"),
	}
}

// defaultBehaviour serves the bucket: cached, with the site's security headers
// (`name-headers`) and the deep-link function (`name-deep-links`).
func (s *StaticSite) defaultBehaviour(ctx *pulumi.Context, name string, a *StaticSiteArgs,
) (cloudfront.DistributionDefaultCacheBehaviorArgs, error) {
	parent := pulumi.Parent(s)
	headers, err := cloudfront.NewResponseHeadersPolicy(ctx, name+"-headers",
		securityHeaders(a, "Security headers of "+name, true), parent)
	if err != nil {
		return cloudfront.DistributionDefaultCacheBehaviorArgs{}, err
	}
	fn, err := cloudfront.NewFunction(ctx, name+"-deep-links", &cloudfront.FunctionArgs{
		Runtime: pulumi.String("cloudfront-js-2.0"),
		Comment: pulumi.String("Answers client-side routes with /index.html"),
		Code:    pulumi.String(a.ViewerRequestFunction),
		Publish: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return cloudfront.DistributionDefaultCacheBehaviorArgs{}, err
	}
	return cloudfront.DistributionDefaultCacheBehaviorArgs{
		TargetOriginId:          pulumi.String(s3OriginId),
		ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
		AllowedMethods:          pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD"), pulumi.String("OPTIONS")},
		CachedMethods:           pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
		CachePolicyId:           pulumi.String(CachingOptimizedPolicyId),
		ResponseHeadersPolicyId: headers.ID(),
		Compress:                pulumi.Bool(true),
		FunctionAssociations: cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
			cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{
				EventType: pulumi.String("viewer-request"), FunctionArn: fn.Arn,
			},
		},
	}, nil
}

// siteRoute is one origin of the distribution and the behaviour that sends to it.
type siteRoute struct {
	origin    cloudfront.DistributionOriginArgs
	behaviour cloudfront.DistributionOrderedCacheBehaviorArgs
}

// apiRoute is the /api/* route to a.ApiOrigin: the VPC origin
// (`name-api-origin`) or the Function URL's (staticsite_lambdaorigin.go), the origin request policy (`name-api-requests`), the
// API's response headers policy (`name-api-headers`) and the viewer-address
// function (`name-api-viewer-ip`), uncached.
func (s *StaticSite) apiRoute(ctx *pulumi.Context, name string, a *StaticSiteArgs) (*siteRoute, error) {
	parent := pulumi.Parent(s)
	o := a.ApiOrigin
	origin, err := s.apiOrigin(ctx, name, o)
	if err != nil {
		return nil, err
	}
	requests, err := apiRequestPolicy(ctx, name, o, parent)
	if err != nil {
		return nil, err
	}
	apiHeaders, err := cloudfront.NewResponseHeadersPolicy(ctx, name+"-api-headers",
		securityHeaders(a, "Security headers of "+name+" /api/*, where the API's own win", false), parent)
	if err != nil {
		return nil, err
	}
	viewerIP, err := cloudfront.NewFunction(ctx, name+"-api-viewer-ip", &cloudfront.FunctionArgs{
		Runtime: pulumi.String("cloudfront-js-2.0"),
		Comment: pulumi.String("Sets " + o.ViewerIpHeader + " and " + ViewerHostHeader + " to the viewer's address and Host on /api/*"),
		Code:    pulumi.String(viewerIPFunction(o.ViewerIpHeader)),
		Publish: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	return &siteRoute{origin: origin, behaviour: cloudfront.DistributionOrderedCacheBehaviorArgs{
		PathPattern:          pulumi.String("/api/*"),
		TargetOriginId:       pulumi.String(apiOriginId),
		ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
		AllowedMethods: pulumi.StringArray{
			pulumi.String("GET"), pulumi.String("HEAD"), pulumi.String("OPTIONS"), pulumi.String("PUT"),
			pulumi.String("POST"), pulumi.String("PATCH"), pulumi.String("DELETE"),
		},
		CachedMethods:           pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
		CachePolicyId:           pulumi.String(CachingDisabledPolicyId),
		OriginRequestPolicyId:   requests.ID(),
		ResponseHeadersPolicyId: apiHeaders.ID(),
		Compress:                pulumi.Bool(true),
		// The origin request policy applies to the request as the
		// viewer-request function left it, so it forwards the header the
		// function sets.
		FunctionAssociations: cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArray{
			cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs{
				EventType: pulumi.String("viewer-request"), FunctionArn: viewerIP.Arn,
			},
		},
	}}, nil
}

// apiRequestPolicy is the /api/* origin request policy (`name-api-requests`):
// ApiForwardedHeaders, o.ViewerIpHeader and ViewerHostHeader (10, CloudFront's default quota),
// every cookie, the query string.
func apiRequestPolicy(ctx *pulumi.Context, name string, o *ApiOrigin, opts ...pulumi.ResourceOption,
) (*cloudfront.OriginRequestPolicy, error) {
	headers := pulumi.ToStringArray(append(slices.Clone(ApiForwardedHeaders), o.ViewerIpHeader, ViewerHostHeader))
	return cloudfront.NewOriginRequestPolicy(ctx, name+"-api-requests", &cloudfront.OriginRequestPolicyArgs{
		Comment: pulumi.String("What " + name + " /api/* sends to the Api: its headers (with CloudFront-Forwarded-Proto), cookies, query string"),
		HeadersConfig: cloudfront.OriginRequestPolicyHeadersConfigArgs{
			HeaderBehavior: pulumi.String("whitelist"),
			Headers:        cloudfront.OriginRequestPolicyHeadersConfigHeadersArgs{Items: headers},
		},
		CookiesConfig:      cloudfront.OriginRequestPolicyCookiesConfigArgs{CookieBehavior: pulumi.String("all")},
		QueryStringsConfig: cloudfront.OriginRequestPolicyQueryStringsConfigArgs{QueryStringBehavior: pulumi.String("all")},
	}, opts...)
}

// allowDistribution attaches the bucket policy: only this distribution may
// read the bucket, and only through OAC.
func (s *StaticSite) allowDistribution(ctx *pulumi.Context, bucket *privateBucket, dist *cloudfront.Distribution) error {
	return bucket.attachPolicy(ctx, pulumi.Map{
		"Sid":       pulumi.String("AllowCloudFrontOAC"),
		"Effect":    pulumi.String("Allow"),
		"Principal": pulumi.Map{"Service": pulumi.String("cloudfront.amazonaws.com")},
		"Action":    pulumi.String("s3:GetObject"),
		"Resource":  pulumi.Sprintf("%s/*", bucket.Bucket.Arn),
		"Condition": pulumi.Map{"StringEquals": pulumi.Map{"AWS:SourceArn": dist.Arn}},
	})
}

// securityHeaders is the response headers policy of the site's responses.
// With override, its values replace the origin's (S3 sends none). Without,
// CloudFront only adds the headers the origin did not send: the API sets
// stricter ones for its JSON (a "default-src 'none'" CSP, no referrer) and
// they must survive.
func securityHeaders(a *StaticSiteArgs, comment string, override bool) *cloudfront.ResponseHeadersPolicyArgs {
	ov := pulumi.Bool(override)
	return &cloudfront.ResponseHeadersPolicyArgs{
		Comment: pulumi.String(comment),
		SecurityHeadersConfig: cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs{
			StrictTransportSecurity: cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs{
				AccessControlMaxAgeSec: pulumi.Int(a.HstsMaxAgeSeconds),
				IncludeSubdomains:      pulumi.Bool(true),
				Override:               ov,
			},
			ContentSecurityPolicy: cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs{
				ContentSecurityPolicy: contentSecurityPolicy(a),
				Override:              ov,
			},
			ContentTypeOptions: cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs{
				Override: ov,
			},
			FrameOptions: cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs{
				FrameOption: pulumi.String(a.FrameOptions),
				Override:    ov,
			},
			ReferrerPolicy: cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs{
				ReferrerPolicy: pulumi.String(a.ReferrerPolicy),
				Override:       ov,
			},
		},
		CustomHeadersConfig: cloudfront.ResponseHeadersPolicyCustomHeadersConfigArgs{
			Items: cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArray{
				cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArgs{
					Header: pulumi.String("Permissions-Policy"), Value: pulumi.String(a.PermissionsPolicy), Override: ov,
				},
				cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArgs{
					Header: pulumi.String("Cross-Origin-Opener-Policy"), Value: pulumi.String("same-origin"), Override: ov,
				},
				cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArgs{
					Header: pulumi.String("Cross-Origin-Resource-Policy"), Value: pulumi.String("same-origin"), Override: ov,
				},
			},
		},
	}
}

// headerName is a plain header token: letters, digits and '-'.
var headerName = regexp.MustCompile(`^[A-Za-z0-9-]{1,255}$`)

// viewerIPHeaderOK reports whether a CloudFront Function may set header to
// the viewer's address and a WAF can read it: a plain token that is not one
// of the headers CloudFront reserves or rewrites after the function runs.
func viewerIPHeaderOK(header string) bool {
	h := strings.ToLower(header)
	if !headerName.MatchString(header) {
		return false
	}
	for _, prefix := range []string{"x-amz-", "x-edge-", "x-forwarded-"} {
		if strings.HasPrefix(h, prefix) {
			return false
		}
	}
	return !slices.Contains([]string{"x-real-ip", "host", "via"}, h)
}

// viewerIPFunction is CloudFront Function code (cloudfront-js-2.0,
// viewer-request) for the /api/* behaviour: it sets header to the address the
// viewer connected from, replacing any value the client sent, so the Api's
// WAF can rate-limit per viewer. header is validated (letters, digits, '-').
func viewerIPFunction(header string) string {
	return `function handler(event) {
  var request = event.request;
  request.headers['` + strings.ToLower(header) + `'] = { value: event.viewer.ip };
  request.headers['` + strings.ToLower(ViewerHostHeader) + `'] = { value: request.headers.host ? request.headers.host.value : '' };
  return request;
}
`
}

// accessLogDelivery sends the distribution's access logs (standard logging v2) to
// a.AccessLogBucketArn, when set: `name-log-source` (the distribution's ACCESS_LOGS),
// `name-log-destination` (the bucket) and `name-log-delivery` between them, all in
// us-east-1. Unlike legacy logging it needs no bucket ACL.
func (s *StaticSite) accessLogDelivery(ctx *pulumi.Context, name string, a *StaticSiteArgs, dist *cloudfront.Distribution,
	useast1 *aws.Provider,
) error {
	if a.AccessLogBucketArn == nil {
		return nil
	}
	opts := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.Provider(useast1)}
	source, err := cloudwatch.NewLogDeliverySource(ctx, name+"-log-source", &cloudwatch.LogDeliverySourceArgs{
		LogType:     pulumi.String("ACCESS_LOGS"),
		ResourceArn: dist.Arn,
	}, opts...)
	if err != nil {
		return err
	}
	dest, err := cloudwatch.NewLogDeliveryDestination(ctx, name+"-log-destination", &cloudwatch.LogDeliveryDestinationArgs{
		DeliveryDestinationConfiguration: &cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs{
			DestinationResourceArn: a.AccessLogBucketArn,
		},
	}, opts...)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewLogDelivery(ctx, name+"-log-delivery", &cloudwatch.LogDeliveryArgs{
		DeliverySourceName:     source.Name,
		DeliveryDestinationArn: dest.Arn,
		S3DeliveryConfigurations: cloudwatch.LogDeliveryS3DeliveryConfigurationArray{
			&cloudwatch.LogDeliveryS3DeliveryConfigurationArgs{
				SuffixPath:               pulumi.String(a.AccessLogPrefix + "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}"),
				EnableHiveCompatiblePath: pulumi.Bool(false),
			},
		},
	}, opts...)
	return err
}
