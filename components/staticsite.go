package components

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StaticSiteType is the StaticSite component's type token.
const StaticSiteType = "shopstack:index:StaticSite"

// Managed CloudFront policies (global, fixed ids published by AWS).
const (
	// CachingOptimizedPolicyID caches on the URL only, honours origin
	// Cache-Control, and compresses (gzip, brotli).
	CachingOptimizedPolicyID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	// CachingDisabledPolicyID caches nothing.
	CachingDisabledPolicyID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	// AllViewerExceptHostHeaderPolicyID forwards every viewer header except
	// Host, every cookie and the query string. Host is left out so CloudFront
	// sends the origin's own name, which the origin's TLS certificate covers.
	AllViewerExceptHostHeaderPolicyID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

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
	// DefaultHSTSMaxAgeSeconds is two years.
	DefaultHSTSMaxAgeSeconds = 63072000
)

// Cache-Control values of the default asset contract.
const (
	CacheControlImmutable  = "public, max-age=31536000, immutable"
	CacheControlRevalidate = "no-cache"
	CacheControlShort      = "public, max-age=300"
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
	// HSTSMaxAgeSeconds is the Strict-Transport-Security max-age (sent with
	// includeSubDomains). Default DefaultHSTSMaxAgeSeconds; at least one
	// year (31536000), so HSTS cannot be switched off by accident.
	HSTSMaxAgeSeconds int
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

	// ForceDestroy lets `pulumi destroy` empty the site bucket, retained
	// hashed assets included; without it a destroy stops at the non-empty
	// bucket. Default false.
	ForceDestroy bool
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
	// AssetCount is the number of uploaded objects.
	AssetCount pulumi.IntOutput `pulumi:"assetCount"`
}

var (
	hashedAsset = regexp.MustCompile(`[-.]([A-Z2-7]{8}|[0-9a-f]{8,})\.[A-Za-z0-9]+$`)
	headerName  = regexp.MustCompile(`^[A-Za-z0-9-]{1,255}$`)
	domainName  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
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

// minHSTSMaxAgeSeconds is one year, the floor browsers' preload lists use.
const minHSTSMaxAgeSeconds = 31536000

// DefaultCacheControl is the default asset contract: HTML is revalidated on
// every request, content-hashed names ("app-ABCDEFGH.js", "app.3f2a9c1d.js")
// are immutable, anything else is cached five minutes. A deploy therefore
// never needs an invalidation.
func DefaultCacheControl(key string) string {
	base := path.Base(key)
	switch {
	case strings.HasSuffix(base, ".html") || !strings.Contains(base, "."):
		return CacheControlRevalidate
	case hashedAsset.MatchString(base):
		return CacheControlImmutable
	default:
		return CacheControlShort
	}
}

// contentTypes is fixed here rather than read from the machine's mime tables,
// so a plan is the same on every machine.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".map":         "application/json",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".wasm":        "application/wasm",
	".pdf":         "application/pdf",
}

