package components_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	rtBucket        = "aws:s3/bucketV2:BucketV2"
	rtPAB           = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	rtOwnership     = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	rtSSE           = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	rtBucketPolicy  = "aws:s3/bucketPolicy:BucketPolicy"
	rtObject        = "aws:s3/bucketObjectv2:BucketObjectv2"
	rtOAC           = "aws:cloudfront/originAccessControl:OriginAccessControl"
	rtHeaders       = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
	rtFunction      = "aws:cloudfront/function:Function"
	rtDistribution  = "aws:cloudfront/distribution:Distribution"
	rtVpcOrigin     = "aws:cloudfront/vpcOrigin:VpcOrigin"
	rtProvider      = "pulumi:providers:aws"
	rtCert          = "aws:acm/certificate:Certificate"
	rtCertValid     = "aws:acm/certificateValidation:CertificateValidation"
	rtRecord        = "aws:route53/record:Record"
	rtOriginRequest = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
)

// bucketPolicyDoc keeps Action, Resource and Principal as written: a string or a list.
type bucketPolicyDoc struct {
	Statement []struct {
		Effect    string
		Principal any
		Action    any
		Resource  any
		Condition map[string]map[string]any
	}
}

type siteRun struct {
	rec  *pulumimock.Recorder
	site *components.StaticSite
	urn  string
}

func runSite(t *testing.T, args *components.StaticSiteArgs) siteRun {
	t.Helper()
	var site *components.StaticSite
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		site, err = components.NewStaticSite(ctx, "site", args)
		return err
	})
	return siteRun{rec: rec, site: site, urn: pulumimock.Await[string](t, site.URN())}
}

