package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	rtCachePolicy   = "aws:cloudfront/cachePolicy:CachePolicy"
	testMediaDomain = "data-media-abc.s3.us-east-1.amazonaws.com"
)

// behaviour returns the distribution's ordered behaviour for pattern, and its position.
func behaviour(t *testing.T, dist pulumimock.Resource, pattern string) (map[string]any, int) {
	t.Helper()
	for i, b := range dist.Plain("orderedCacheBehaviors").([]any) {
		if m := b.(map[string]any); m["pathPattern"] == pattern {
			return m, i
		}
	}
	t.Fatalf("no behaviour %q", pattern)
	return nil, 0
}

func TestStaticSiteMedia(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{
		ApiOrigin: testApiOrigin("http-only"),
		Media:     &components.StaticSiteMediaArgs{BucketRegionalDomainName: pulumi.String(testMediaDomain)},
	})
	rec := r.rec
	dist := rec.Must(t, rtDistribution, "site-cdn")
	oac := rec.Must(t, rtOAC, "site-media-oac")
	cache := rec.Must(t, rtCachePolicy, "site-media-cache")
	fn := rec.Must(t, rtFunction, "site-media-path")
	b, _ := behaviour(t, dist, "/media/*")

	t.Run("the media bucket is an S3 origin signed with its own OAC", func(t *testing.T) {
		assert.Equal(t, "s3", oac.Str("originAccessControlOriginType"))
		assert.Equal(t, "always", oac.Str("signingBehavior"), "every request signed: the bucket answers nobody else")
		assert.Equal(t, "sigv4", oac.Str("signingProtocol"))
		var origin map[string]any
		for _, o := range dist.Plain("origins").([]any) {
			if o.(map[string]any)["originId"] == "media" {
				origin = o.(map[string]any)
			}
		}
		require.NotNil(t, origin)
		assert.Equal(t, testMediaDomain, origin["domainName"])
		assert.Equal(t, oac.ID, origin["originAccessControlId"])
		assert.NotContains(t, origin, "originPath", "the function maps the path, not an origin path")
	})

	t.Run("cached long, keyed on the URL only, read-only", func(t *testing.T) {
		assert.Equal(t, "media", b["targetOriginId"])
		assert.Equal(t, cache.ID, b["cachePolicyId"])
		assert.Equal(t, 31536000.0, cache.Num("defaultTtl"), "a new image version is a new key")
		assert.Equal(t, 31536000.0, cache.Num("maxTtl"))
		p := "parametersInCacheKeyAndForwardedToOrigin."
		assert.Equal(t, "none", cache.Str(p+"cookiesConfig.cookieBehavior"), "no session cookie reaches S3 or splits the cache")
		assert.Equal(t, "none", cache.Str(p+"headersConfig.headerBehavior"))
		assert.Equal(t, "none", cache.Str(p+"queryStringsConfig.queryStringBehavior"))
		assert.Equal(t, []any{"GET", "HEAD"}, b["allowedMethods"])
		assert.Equal(t, "redirect-to-https", b["viewerProtocolPolicy"])
		headers := rec.Must(t, rtHeaders, "site-headers")
		assert.Equal(t, headers.ID, b["responseHeadersPolicyId"], "the site's security headers")
	})

	t.Run("the function maps /media/<key> to <key> and serves products/ only", func(t *testing.T) {
		assert.Equal(t, []any{map[string]any{"eventType": "viewer-request", "functionArn": fn.Out("arn").StringValue()}},
			b["functionAssociations"])
		assert.Equal(t, "cloudfront-js-2.0", fn.Str("runtime"))
		assert.Equal(t, components.MediaPathFunction("/media", "products/"), fn.Str("code"))
		code := fn.Str("code")
		assert.Contains(t, code, "request.uri.startsWith('/media/products/')")
		assert.Contains(t, code, "request.uri.indexOf('..') !== -1", "no dot segments")
		assert.Contains(t, code, "statusCode: 404")
		assert.Contains(t, code, "request.uri = request.uri.substring(6);", "drops exactly \"/media\"")
	})

	t.Run("after the API's behaviours, which keep their places", func(t *testing.T) {
		_, media := behaviour(t, dist, "/media/*")
		_, api := behaviour(t, dist, "/api/*")
		assert.Equal(t, 0, api)
		assert.Greater(t, media, api)
	})

	t.Run("options and validation", func(t *testing.T) {
		o := runSite(t, &components.StaticSiteArgs{Media: &components.StaticSiteMediaArgs{
			BucketRegionalDomainName: pulumi.String(testMediaDomain), PathPrefix: "/img", PublicPrefix: "catalog/images/", CacheSeconds: 86400,
		}})
		ob, _ := behaviour(t, o.rec.Must(t, rtDistribution, "site-cdn"), "/img/*")
		assert.NotNil(t, ob)
		assert.Equal(t, 86400.0, o.rec.Must(t, rtCachePolicy, "site-media-cache").Num("defaultTtl"))
		code := o.rec.Must(t, rtFunction, "site-media-path").Str("code")
		assert.Contains(t, code, "startsWith('/img/catalog/images/')")
		assert.Contains(t, code, "substring(4)")

		for _, c := range []struct {
			media *components.StaticSiteMediaArgs
			want  string
		}{
			{&components.StaticSiteMediaArgs{}, "StaticSiteArgs.Media.BucketRegionalDomainName: required"},
			{&components.StaticSiteMediaArgs{BucketRegionalDomainName: pulumi.String(testMediaDomain), PathPrefix: "/api"}, "StaticSiteArgs.Media.PathPrefix"},
			{&components.StaticSiteMediaArgs{BucketRegionalDomainName: pulumi.String(testMediaDomain), PathPrefix: "/a'b"}, "StaticSiteArgs.Media.PathPrefix"},
			{&components.StaticSiteMediaArgs{BucketRegionalDomainName: pulumi.String(testMediaDomain), PublicPrefix: "products"}, "StaticSiteArgs.Media.PublicPrefix"},
			{&components.StaticSiteMediaArgs{BucketRegionalDomainName: pulumi.String(testMediaDomain), CacheSeconds: 60}, "StaticSiteArgs.Media.CacheSeconds: 60 is below a day"},
		} {
			_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewStaticSite(ctx, "site", &components.StaticSiteArgs{Media: c.media})
				return err
			})
			if assert.Error(t, err, c.want) {
				assert.Contains(t, err.Error(), c.want)
			}
		}
	})

	t.Run("without Media no route", func(t *testing.T) {
		plain := runSite(t, &components.StaticSiteArgs{})
		assert.Empty(t, plain.rec.ByType(rtCachePolicy))
		_, ok := plain.rec.Find(rtFunction, "site-media-path")
		assert.False(t, ok)
	})
}