// ContentType returns the Content-Type of an object key.
func ContentType(key string) string {
	ext := strings.ToLower(path.Ext(key))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

func (a *StaticSiteArgs) withDefaults() StaticSiteArgs {
	out := *a
	if out.CacheControl == nil {
		out.CacheControl = DefaultCacheControl
	}
	out.ContentSecurityPolicy = cmp.Or(out.ContentSecurityPolicy, DefaultContentSecurityPolicy)
	out.PermissionsPolicy = cmp.Or(out.PermissionsPolicy, DefaultPermissionsPolicy)
	out.FrameOptions = cmp.Or(out.FrameOptions, DefaultFrameOptions)
	out.ReferrerPolicy = cmp.Or(out.ReferrerPolicy, DefaultReferrerPolicy)
	out.HSTSMaxAgeSeconds = cmp.Or(out.HSTSMaxAgeSeconds, DefaultHSTSMaxAgeSeconds)
	out.ViewerRequestFunction = cmp.Or(out.ViewerRequestFunction, DefaultViewerRequestFunction)
	out.DefaultRootObject = cmp.Or(out.DefaultRootObject, "index.html")
	out.PriceClass = cmp.Or(out.PriceClass, "PriceClass_100")
	if out.ApiOrigin != nil && out.ApiOrigin.ViewerIPHeader == "" {
		o := *out.ApiOrigin
		o.ViewerIPHeader = ViewerIPHeader
		out.ApiOrigin = &o
	}
	out.AccessLogPrefix = cmp.Or(out.AccessLogPrefix, "cloudfront/")
	return out
}

func (a *StaticSiteArgs) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.AssetsDir != "" {
		st, err := os.Stat(a.AssetsDir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			bad("StaticSiteArgs.AssetsDir: %q does not exist (build the site first)", a.AssetsDir)
		case err != nil:
			bad("StaticSiteArgs.AssetsDir: %w", err)
		case !st.IsDir():
			bad("StaticSiteArgs.AssetsDir: %q is not a directory", a.AssetsDir)
		}
	}
	if !strings.Contains(a.ViewerRequestFunction, "function handler(") {
		bad("StaticSiteArgs.ViewerRequestFunction: must define function handler(event)")
	}
	if strings.ContainsAny(a.ContentSecurityPolicy, "\r\n") {
		bad("StaticSiteArgs.ContentSecurityPolicy: must be a single header line")
	}
	if strings.ContainsAny(a.PermissionsPolicy, "\r\n") {
		bad("StaticSiteArgs.PermissionsPolicy: must be a single header line")
	}
	if !containsString(frameOptions, a.FrameOptions) {
		bad("StaticSiteArgs.FrameOptions: %q is not one of %q", a.FrameOptions, frameOptions)
	}
	if !containsString(referrerPolicies, a.ReferrerPolicy) {
		bad("StaticSiteArgs.ReferrerPolicy: %q is not one of %q", a.ReferrerPolicy, referrerPolicies)
	}
	if a.HSTSMaxAgeSeconds < minHSTSMaxAgeSeconds {
		bad("StaticSiteArgs.HSTSMaxAgeSeconds: %d is below one year (%d)", a.HSTSMaxAgeSeconds, minHSTSMaxAgeSeconds)
	}
	if strings.HasPrefix(a.DefaultRootObject, "/") {
		bad("StaticSiteArgs.DefaultRootObject: %q must not start with /", a.DefaultRootObject)
	}
	if !containsString(PriceClasses, a.PriceClass) {
		bad("StaticSiteArgs.PriceClass: %q is not one of %q", a.PriceClass, PriceClasses)
	}
	if a.Domain != "" && !domainName.MatchString(a.Domain) {
		bad("StaticSiteArgs.Domain: %q is not a lower-case DNS name", a.Domain)
	}
	if a.AccessLogBucketDomainName != nil && a.AccessLogBucketArn != nil {
		bad("StaticSiteArgs.AccessLogBucketArn: set together with AccessLogBucketDomainName; choose standard logging v2 (AccessLogBucketArn) or legacy, not both")
	}
	if !logPrefix.MatchString(strings.TrimSuffix(a.AccessLogPrefix, "/")) {
		bad("StaticSiteArgs.AccessLogPrefix: %q is not a key prefix (letters, digits, !_.*'()- and /, no leading /)", a.AccessLogPrefix)
	}
	if a.Domain != "" && a.HostedZoneId == nil {
		bad("StaticSiteArgs.HostedZoneId: required with Domain")
	}
	if a.Domain == "" && a.HostedZoneId != nil {
		bad("StaticSiteArgs.HostedZoneId: set without Domain")
	}
	if o := a.ApiOrigin; o != nil {
		if o.LoadBalancerArn == nil || o.Name == nil || o.DomainName == nil {
			bad("StaticSiteArgs.ApiOrigin: LoadBalancerArn, Name and DomainName are required (pass Api.Origin of an Api behind CloudFront)")
		}
		if o.ProtocolPolicy != "http-only" && o.ProtocolPolicy != "https-only" {
			bad("StaticSiteArgs.ApiOrigin.ProtocolPolicy: %q is not one of \"http-only\", \"https-only\"", o.ProtocolPolicy)
		}
		if o.HTTPPort < 1 || o.HTTPPort > 65535 || o.HTTPSPort < 1 || o.HTTPSPort > 65535 {
			bad("StaticSiteArgs.ApiOrigin: HTTPPort %d / HTTPSPort %d must be ports (1-65535)", o.HTTPPort, o.HTTPSPort)
		}
		if !viewerIPHeaderOK(o.ViewerIPHeader) {
			bad("StaticSiteArgs.ApiOrigin.ViewerIPHeader: %q is not a header name a CloudFront Function may set (letters, digits, '-'; not X-Amz-*, X-Edge-*, X-Real-IP, X-Forwarded-*, Host or Via)", o.ViewerIPHeader)
		}
	}
	return errors.Join(errs...)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isHTML reports whether key is an HTML entry point.
func isHTML(key string) bool {
	return strings.HasPrefix(ContentType(key), "text/html")
}

// isImmutable reports whether a Cache-Control value promises the object
// never changes (the "immutable" directive).
func isImmutable(cacheControl string) bool {
	for _, d := range strings.Split(cacheControl, ",") {
		if strings.EqualFold(strings.TrimSpace(d), "immutable") {
			return true
		}
	}
	return false
}

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
	return !containsString([]string{"x-real-ip", "host", "via"}, h)
}

