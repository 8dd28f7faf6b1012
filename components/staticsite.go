package components

import (
	"cmp"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StaticSiteType is the StaticSite component's type token.
const StaticSiteType = "shopstack:index:StaticSite"

// Defaults of the StaticSite security headers. Apart from the CSP (the
// storefront's own is looser: it loads catalog images from any HTTPS host),
// they are the storefront's contract in package site; a test keeps them equal.
const (
	// DefaultContentSecurityPolicy allows same-origin content only.
	DefaultContentSecurityPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	// DefaultPermissionsPolicy turns off powerful browser features.
	DefaultPermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
	// DefaultFrameOptions forbids framing (clickjacking).
	DefaultFrameOptions = "DENY"
	// DefaultReferrerPolicy sends only the origin to other sites, and
	// nothing over a downgrade to HTTP.
	DefaultReferrerPolicy = "strict-origin-when-cross-origin"
	// DefaultHstsMaxAgeSeconds is two years.
	DefaultHstsMaxAgeSeconds = 63072000
)

// DefaultViewerRequestFunction is the deep-link rule for a site whose routes
// are history-API paths: a URI whose last segment has no dot is a client-side
// route and is answered with /index.html. /api and /assets are never
// rewritten, so a missing asset or API path stays a 404 instead of becoming
// an HTML page. It runs on the default (S3) behaviour only. It is the
// storefront's site.CloudFrontFunctionCode, character for character (a test
// keeps them equal).
const DefaultViewerRequestFunction = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/api' || uri.startsWith('/api/') || uri === '/assets' || uri.startsWith('/assets/')) {
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`

// StaticSiteArgs configures a StaticSite.
type StaticSiteArgs struct {
	// AssetsDir is uploaded, one object per file (dot files skipped). A
	// directory that does not exist is an error. Default "": no upload.
	AssetsDir string
	// CacheControl returns the Cache-Control header of an object key: never
	// empty, one line. Objects it calls "immutable" outlive the build that
	// uploaded them (RetainOnDelete). Default DefaultCacheControl.
	CacheControl func(key string) string

	// The response headers are plain strings, not inputs, so that a bad value
	// fails before anything is registered.

	// ContentSecurityPolicy is sent with every response. Default
	// DefaultContentSecurityPolicy.
	ContentSecurityPolicy string
	// PermissionsPolicy is sent with every response. Default
	// DefaultPermissionsPolicy.
	PermissionsPolicy string
	// FrameOptions is the X-Frame-Options value, "DENY" or "SAMEORIGIN".
	// Default DefaultFrameOptions.
	FrameOptions string
	// ReferrerPolicy is the Referrer-Policy value (one of referrerPolicies).
	// Default DefaultReferrerPolicy.
	ReferrerPolicy string
	// HstsMaxAgeSeconds is the Strict-Transport-Security max-age (sent with
	// includeSubDomains). Default DefaultHstsMaxAgeSeconds; at least one
	// year (31536000), so HSTS cannot be switched off by accident.
	HstsMaxAgeSeconds int
	// ViewerRequestFunction is CloudFront Function code (cloudfront-js-2.0,
	// viewer-request) on the default behaviour. Default
	// DefaultViewerRequestFunction.
	ViewerRequestFunction string
	// DefaultRootObject answers "/". Default "index.html".
	DefaultRootObject string
	// PriceClass is "PriceClass_100" (default, cheapest), "PriceClass_200" or
	// "PriceClass_All".
	PriceClass string

	// Domain is the site's custom name (e.g. "shop.example.com"). With it, an
	// ACM certificate (us-east-1), its DNS validation and Route53 alias A/AAAA
	// records are created. Default "": the CloudFront default certificate and
	// domain (visible as UsesDefaultCertificate).
	Domain string
	// HostedZoneId is the Route53 zone of Domain. Required with Domain.
	HostedZoneId pulumi.StringInput

	// ApiOrigin routes /api/* to an Api (Api.Origin) through a CloudFront VPC
	// origin, uncached, with every method and the viewer's headers (except
	// Host), cookies and query string. Default nil: no API behaviour.
	ApiOrigin *ApiOrigin
	// Webhooks are API paths third parties POST signed events to, each its own behaviour with the
	// signature header forwarded and the edge WAF's body rules scoped down (staticsite_webhooks.go).
	// Default none.
	Webhooks []Webhook
	// Media serves a Data media bucket's public images under /media/* (staticsite_media.go). Default
	// nil: no media route.
	Media *StaticSiteMediaArgs

	// AccessLogBucketDomainName turns on standard logging (legacy) to this
	// bucket ("name.s3.amazonaws.com"; the bucket must accept the log
	// delivery's ACL, so it cannot be BucketOwnerEnforced). Default off.
	// Prefer AccessLogBucketArn.
	AccessLogBucketDomainName pulumi.StringInput
	// AccessLogBucketArn turns on standard logging (v2) to this S3 bucket
	// through CloudWatch vended-log delivery, which works with ACLs disabled
	// (a LogBucket with CloudFront on allows it). Default off. Not together
	// with AccessLogBucketDomainName.
	AccessLogBucketArn pulumi.StringInput
	// AccessLogPrefix is the access logs' key prefix; with AccessLogBucketArn
	// the logs go to <prefix>{DistributionId}/{yyyy}/{MM}/{dd}/{HH}/.
	// Default "cloudfront/".
	AccessLogPrefix string

	// Waf is the distribution's web ACL. Default on (see StaticSiteWafArgs).
	Waf StaticSiteWafArgs
	// PricingPlan subscribes the distribution and its web ACL to a CloudFront flat-rate plan
	// (PricingPlans, staticsite_plan.go). Default PricingPlanPayAsYouGo: usage pricing, no subscription.
	PricingPlan string

	// ForceDestroy lets `pulumi destroy` empty the site bucket, retained
	// hashed assets included; without it a destroy stops at the non-empty
	// bucket. Default false.
	ForceDestroy bool

	// Alarms switches and tunes the CloudFront error rate alarm (defaults on StaticSiteAlarmArgs).
	Alarms StaticSiteAlarmArgs
}

// StaticSite is a private S3 bucket served by CloudFront.
type StaticSite struct {
	pulumi.ResourceState

	BucketName             pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn              pulumi.StringOutput `pulumi:"bucketArn"`
	DistributionId         pulumi.StringOutput `pulumi:"distributionId"`
	DistributionArn        pulumi.StringOutput `pulumi:"distributionArn"`
	DomainName             pulumi.StringOutput `pulumi:"domainName"`
	Url                    pulumi.StringOutput `pulumi:"url"`
	UsesDefaultCertificate pulumi.BoolOutput   `pulumi:"usesDefaultCertificate"`
	// WafEnabled is false when Waf.Disabled was set.
	WafEnabled pulumi.BoolOutput `pulumi:"wafEnabled"`
	// WebAclArn is the distribution's web ACL, "" when the WAF is off.
	WebAclArn pulumi.StringOutput `pulumi:"webAclArn"`
	// AssetCount is the number of uploaded objects.
	AssetCount pulumi.IntOutput `pulumi:"assetCount"`
	// DashboardWidgets are the CDN's golden-signal graphs (a JSON array of DashboardWidget) for the stack's
	// dashboard.
	DashboardWidgets pulumi.StringOutput
}

var (
	domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	// PriceClasses are the CloudFront price classes StaticSiteArgs.PriceClass accepts.
	PriceClasses = []string{"PriceClass_100", "PriceClass_200", "PriceClass_All"}
	// frameOptions and referrerPolicies are the values a CloudFront response
	// headers policy accepts.
	frameOptions     = []string{"DENY", "SAMEORIGIN"}
	referrerPolicies = []string{
		"no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
		"same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
	}
)

// minHstsMaxAgeSeconds is one year, the floor browsers' preload lists use.
const minHstsMaxAgeSeconds = 31536000

func (a *StaticSiteArgs) withDefaults() StaticSiteArgs {
	out := *a
	if out.CacheControl == nil {
		out.CacheControl = DefaultCacheControl
	}
	out.ContentSecurityPolicy = cmp.Or(out.ContentSecurityPolicy, DefaultContentSecurityPolicy)
	out.PermissionsPolicy = cmp.Or(out.PermissionsPolicy, DefaultPermissionsPolicy)
	out.FrameOptions = cmp.Or(out.FrameOptions, DefaultFrameOptions)
	out.ReferrerPolicy = cmp.Or(out.ReferrerPolicy, DefaultReferrerPolicy)
	out.HstsMaxAgeSeconds = cmp.Or(out.HstsMaxAgeSeconds, DefaultHstsMaxAgeSeconds)
	out.ViewerRequestFunction = cmp.Or(out.ViewerRequestFunction, DefaultViewerRequestFunction)
	out.DefaultRootObject = cmp.Or(out.DefaultRootObject, "index.html")
	out.PriceClass = cmp.Or(out.PriceClass, "PriceClass_100")
	if out.ApiOrigin != nil && out.ApiOrigin.ViewerIpHeader == "" {
		o := *out.ApiOrigin
		o.ViewerIpHeader = ViewerIpHeader
		out.ApiOrigin = &o
	}
	out.Media = out.Media.withDefaults()
	out.AccessLogPrefix = cmp.Or(out.AccessLogPrefix, "cloudfront/")
	out.Alarms = a.Alarms.withDefaults()
	out.Waf = out.Waf.withDefaults()
	return out
}

func (a *StaticSiteArgs) validate() error {
	e := newArgErrors("StaticSiteArgs")
	a.validateAssetsDir(e)
	if !strings.Contains(a.ViewerRequestFunction, "function handler(") {
		e.bad("ViewerRequestFunction", "must define function handler(event)")
	}
	a.validateHeaders(e)
	a.Alarms.validate(e)
	if strings.HasPrefix(a.DefaultRootObject, "/") {
		e.bad("DefaultRootObject", "%q must not start with /", a.DefaultRootObject)
	}
	if !slices.Contains(PriceClasses, a.PriceClass) {
		e.bad("PriceClass", "%q is not one of %q", a.PriceClass, PriceClasses)
	}
	if a.Domain != "" && !domainName.MatchString(a.Domain) {
		e.bad("Domain", "%q is not a lower-case DNS name", a.Domain)
	}
	if a.AccessLogBucketDomainName != nil && a.AccessLogBucketArn != nil {
		e.bad("AccessLogBucketArn", "set together with AccessLogBucketDomainName; choose standard logging v2 (AccessLogBucketArn) or legacy, not both")
	}
	if !logPrefix.MatchString(strings.TrimSuffix(a.AccessLogPrefix, "/")) {
		e.bad("AccessLogPrefix", "%q is not a key prefix (letters, digits, !_.*'()- and /, no leading /)", a.AccessLogPrefix)
	}
	if a.Domain != "" && a.HostedZoneId == nil {
		e.bad("HostedZoneId", "required with Domain")
	}
	if a.Domain == "" && a.HostedZoneId != nil {
		e.bad("HostedZoneId", "set without Domain")
	}
	a.validateApiOrigin(e)
	a.validateWebhooks(e)
	a.validateMedia(e)
	a.Waf.validate(e)
	a.validatePricingPlan(e)
	return e.err()
}

func (a *StaticSiteArgs) validateAssetsDir(e *argErrors) {
	if a.AssetsDir == "" {
		return
	}
	st, err := os.Stat(a.AssetsDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e.bad("AssetsDir", "%q does not exist (build the site first)", a.AssetsDir)
	case err != nil:
		e.bad("AssetsDir", "%v", err)
	case !st.IsDir():
		e.bad("AssetsDir", "%q is not a directory", a.AssetsDir)
	}
}

func (a *StaticSiteArgs) validateHeaders(e *argErrors) {
	if strings.ContainsAny(a.ContentSecurityPolicy, "\r\n") {
		e.bad("ContentSecurityPolicy", "must be a single header line")
	}
	if strings.ContainsAny(a.PermissionsPolicy, "\r\n") {
		e.bad("PermissionsPolicy", "must be a single header line")
	}
	if !slices.Contains(frameOptions, a.FrameOptions) {
		e.bad("FrameOptions", "%q is not one of %q", a.FrameOptions, frameOptions)
	}
	if !slices.Contains(referrerPolicies, a.ReferrerPolicy) {
		e.bad("ReferrerPolicy", "%q is not one of %q", a.ReferrerPolicy, referrerPolicies)
	}
	if a.HstsMaxAgeSeconds < minHstsMaxAgeSeconds {
		e.bad("HstsMaxAgeSeconds", "%d is below one year (%d)", a.HstsMaxAgeSeconds, minHstsMaxAgeSeconds)
	}
}

func (a *StaticSiteArgs) validateApiOrigin(e *argErrors) {
	o := a.ApiOrigin
	if o == nil {
		return
	}
	if (o.LoadBalancerArn == nil && o.FunctionName == nil) || o.Name == nil || o.DomainName == nil {
		e.bad("ApiOrigin", "LoadBalancerArn, Name and DomainName are required (pass Api.Origin of an Api behind CloudFront)")
	}
	if o.FunctionName != nil && o.ProtocolPolicy != "https-only" {
		e.bad("ApiOrigin.ProtocolPolicy", "%q with FunctionName: a Function URL is HTTPS only", o.ProtocolPolicy)
	}
	if o.ProtocolPolicy != "http-only" && o.ProtocolPolicy != "https-only" {
		e.bad("ApiOrigin.ProtocolPolicy", "%q is not one of \"http-only\", \"https-only\"", o.ProtocolPolicy)
	}
	if o.HttpPort < 1 || o.HttpPort > 65535 || o.HttpsPort < 1 || o.HttpsPort > 65535 {
		e.bad("ApiOrigin", "HttpPort %d / HttpsPort %d must be ports (1-65535)", o.HttpPort, o.HttpsPort)
	}
	if !viewerIPHeaderOK(o.ViewerIpHeader) {
		e.bad("ApiOrigin.ViewerIpHeader", "%q is not a header name a CloudFront Function may set (letters, digits, '-'; not X-Amz-*, X-Edge-*, X-Real-IP, X-Forwarded-*, Host or Via)", o.ViewerIpHeader)
	}
}

// NewStaticSite registers a StaticSite: its private bucket, the certificate
// and DNS records of a custom Domain, the web ACL, the CloudFront distribution
// with its access logs, and the uploaded assets.
func NewStaticSite(ctx *pulumi.Context, name string, args *StaticSiteArgs, opts ...pulumi.ResourceOption) (*StaticSite, error) {
	if args == nil {
		args = &StaticSiteArgs{}
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, componentError("staticsite", name, err)
	}
	files, err := a.assets()
	if err != nil {
		return nil, componentError("staticsite", name, err)
	}

	site := &StaticSite{}
	if err := ctx.RegisterComponentResource(StaticSiteType, name, site, opts...); err != nil {
		return nil, err
	}
	bucket, err := newPrivateBucket(ctx, name+"-bucket", site, privateBucketArgs{ForceDestroy: a.ForceDestroy})
	if err != nil {
		return nil, err
	}
	useast1, err := site.usEast1(ctx, name, &a)
	if err != nil {
		return nil, err
	}
	cert, err := site.certificate(ctx, name, &a, useast1)
	if err != nil {
		return nil, err
	}
	webACL, err := site.webACL(ctx, name, &a, useast1)
	if err != nil {
		return nil, err
	}
	dist, err := site.distribution(ctx, name, &a, bucket, edgeProtection{cert: cert, webACL: webACL})
	if err != nil {
		return nil, err
	}
	if err := site.pricingPlan(ctx, name, &a, dist, webACL); err != nil {
		return nil, err
	}
	if err := site.accessLogDelivery(ctx, name, &a, dist, useast1); err != nil {
		return nil, err
	}
	if err := site.alarms(ctx, name, &a, dist, useast1); err != nil {
		return nil, err
	}
	if err := site.allowDistribution(ctx, bucket, dist); err != nil {
		return nil, err
	}
	if err := site.allowFunctionInvoke(ctx, name, &a, dist); err != nil {
		return nil, err
	}
	if err := site.aliasRecords(ctx, name, &a, dist); err != nil {
		return nil, err
	}
	if err := site.uploadAssets(ctx, name, &a, bucket, files); err != nil {
		return nil, err
	}
	if err := site.outputs(ctx, &a, bucket, dist, webACL, len(files)); err != nil {
		return nil, err
	}
	return site, nil
}

func (s *StaticSite) outputs(ctx *pulumi.Context, a *StaticSiteArgs, bucket *privateBucket, dist *cloudfront.Distribution,
	webACL pulumi.StringInput, assetCount int,
) error {
	s.BucketName = bucket.Bucket.Bucket
	s.BucketArn = bucket.Bucket.Arn
	s.DistributionId = dist.ID().ToStringOutput()
	s.DistributionArn = dist.Arn
	s.DomainName = dist.DomainName
	if a.Domain != "" {
		s.Url = pulumi.String("https://" + a.Domain).ToStringOutput()
	} else {
		s.Url = pulumi.Sprintf("https://%s", dist.DomainName)
	}
	s.UsesDefaultCertificate = pulumi.Bool(a.Domain == "").ToBoolOutput()
	s.AssetCount = pulumi.Int(assetCount).ToIntOutput()
	s.WafEnabled = pulumi.Bool(webACL != nil).ToBoolOutput()
	s.WebAclArn = pulumi.String("").ToStringOutput()
	if webACL != nil {
		s.WebAclArn = webACL.ToStringOutput()
	}
	return ctx.RegisterResourceOutputs(s, pulumi.Map{
		"bucketName":             s.BucketName,
		"bucketArn":              s.BucketArn,
		"distributionId":         s.DistributionId,
		"distributionArn":        s.DistributionArn,
		"domainName":             s.DomainName,
		"url":                    s.Url,
		"usesDefaultCertificate": s.UsesDefaultCertificate,
		"assetCount":             s.AssetCount,
		"wafEnabled":             s.WafEnabled,
		"webAclArn":              s.WebAclArn,
	})
}