// writeDist lays out a built site the way the storefront build does.
func writeDist(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":              "<!doctype html>",
		"favicon.svg":             "<svg/>",
		"robots.txt":              "User-agent: *",
		"assets/app-ABCDEFGH.js":  "console.log(1)",
		"assets/app-QWERTY23.css": "body{}",
		"assets/logo.webp":        "webp",
		".DS_Store":               "junk",
		".cache/x.txt":            "junk",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func TestStaticSiteDefaultsArePrivateAndServedOverTLSOnly(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{})
	rec := r.rec
	bucket := rec.Must(t, rtBucket, "site-bucket")
	oac := rec.Must(t, rtOAC, "site-oac")
	dist := rec.Must(t, rtDistribution, "site-cdn")
	headers := rec.Must(t, rtHeaders, "site-headers")
	fn := rec.Must(t, rtFunction, "site-deep-links")

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
			rtDistribution+" site-cdn",
			rtProvider+" site-us-east-1",
			rtWebACL+" site-waf",
			rtLogGroup+" site-waf-logs",
			rtWebACLLogging+" site-waf-logging",
		), childrenOf(rec, r.urn), "exactly these children, all parented to the component")
		assert.Empty(t, rec.ByType(rtObject), "no directory, no upload")
	})

	t.Run("bucket is private, owner-enforced and encrypted", func(t *testing.T) {
		assert.False(t, bucket.Has("bucket"), "autonamed")
		assert.False(t, bucket.Bool("forceDestroy"))
		pab := rec.Must(t, rtPAB, "site-bucket-public-access")
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			assert.True(t, pab.Bool(k), k)
		}
		assert.Equal(t, "BucketOwnerEnforced", rec.Must(t, rtOwnership, "site-bucket-ownership").Str("rule.objectOwnership"))
		assert.Equal(t, "AES256", rec.Must(t, rtSSE, "site-bucket-encryption").Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
	})

	t.Run("origin access control is always signed", func(t *testing.T) {
		assert.Equal(t, "s3", oac.Str("originAccessControlOriginType"))
		assert.Equal(t, "always", oac.Str("signingBehavior"))
		assert.Equal(t, "sigv4", oac.Str("signingProtocol"))
	})

	t.Run("distribution", func(t *testing.T) {
		assert.True(t, dist.Bool("enabled"))
		assert.Equal(t, "http2and3", dist.Str("httpVersion"))
		assert.True(t, dist.Bool("isIpv6Enabled"))
		assert.Equal(t, "PriceClass_100", dist.Str("priceClass"))
		assert.Equal(t, "index.html", dist.Str("defaultRootObject"))
		assert.False(t, dist.Has("loggingConfig"))
		assert.Empty(t, dist.Plain("aliases"))
		assert.Empty(t, dist.Plain("customErrorResponses"), "deep links are the function's job, so API errors stay errors")
		assert.Empty(t, dist.Plain("orderedCacheBehaviors"), "no API origin")
		assert.True(t, dist.Bool("viewerCertificate.cloudfrontDefaultCertificate"))
		require.Len(t, dist.Plain("origins"), 1)
		assert.Equal(t, "s3", dist.Str("origins[0].originId"))
		assert.Equal(t, bucket.Out("bucketRegionalDomainName").StringValue(), dist.Str("origins[0].domainName"))
		assert.Equal(t, oac.ID, dist.Str("origins[0].originAccessControlId"))
		assert.False(t, dist.Has("origins[0].s3OriginConfig"), "no legacy origin access identity")
	})

	t.Run("default behaviour", func(t *testing.T) {
		def := "defaultCacheBehavior."
		assert.Equal(t, "s3", dist.Str(def+"targetOriginId"))
		assert.Equal(t, "redirect-to-https", dist.Str(def+"viewerProtocolPolicy"))
		assert.True(t, dist.Bool(def+"compress"))
		assert.Equal(t, components.CachingOptimizedPolicyId, dist.Str(def+"cachePolicyId"))
		assert.False(t, dist.Has(def+"forwardedValues"), "managed cache policies only")
		assert.Equal(t, []any{"GET", "HEAD", "OPTIONS"}, dist.Plain(def+"allowedMethods"))
		assert.Equal(t, headers.ID, dist.Str(def+"responseHeadersPolicyId"))
		assert.Equal(t, []any{map[string]any{"eventType": "viewer-request", "functionArn": fn.Out("arn").StringValue()}},
			dist.Plain(def+"functionAssociations"))
	})

	t.Run("deep links: the function rewrites client-side routes only", func(t *testing.T) {
		assert.Equal(t, "cloudfront-js-2.0", fn.Str("runtime"))
		assert.True(t, fn.Bool("publish"))
		assert.Equal(t, components.DefaultViewerRequestFunction, fn.Str("code"))
	})

	t.Run("security headers", func(t *testing.T) {
		sh := "securityHeadersConfig."
		assert.Equal(t, float64(components.DefaultHstsMaxAgeSeconds), headers.Num(sh+"strictTransportSecurity.accessControlMaxAgeSec"))
		assert.True(t, headers.Bool(sh+"strictTransportSecurity.includeSubdomains"))
		assert.True(t, headers.Bool(sh+"strictTransportSecurity.override"))
		assert.Equal(t, components.DefaultContentSecurityPolicy, headers.Str(sh+"contentSecurityPolicy.contentSecurityPolicy"))
		assert.True(t, headers.Bool(sh+"contentSecurityPolicy.override"))
		assert.True(t, headers.Bool(sh+"contentTypeOptions.override"), "nosniff")
		assert.Equal(t, "DENY", headers.Str(sh+"frameOptions.frameOption"))
		assert.True(t, headers.Bool(sh+"frameOptions.override"))
		assert.Equal(t, "strict-origin-when-cross-origin", headers.Str(sh+"referrerPolicy.referrerPolicy"))
		assert.True(t, headers.Bool(sh+"referrerPolicy.override"))
		assert.Equal(t, []any{
			map[string]any{"header": "Permissions-Policy", "value": components.DefaultPermissionsPolicy, "override": true},
			map[string]any{"header": "Cross-Origin-Opener-Policy", "value": "same-origin", "override": true},
			map[string]any{"header": "Cross-Origin-Resource-Policy", "value": "same-origin", "override": true},
		}, headers.Plain("customHeadersConfig.items"))
	})

	t.Run("bucket policy: TLS only, and this distribution only, through OAC", func(t *testing.T) {
		policy := decodeJSON[bucketPolicyDoc](t, rec.Must(t, rtBucketPolicy, "site-bucket-policy").Str("policy"))
		require.Len(t, policy.Statement, 2)
		deny := policy.Statement[0]
		assert.Equal(t, "Deny", deny.Effect)
		assert.Equal(t, "false", deny.Condition["Bool"]["aws:SecureTransport"])
		allow := policy.Statement[1]
		assert.Equal(t, "Allow", allow.Effect)
		assert.Equal(t, map[string]any{"Service": "cloudfront.amazonaws.com"}, allow.Principal)
		assert.Equal(t, "s3:GetObject", allow.Action)
		assert.Equal(t, bucket.Out("arn").StringValue()+"/*", allow.Resource)
		assert.Equal(t, dist.Out("arn").StringValue(), allow.Condition["StringEquals"]["AWS:SourceArn"])
	})

	t.Run("outputs", func(t *testing.T) {
		s := r.site
		assert.Equal(t, bucket.Out("bucket").StringValue(), pulumimock.Await[string](t, s.BucketName))
		assert.Equal(t, dist.ID, pulumimock.Await[string](t, s.DistributionId))
		assert.Equal(t, dist.Out("domainName").StringValue(), pulumimock.Await[string](t, s.DomainName))
		assert.Equal(t, "https://"+dist.Out("domainName").StringValue(), pulumimock.Await[string](t, s.Url))
		assert.True(t, pulumimock.Await[bool](t, s.UsesDefaultCertificate))
		assert.Equal(t, 0, pulumimock.Await[int](t, s.AssetCount))
	})
}