// viewerIPFunction is CloudFront Function code (cloudfront-js-2.0,
// viewer-request) for the /api/* behaviour: it sets header to the address the
// viewer connected from, replacing any value the client sent, so the Api's
// WAF can rate-limit per viewer. header is validated (letters, digits, '-').
func viewerIPFunction(header string) string {
	return `function handler(event) {
  var request = event.request;
  request.headers['` + strings.ToLower(header) + `'] = { value: event.viewer.ip };
  return request;
}
`
}

// checkCacheControl rejects a CacheControl function that leaves a file
// without the header (CloudFront would then keep it for the cache policy's
// default TTL, a day, and a deploy would need an invalidation) or returns
// more than one header line.
func checkCacheControl(files []siteFile, cacheControl func(string) string) error {
	var errs []error
	for _, f := range files {
		switch v := cacheControl(f.key); {
		case strings.TrimSpace(v) == "":
			errs = append(errs, fmt.Errorf("StaticSiteArgs.CacheControl: empty for %q (CloudFront would cache it for a day)", f.key))
		case strings.ContainsAny(v, "\r\n"):
			errs = append(errs, fmt.Errorf("StaticSiteArgs.CacheControl: %q for %q must be a single header line", v, f.key))
		}
	}
	return errors.Join(errs...)
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
				AccessControlMaxAgeSec: pulumi.Int(a.HSTSMaxAgeSeconds),
				IncludeSubdomains:      pulumi.Bool(true),
				Override:               ov,
			},
			ContentSecurityPolicy: cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs{
				ContentSecurityPolicy: pulumi.String(a.ContentSecurityPolicy),
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

// siteFile is one file to upload.
type siteFile struct{ key, path string }

// listAssets walks dir; keys use forward slashes whatever the OS.
func listAssets(dir string) ([]siteFile, error) {
	var files []siteFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, siteFile{key: filepath.ToSlash(rel), path: p})
		return nil
	})
	return files, err
}

const (
	s3OriginID  = "s3"
	apiOriginID = "api"
)

