package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/components"
)

func TestAddCSPSources(t *testing.T) {
	t.Parallel()
	const csp = "default-src 'self'; connect-src 'self'; frame-ancestors 'none'"
	assert.Equal(t, "default-src 'self'; connect-src 'self' https://a.example; frame-ancestors 'none'",
		components.AddCSPSources(csp, "connect-src", "https://a.example"))
	assert.Equal(t, "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; frame-src 'self' https://b.example",
		components.AddCSPSources(csp, "frame-src", "https://b.example"), "a missing directive starts from default-src")
	assert.Equal(t, csp, components.AddCSPSources(csp, "connect-src", "'self'"), "no repeats")
	assert.Equal(t, "connect-src https://a.example", components.AddCSPSources("", "connect-src", "https://a.example"),
		"no default-src: only the source given")
}

// The console uploads straight to the media bucket with a presigned PUT: the pages' CSP must let it, and
// only it.
func TestStaticSiteMediaUploadOriginInTheCSP(t *testing.T) {
	t.Parallel()
	const origin = "https://data-media-abc.s3.us-east-1.amazonaws.com"
	r := runSite(t, &components.StaticSiteArgs{
		ApiOrigin:             testApiOrigin("http-only"),
		ContentSecurityPolicy: "default-src 'self'; connect-src 'self'",
		Media: &components.StaticSiteMediaArgs{
			BucketRegionalDomainName: pulumi.String(testMediaDomain),
			UploadOrigin:             pulumi.String(origin),
		},
	})
	for _, name := range []string{"site-headers", "site-api-headers"} {
		assert.Equal(t, "default-src 'self'; connect-src 'self' "+origin,
			r.rec.Must(t, rtHeaders, name).Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy"), name)
	}
	plain := runSite(t, &components.StaticSiteArgs{
		ContentSecurityPolicy: "default-src 'self'; connect-src 'self'",
		Media:                 &components.StaticSiteMediaArgs{BucketRegionalDomainName: pulumi.String(testMediaDomain)},
	})
	assert.Equal(t, "default-src 'self'; connect-src 'self'",
		plain.rec.Must(t, rtHeaders, "site-headers").Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy"),
		"no UploadOrigin, no change")
}