func TestStaticSiteOptions(t *testing.T) {
	t.Parallel()
	const csp = "default-src 'self'; img-src 'self' https:"
	const code = "function handler(event) { return event.request; }"
	r := runSite(t, &components.StaticSiteArgs{
		ContentSecurityPolicy:     csp,
		PermissionsPolicy:         "camera=()",
		FrameOptions:              "SAMEORIGIN",
		ReferrerPolicy:            "no-referrer",
		HstsMaxAgeSeconds:         31536000,
		ViewerRequestFunction:     code,
		PriceClass:                "PriceClass_All",
		DefaultRootObject:         "home.html",
		AccessLogBucketDomainName: pulumi.String("logs.s3.amazonaws.com"),
		ForceDestroy:              true,
	})
	rec := r.rec
	dist := rec.Must(t, rtDistribution, "site-cdn")

	t.Run("security headers", func(t *testing.T) {
		headers := rec.Must(t, rtHeaders, "site-headers")
		assert.Equal(t, csp, headers.Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy"))
		assert.Equal(t, "camera=()", headers.Str("customHeadersConfig.items[0].value"))
		assert.Equal(t, "SAMEORIGIN", headers.Str("securityHeadersConfig.frameOptions.frameOption"))
		assert.Equal(t, "no-referrer", headers.Str("securityHeadersConfig.referrerPolicy.referrerPolicy"))
		assert.Equal(t, 31536000.0, headers.Num("securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec"))
	})
	t.Run("deep links", func(t *testing.T) {
		assert.Equal(t, code, rec.Must(t, rtFunction, "site-deep-links").Str("code"))
	})
	t.Run("distribution", func(t *testing.T) {
		assert.Equal(t, "PriceClass_All", dist.Str("priceClass"))
		assert.Equal(t, "home.html", dist.Str("defaultRootObject"))
	})
	t.Run("legacy access logs", func(t *testing.T) {
		assert.Equal(t, "logs.s3.amazonaws.com", dist.Str("loggingConfig.bucket"))
		assert.Equal(t, "cloudfront/", dist.Str("loggingConfig.prefix"))
		assert.False(t, dist.Bool("loggingConfig.includeCookies"), "session cookies stay out of the logs")
	})
	t.Run("bucket", func(t *testing.T) {
		assert.True(t, rec.Must(t, rtBucket, "site-bucket").Bool("forceDestroy"))
	})
}

func TestStaticSiteValidation(t *testing.T) {
	t.Parallel()
	dist := writeDist(t)
	missing := filepath.Join(t.TempDir(), "dist")
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	tests := []struct {
		name string
		args components.StaticSiteArgs
		want string
	}{
		{"missing dir", components.StaticSiteArgs{AssetsDir: missing},
			`StaticSiteArgs.AssetsDir: "` + missing + `" does not exist (build the site first)`},
		{"not a dir", components.StaticSiteArgs{AssetsDir: file}, `StaticSiteArgs.AssetsDir: "` + file + `" is not a directory`},
		{"price class", components.StaticSiteArgs{PriceClass: "PriceClass_50"},
			`StaticSiteArgs.PriceClass: "PriceClass_50" is not one of ["PriceClass_100" "PriceClass_200" "PriceClass_All"]`},
		{"domain without zone", components.StaticSiteArgs{Domain: "shop.example.com"}, "StaticSiteArgs.HostedZoneId: required with Domain"},
		{"both logging versions", components.StaticSiteArgs{
			AccessLogBucketArn: pulumi.String("arn:aws:s3:::logs"), AccessLogBucketDomainName: pulumi.String("logs.s3.amazonaws.com"),
		}, "StaticSiteArgs.AccessLogBucketArn: set together with AccessLogBucketDomainName"},
		{"log prefix", components.StaticSiteArgs{AccessLogPrefix: "/cf/"}, `StaticSiteArgs.AccessLogPrefix: "/cf/" is not a key prefix`},
		{"zone without domain", components.StaticSiteArgs{HostedZoneId: pulumi.String("Z1")}, "StaticSiteArgs.HostedZoneId: set without Domain"},
		{"bad domain", components.StaticSiteArgs{Domain: "Shop.Example.com", HostedZoneId: pulumi.String("Z1")},
			`StaticSiteArgs.Domain: "Shop.Example.com" is not a lower-case DNS name`},
		{"function", components.StaticSiteArgs{ViewerRequestFunction: "exports.handler = 1"},
			"StaticSiteArgs.ViewerRequestFunction: must define function handler(event)"},
		{"csp header injection", components.StaticSiteArgs{ContentSecurityPolicy: "default-src 'self'\r\nX-Evil: 1"},
			"StaticSiteArgs.ContentSecurityPolicy: must be a single header line"},
		{"cache control empty", components.StaticSiteArgs{AssetsDir: dist, CacheControl: func(key string) string {
			if key == "index.html" {
				return " "
			}
			return components.DefaultCacheControl(key)
		}}, `StaticSiteArgs.CacheControl: empty for "index.html" (CloudFront would cache it for a day)`},
		{"cache control header injection", components.StaticSiteArgs{AssetsDir: dist, CacheControl: func(string) string {
			return "no-cache\r\nX-Evil: 1"
		}}, `StaticSiteArgs.CacheControl: "no-cache\r\nX-Evil: 1" for "assets/app-ABCDEFGH.js" must be a single header line`},
		{"frame options", components.StaticSiteArgs{FrameOptions: "ALLOW-FROM https://x.example"},
			`StaticSiteArgs.FrameOptions: "ALLOW-FROM https://x.example" is not one of ["DENY" "SAMEORIGIN"]`},
		{"referrer policy", components.StaticSiteArgs{ReferrerPolicy: "always"},
			`StaticSiteArgs.ReferrerPolicy: "always" is not one of ["no-referrer" "no-referrer-when-downgrade" "origin" "origin-when-cross-origin" "same-origin" "strict-origin" "strict-origin-when-cross-origin" "unsafe-url"]`},
		{"hsts too short", components.StaticSiteArgs{HstsMaxAgeSeconds: 300},
			"StaticSiteArgs.HstsMaxAgeSeconds: 300 is below one year (31536000)"},
		{"hsts negative", components.StaticSiteArgs{HstsMaxAgeSeconds: -1},
			"StaticSiteArgs.HstsMaxAgeSeconds: -1 is below one year (31536000)"},
		{"root object", components.StaticSiteArgs{DefaultRootObject: "/index.html"},
			`StaticSiteArgs.DefaultRootObject: "/index.html" must not start with /`},
		{"waf rate limit", components.StaticSiteArgs{Waf: components.StaticSiteWafArgs{RateLimit: 5}},
			"StaticSiteArgs.Waf.RateLimit: 5 must be between 10 and 2000000000"},
		{"waf log retention", components.StaticSiteArgs{Waf: components.StaticSiteWafArgs{LogRetentionDays: 10}},
			"StaticSiteArgs.Waf.LogRetentionDays: 10 is not a CloudWatch Logs retention"},
		{"api origin", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{ProtocolPolicy: "match-viewer", HttpPort: 80, HttpsPort: 443}},
			"StaticSiteArgs.ApiOrigin: LoadBalancerArn, Name and DomainName are required"},
		{"api origin viewer ip header", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			LoadBalancerArn: pulumi.String("arn"), Name: pulumi.String("n"), DomainName: pulumi.String("d"),
			ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 443, ViewerIpHeader: "x-ip'] = 1; //",
		}}, `StaticSiteArgs.ApiOrigin.ViewerIpHeader: "x-ip'] = 1; //" is not a header name a CloudFront Function may set`},
		{"api origin viewer ip header reserved", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			LoadBalancerArn: pulumi.String("arn"), Name: pulumi.String("n"), DomainName: pulumi.String("d"),
			ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 443, ViewerIpHeader: "X-Amz-Client-Ip",
		}}, `StaticSiteArgs.ApiOrigin.ViewerIpHeader: "X-Amz-Client-Ip" is not a header name`},
		{"api origin viewer ip header forwarded-for", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			LoadBalancerArn: pulumi.String("arn"), Name: pulumi.String("n"), DomainName: pulumi.String("d"),
			ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 443, ViewerIpHeader: "X-Forwarded-For",
		}}, `StaticSiteArgs.ApiOrigin.ViewerIpHeader: "X-Forwarded-For" is not a header name`},
		{"api origin viewer ip header real-ip", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			LoadBalancerArn: pulumi.String("arn"), Name: pulumi.String("n"), DomainName: pulumi.String("d"),
			ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 443, ViewerIpHeader: "X-Real-IP",
		}}, `StaticSiteArgs.ApiOrigin.ViewerIpHeader: "X-Real-IP" is not a header name`},
		{"api origin protocol", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			LoadBalancerArn: pulumi.String("arn"), Name: pulumi.String("n"), DomainName: pulumi.String("d"),
			ProtocolPolicy: "match-viewer", HttpPort: 80, HttpsPort: 443,
		}}, `StaticSiteArgs.ApiOrigin.ProtocolPolicy: "match-viewer" is not one of "http-only", "https-only"`},
		{"api origin port", components.StaticSiteArgs{ApiOrigin: &components.ApiOrigin{
			LoadBalancerArn: pulumi.String("arn"), Name: pulumi.String("n"), DomainName: pulumi.String("d"),
			ProtocolPolicy: "http-only", HttpPort: 80, HttpsPort: 70000,
		}}, "StaticSiteArgs.ApiOrigin: HttpPort 80 / HttpsPort 70000 must be ports (1-65535)"},
		{"permissions policy header injection", components.StaticSiteArgs{PermissionsPolicy: "camera=()\r\nX-Evil: 1"},
			"StaticSiteArgs.PermissionsPolicy: must be a single header line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewStaticSite(ctx, "site", &tt.args)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `staticsite "site": `+tt.want)
			assert.Empty(t, rec.Resources(), "nothing is registered before validation passes")
		})
	}
}