// NewStaticSite registers a StaticSite.
func NewStaticSite(ctx *pulumi.Context, name string, args *StaticSiteArgs, opts ...pulumi.ResourceOption) (*StaticSite, error) {
	if args == nil {
		args = &StaticSiteArgs{}
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("static site %q: %w", name, err)
	}
	var files []siteFile
	if a.AssetsDir != "" {
		var err error
		if files, err = listAssets(a.AssetsDir); err != nil {
			return nil, fmt.Errorf("static site %q: StaticSiteArgs.AssetsDir: %w", name, err)
		}
	}
	if err := checkCacheControl(files, a.CacheControl); err != nil {
		return nil, fmt.Errorf("static site %q: %w", name, err)
	}

	site := &StaticSite{}
	if err := ctx.RegisterComponentResource(StaticSiteType, name, site, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(site)

	bucket, err := newPrivateBucket(ctx, name+"-bucket", site, privateBucketArgs{ForceDestroy: a.ForceDestroy})
	if err != nil {
		return nil, err
	}
	oac, err := cloudfront.NewOriginAccessControl(ctx, name+"-oac", &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("Site bucket of " + name),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return nil, err
	}
	headers, err := cloudfront.NewResponseHeadersPolicy(ctx, name+"-headers",
		securityHeaders(&a, "Security headers of "+name, true), parent)
	if err != nil {
		return nil, err
	}
	fn, err := cloudfront.NewFunction(ctx, name+"-deep-links", &cloudfront.FunctionArgs{
		Runtime: pulumi.String("cloudfront-js-2.0"),
		Comment: pulumi.String("Answers client-side routes with /index.html"),
		Code:    pulumi.String(a.ViewerRequestFunction),
		Publish: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}

	origins := cloudfront.DistributionOriginArray{
		cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(s3OriginID),
			DomainName:            bucket.Bucket.BucketRegionalDomainName,
			OriginAccessControlId: oac.ID(),
		},
	}
	var ordered cloudfront.DistributionOrderedCacheBehaviorArray
	if o := a.ApiOrigin; o != nil {
		vpcOrigin, err := cloudfront.NewVpcOrigin(ctx, name+"-api-origin", &cloudfront.VpcOriginArgs{
			VpcOriginEndpointConfig: cloudfront.VpcOriginVpcOriginEndpointConfigArgs{
				Name:                 o.Name,
				Arn:                  o.LoadBalancerArn,
				HttpPort:             pulumi.Int(o.HTTPPort),
				HttpsPort:            pulumi.Int(o.HTTPSPort),
				OriginProtocolPolicy: pulumi.String(o.ProtocolPolicy),
				OriginSslProtocols: cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs{
					Items:    pulumi.StringArray{pulumi.String("TLSv1.2")},
					Quantity: pulumi.Int(1),
				},
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		origins = append(origins, cloudfront.DistributionOriginArgs{
			OriginId:   pulumi.String(apiOriginID),
			DomainName: o.DomainName,
			VpcOriginConfig: cloudfront.DistributionOriginVpcOriginConfigArgs{
				VpcOriginId: vpcOrigin.ID(),
			},
		})
		apiHeaders, err := cloudfront.NewResponseHeadersPolicy(ctx, name+"-api-headers",
			securityHeaders(&a, "Security headers of "+name+" /api/*, where the API's own win", false), parent)
		if err != nil {
			return nil, err
		}
		viewerIP, err := cloudfront.NewFunction(ctx, name+"-api-viewer-ip", &cloudfront.FunctionArgs{
			Runtime: pulumi.String("cloudfront-js-2.0"),
			Comment: pulumi.String("Sets " + o.ViewerIPHeader + " to the viewer's address on /api/*"),
			Code:    pulumi.String(viewerIPFunction(o.ViewerIPHeader)),
			Publish: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, err
		}
		ordered = append(ordered, cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern:          pulumi.String("/api/*"),
			TargetOriginId:       pulumi.String(apiOriginID),
			ViewerProtocolPolicy: pulumi.String("redirect-to-https"),
			AllowedMethods: pulumi.StringArray{
				pulumi.String("GET"), pulumi.String("HEAD"), pulumi.String("OPTIONS"), pulumi.String("PUT"),
				pulumi.String("POST"), pulumi.String("PATCH"), pulumi.String("DELETE"),
			},
			CachedMethods:           pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
			CachePolicyId:           pulumi.String(CachingDisabledPolicyID),
			OriginRequestPolicyId:   pulumi.String(AllViewerExceptHostHeaderPolicyID),
			ResponseHeadersPolicyId: apiHeaders.ID(),
			Compress:                pulumi.Bool(true),
			// The origin request policy applies to the request as the
			// viewer-request function left it, so AllViewerExceptHostHeader
			// forwards the header the function sets.
			FunctionAssociations: cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArray{
				cloudfront.DistributionOrderedCacheBehaviorFunctionAssociationArgs{
					EventType: pulumi.String("viewer-request"), FunctionArn: viewerIP.Arn,
				},
			},
		})
	}

	// CloudFront reads certificates from, and registers its log delivery sources in, us-east-1 only.
	var useast1 *aws.Provider
	if a.Domain != "" || a.AccessLogBucketArn != nil {
		var err error
		if useast1, err = aws.NewProvider(ctx, name+"-us-east-1", &aws.ProviderArgs{
			Region: pulumi.String("us-east-1"),
		}, parent); err != nil {
			return nil, err
		}
	}

	var cert pulumi.StringInput
	aliases := pulumi.StringArray{}
	if a.Domain != "" {
		validated, err := newSiteCertificate(ctx, name, a.Domain, a.HostedZoneId, site, useast1)
		if err != nil {
			return nil, err
		}
		cert = validated
		aliases = append(aliases, pulumi.String(a.Domain))
	}
	viewerCert := cloudfront.DistributionViewerCertificateArgs{CloudfrontDefaultCertificate: pulumi.Bool(true)}
	if cert != nil {
		viewerCert = cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      cert,
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String("TLSv1.2_2021"),
		}
	}
	distArgs := &cloudfront.DistributionArgs{
		Enabled:           pulumi.Bool(true),
		Comment:           pulumi.String(name),
		Aliases:           aliases,
		HttpVersion:       pulumi.String("http2and3"),
		IsIpv6Enabled:     pulumi.Bool(true),
		PriceClass:        pulumi.String(a.PriceClass),
		DefaultRootObject: pulumi.String(a.DefaultRootObject),
		Origins:           origins,
		DefaultCacheBehavior: cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId:          pulumi.String(s3OriginID),
			ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
			AllowedMethods:          pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD"), pulumi.String("OPTIONS")},
			CachedMethods:           pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
			CachePolicyId:           pulumi.String(CachingOptimizedPolicyID),
			ResponseHeadersPolicyId: headers.ID(),
			Compress:                pulumi.Bool(true),
			FunctionAssociations: cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
				cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{
					EventType: pulumi.String("viewer-request"), FunctionArn: fn.Arn,
				},
			},
		},
		OrderedCacheBehaviors: ordered,
		Restrictions: cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		ViewerCertificate: viewerCert,
	}
	if a.AccessLogBucketDomainName != nil {
		distArgs.LoggingConfig = cloudfront.DistributionLoggingConfigArgs{
			Bucket:         a.AccessLogBucketDomainName,
			Prefix:         pulumi.String(a.AccessLogPrefix),
			IncludeCookies: pulumi.Bool(false),
		}
	}
	dist, err := cloudfront.NewDistribution(ctx, name+"-cdn", distArgs, parent)
	if err != nil {
		return nil, err
	}

	if a.AccessLogBucketArn != nil {
		if err := newAccessLogDelivery(ctx, name, a, dist, site, useast1); err != nil {
			return nil, err
		}
	}

	// Only this distribution may read the bucket, and only through OAC.
	if err := bucket.attachPolicy(ctx, pulumi.Map{
		"Sid":       pulumi.String("AllowCloudFrontOAC"),
		"Effect":    pulumi.String("Allow"),
		"Principal": pulumi.Map{"Service": pulumi.String("cloudfront.amazonaws.com")},
		"Action":    pulumi.String("s3:GetObject"),
		"Resource":  pulumi.Sprintf("%s/*", bucket.Bucket.Arn),
		"Condition": pulumi.Map{"StringEquals": pulumi.Map{"AWS:SourceArn": dist.Arn}},
	}); err != nil {
		return nil, err
	}

	if a.Domain != "" {
		for _, typ := range []string{"A", "AAAA"} {
			if _, err := route53.NewRecord(ctx, name+"-alias-"+strings.ToLower(typ), &route53.RecordArgs{
				ZoneId: a.HostedZoneId,
				Name:   pulumi.String(a.Domain),
				Type:   pulumi.String(typ),
				Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
					Name:                 dist.DomainName,
					ZoneId:               dist.HostedZoneId,
					EvaluateTargetHealth: pulumi.Bool(false),
				}},
			}, parent); err != nil {
				return nil, err
			}
		}
	}

	// HTML entry points go last: each waits for every other object, so a
	// shopper never gets an index.html naming an asset not uploaded yet.
	// Immutable (content-hashed) objects are retained when a later build no
	// longer has them: a page loaded before the deploy, or an old index.html
	// still in a browser, keeps finding its assets. They are never
	// overwritten, since new content means a new name.
	var others, pages []siteFile
	for _, f := range files {
		if isHTML(f.key) {
			pages = append(pages, f)
		} else {
			others = append(others, f)
		}
	}
	uploaded := []pulumi.Resource{bucket.Encryption}
	upload := func(f siteFile, deps []pulumi.Resource) (pulumi.Resource, error) {
		cacheControl := a.CacheControl(f.key)
		return s3.NewBucketObjectv2(ctx, name+"-asset-"+f.key, &s3.BucketObjectv2Args{
			Bucket:       bucket.Bucket.ID(),
			Key:          pulumi.String(f.key),
			Source:       pulumi.NewFileAsset(f.path),
			ContentType:  pulumi.String(ContentType(f.key)),
			CacheControl: pulumi.String(cacheControl),
		}, parent, pulumi.DependsOn(deps), pulumi.RetainOnDelete(isImmutable(cacheControl)))
	}
	for _, f := range others {
		obj, err := upload(f, []pulumi.Resource{bucket.Encryption})
		if err != nil {
			return nil, err
		}
		uploaded = append(uploaded, obj)
	}
	for _, f := range pages {
		if _, err := upload(f, uploaded); err != nil {
			return nil, err
		}
	}

	site.BucketName = bucket.Bucket.Bucket
	site.BucketArn = bucket.Bucket.Arn
	site.DistributionId = dist.ID().ToStringOutput()
	site.DistributionArn = dist.Arn
	site.DomainName = dist.DomainName
	if a.Domain != "" {
		site.Url = pulumi.String("https://" + a.Domain).ToStringOutput()
	} else {
		site.Url = pulumi.Sprintf("https://%s", dist.DomainName)
	}
	site.UsesDefaultCertificate = pulumi.Bool(a.Domain == "").ToBoolOutput()
	site.AssetCount = pulumi.Int(len(files)).ToIntOutput()
	if err := ctx.RegisterResourceOutputs(site, pulumi.Map{
		"bucketName":             site.BucketName,
		"bucketArn":              site.BucketArn,
		"distributionId":         site.DistributionId,
		"distributionArn":        site.DistributionArn,
		"domainName":             site.DomainName,
		"url":                    site.Url,
		"usesDefaultCertificate": site.UsesDefaultCertificate,
		"assetCount":             site.AssetCount,
	}); err != nil {
		return nil, err
	}
	return site, nil
}

