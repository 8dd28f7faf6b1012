package components

import (
	"cmp"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StaticSiteMediaArgs routes PathPrefix/* of the site to a Data media bucket (product images), through an
// origin access control; the bucket stays private and its policy (Data.ServeMedia) lets this distribution
// read PublicPrefix only.
type StaticSiteMediaArgs struct {
	// BucketRegionalDomainName is the media bucket's (Connection.MediaBucketRegionalDomainName). Required.
	BucketRegionalDomainName pulumi.StringInput
	// PathPrefix is the site path the bucket is served under, "/media/<key>" reading "<key>"; the service's
	// SHOP_MEDIA_PUBLIC_BASE. Default "/media".
	PathPrefix string
	// PublicPrefix is the only key prefix served; any other path under PathPrefix is a 404 at the edge,
	// before it reaches the bucket. Default "products/" (Data's MediaArgs.PublicPrefix).
	PublicPrefix string
	// UploadOrigin is where browsers PUT uploads through presigned URLs (Connection.MediaUploadOrigin,
	// "https://<bucket>.s3.<region>.amazonaws.com"): added to the pages' CSP connect-src, so the storefront
	// may send to exactly that bucket and no other. Default nil: no uploads from the pages.
	UploadOrigin pulumi.StringInput
	// CacheSeconds is how long the edge keeps an image (the default and the maximum TTL): the service writes
	// a new key for every new image version, so an object never changes under its key. Default 31536000
	// (a year); at least 86400.
	CacheSeconds int
}

// Defaults of StaticSiteMediaArgs.
const (
	DefaultMediaPathPrefix   = "/media"
	DefaultMediaPublicPrefix = "products/"
	DefaultMediaCacheSeconds = 31536000
)

const mediaOriginId = "media"

var (
	// mediaPath is one path segment: the function code embeds it in a string literal.
	mediaPath = regexp.MustCompile(`^/[a-z0-9-]+$`)
	// keyPrefix is an S3 folder prefix of plain segments.
	keyPrefix = regexp.MustCompile(`^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/$`)
)

func (m *StaticSiteMediaArgs) withDefaults() *StaticSiteMediaArgs {
	if m == nil {
		return nil
	}
	out := *m
	out.PathPrefix = cmp.Or(out.PathPrefix, DefaultMediaPathPrefix)
	out.PublicPrefix = cmp.Or(out.PublicPrefix, DefaultMediaPublicPrefix)
	out.CacheSeconds = cmp.Or(out.CacheSeconds, DefaultMediaCacheSeconds)
	return &out
}

func (a *StaticSiteArgs) validateMedia(e *argErrors) {
	m := a.Media
	if m == nil {
		return
	}
	if m.BucketRegionalDomainName == nil {
		e.bad("Media.BucketRegionalDomainName", "required (Data's Connection.MediaBucketRegionalDomainName)")
	}
	if !mediaPath.MatchString(m.PathPrefix) || m.PathPrefix == "/api" || m.PathPrefix == "/assets" {
		e.bad("Media.PathPrefix", "%q; want a path like /media (one segment, lower-case letters, digits, '-'; not /api or /assets)", m.PathPrefix)
	}
	if !keyPrefix.MatchString(m.PublicPrefix) {
		e.bad("Media.PublicPrefix", "%q; want a key prefix such as products/ (letters, digits, '-', '_', '/', ending in /)", m.PublicPrefix)
	}
	if m.CacheSeconds < 86400 {
		e.bad("Media.CacheSeconds", "%d is below a day (86400): images are immutable under their keys", m.CacheSeconds)
	}
}

// mediaRoute is the PathPrefix/* route to the media bucket: `name-media-oac` (S3, SigV4 on every request),
// `name-media-cache` (long TTL, nothing but the URL in the key) and `name-media-path` (a viewer-request
// function that answers 404 outside PublicPrefix and drops PathPrefix from the URI, so /media/products/x
// reads the key products/x). headers is the site's response headers policy.
func (s *StaticSite) mediaRoute(ctx *pulumi.Context, name string, m *StaticSiteMediaArgs, headers pulumi.StringPtrInput) (*siteRoute, error) {
	parent := pulumi.Parent(s)
	oac, err := cloudfront.NewOriginAccessControl(ctx, name+"-media-oac", &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("Media bucket of " + name),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return nil, err
	}
	none := func() (cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs,
		cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs,
		cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs) {
		return cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs{CookieBehavior: pulumi.String("none")},
			cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{HeaderBehavior: pulumi.String("none")},
			cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs{QueryStringBehavior: pulumi.String("none")}
	}
	cookies, hdrs, query := none()
	cache, err := cloudfront.NewCachePolicy(ctx, name+"-media-cache", &cloudfront.CachePolicyArgs{
		Comment:    pulumi.String("Media of " + name + ": immutable under their keys, cached long"),
		MinTtl:     pulumi.Int(0),
		DefaultTtl: pulumi.Int(m.CacheSeconds),
		MaxTtl:     pulumi.Int(m.CacheSeconds),
		ParametersInCacheKeyAndForwardedToOrigin: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs{
			CookiesConfig:              cookies,
			HeadersConfig:              hdrs,
			QueryStringsConfig:         query,
			EnableAcceptEncodingGzip:   pulumi.Bool(true),
			EnableAcceptEncodingBrotli: pulumi.Bool(true),
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	fn, err := cloudfront.NewFunction(ctx, name+"-media-path", &cloudfront.FunctionArgs{
		Runtime: pulumi.String("cloudfront-js-2.0"),
		Comment: pulumi.String("Maps " + m.PathPrefix + "/<key> to <key>, only under " + m.PublicPrefix),
		Code:    pulumi.String(MediaPathFunction(m.PathPrefix, m.PublicPrefix)),
		Publish: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	return &siteRoute{
		origin: cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(mediaOriginId),
			DomainName:            m.BucketRegionalDomainName,
			OriginAccessControlId: oac.ID(),
		},
		behaviour: cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern:             pulumi.String(m.PathPrefix + "/*"),
			TargetOriginId:          pulumi.String(mediaOriginId),
			ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
			AllowedMethods:          pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
			CachedMethods:           pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
			CachePolicyId:           cache.ID(),
			ResponseHeadersPolicyId: headers,
			Compress:                pulumi.Bool(true),
			FunctionAssociations: cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArray{
				cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs{
					EventType: pulumi.String("viewer-request"), FunctionArn: fn.Arn,
				},
			},
		},
	}, nil
}

// MediaPathFunction is the CloudFront Function (cloudfront-js-2.0, viewer-request) of the media route: a
// URI outside pathPrefix/publicPrefix, or with a dot segment, is answered 404 at the edge (invoices and
// uploads are never served, and a probe costs no S3 request); inside, pathPrefix is dropped so the URI is
// the object key. Both
// arguments are validated (letters, digits, '-', '_', '/').
func MediaPathFunction(pathPrefix, publicPrefix string) string {
	return `function handler(event) {
  var request = event.request;
  if (!request.uri.startsWith('` + pathPrefix + `/` + publicPrefix + `') || request.uri.indexOf('..') !== -1) {
    return { statusCode: 404, statusDescription: 'Not Found' };
  }
  request.uri = request.uri.substring(` + strconv.Itoa(len(pathPrefix)) + `);
  return request;
}
`
}

// contentSecurityPolicy is a.ContentSecurityPolicy, with the media bucket's upload origin in connect-src when
// the pages upload to it (Media.UploadOrigin).
func contentSecurityPolicy(a *StaticSiteArgs) pulumi.StringInput {
	if a.Media == nil || a.Media.UploadOrigin == nil {
		return pulumi.String(a.ContentSecurityPolicy)
	}
	return a.Media.UploadOrigin.ToStringOutput().ApplyT(func(origin string) string {
		return AddCSPSources(a.ContentSecurityPolicy, "connect-src", origin)
	}).(pulumi.StringOutput)
}