func TestStaticSiteTwoInstancesDoNotCollide(t *testing.T) {
	t.Parallel()
	dir := writeDist(t)
	var shop, docs *components.StaticSite
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		if shop, err = components.NewStaticSite(ctx, "shop", &components.StaticSiteArgs{AssetsDir: dir}); err != nil {
			return err
		}
		docs, err = components.NewStaticSite(ctx, "docs", &components.StaticSiteArgs{AssetsDir: dir})
		return err
	})
	assert.Len(t, rec.ByType(rtDistribution), 2)
	assert.Len(t, rec.ByType(rtObject), 12)
	assert.NotEqual(t, pulumimock.Await[string](t, shop.BucketName), pulumimock.Await[string](t, docs.BucketName))
	assert.NotEqual(t, pulumimock.Await[string](t, shop.DistributionId), pulumimock.Await[string](t, docs.DistributionId))
	for _, typ := range []string{rtOAC, rtHeaders, rtFunction, rtWebACL} {
		for _, res := range rec.ByType(typ) {
			assert.False(t, res.Has("name"), "%s %s has a fixed name", res.Type, res.Name)
		}
	}
	for _, res := range rec.ByType(rtBucket) {
		assert.False(t, res.Has("bucket"), "%s has a fixed name", res.Name)
	}
}