// newAccessLogDelivery sends the distribution's access logs (standard logging v2) to
// a.AccessLogBucketArn: `name-log-source` (the distribution's ACCESS_LOGS),
// `name-log-destination` (the bucket) and `name-log-delivery` between them, all in
// us-east-1. Unlike legacy logging it needs no bucket ACL.
func newAccessLogDelivery(ctx *pulumi.Context, name string, a StaticSiteArgs, dist *cloudfront.Distribution, site *StaticSite, useast1 *aws.Provider) error {
	opts := []pulumi.ResourceOption{pulumi.Parent(site), pulumi.Provider(useast1)}
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

// newSiteCertificate requests a DNS-validated certificate for domain in
// us-east-1 (the only region CloudFront reads certificates from) and
// returns its ARN once validated.
func newSiteCertificate(ctx *pulumi.Context, name, domain string, zoneID pulumi.StringInput, site *StaticSite, useast1 *aws.Provider) (pulumi.StringOutput, error) {
	parent := pulumi.Parent(site)
	cert, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		DomainName:       pulumi.String(domain),
		ValidationMethod: pulumi.String("DNS"),
		KeyAlgorithm:     pulumi.String("EC_prime256v1"),
	}, parent, pulumi.Provider(useast1))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// One domain, so exactly one validation record, known before deployment.
	opt := cert.DomainValidationOptions.Index(pulumi.Int(0))
	record, err := route53.NewRecord(ctx, name+"-cert-validation", &route53.RecordArgs{
		ZoneId:         zoneID,
		Name:           opt.ResourceRecordName().Elem(),
		Type:           opt.ResourceRecordType().Elem(),
		Records:        pulumi.StringArray{opt.ResourceRecordValue().Elem()},
		Ttl:            pulumi.Int(300),
		AllowOverwrite: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	validation, err := acm.NewCertificateValidation(ctx, name+"-cert-validated", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, parent, pulumi.Provider(useast1))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return validation.CertificateArn, nil
}