// A preview knows no provider-computed value; both components must still
// register every resource, with the unknowns left unknown.
func TestStaticSiteAndApiPreview(t *testing.T) {
	t.Parallel()
	dir := writeDist(t)
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		api, err := components.NewApi(ctx, "api", baseApiArgs())
		if err != nil {
			return err
		}
		_, err = components.NewStaticSite(ctx, "site", &components.StaticSiteArgs{
			AssetsDir: dir, ApiOrigin: api.Origin, Domain: "shop.example.com", HostedZoneId: pulumi.String("Z123"),
		})
		return err
	}, pulumimock.WithPreview())

	for _, typ := range []string{rtDistribution, rtVpcOrigin, rtCert, rtCertValid, rtBucketPolicy, rtLB, rtService} {
		assert.Len(t, rec.ByType(typ), 1, typ)
	}
	assert.Len(t, rec.ByType(rtWebACL), 2, "the Api's regional ACL and the site's edge ACL")
	assert.True(t, rec.Must(t, rtDistribution, "site-cdn").Get("webAclId").IsComputed(), "the edge ACL's ARN is AWS's to decide")
	assert.Len(t, rec.ByType(rtObject), 6)
	assert.Len(t, rec.ByType(rtRecord), 3, "validation record and two aliases")
	validation := rec.Must(t, rtRecord, "site-cert-validation")
	assert.True(t, validation.Get("name").IsComputed(), "the validation record name is ACM's to decide")
	assert.Equal(t, "Z123", validation.Str("zoneId"), "what the program knows stays known")
	assert.True(t, rec.Must(t, rtBucketPolicy, "site-bucket-policy").Get("policy").IsComputed())
	assert.True(t, rec.Must(t, rtTaskDef, "api-task").Get("containerDefinitions").IsComputed())
}
