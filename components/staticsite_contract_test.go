package components_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/site"
)

// The component must not import package site (components are reusable), so
// these tests are what keeps its defaults and the storefront's contract equal.
func TestStaticSiteDefaultsAreTheStorefrontContract(t *testing.T) {
	t.Parallel()
	assert.Equal(t, site.CloudFrontFunctionCode, components.DefaultViewerRequestFunction)
	assert.Equal(t, site.FrameOptions, components.DefaultFrameOptions)
	assert.Equal(t, site.ReferrerPolicy, components.DefaultReferrerPolicy)
	assert.Equal(t, site.HSTSMaxAgeSeconds, components.DefaultHstsMaxAgeSeconds)
	assert.Equal(t, site.PermissionsPolicy, components.DefaultPermissionsPolicy)
	assert.Equal(t, site.CacheImmutable, components.CacheControlImmutable)
	assert.Equal(t, site.CacheRevalidate, components.CacheControlRevalidate)
	assert.Equal(t, site.CacheShort, components.CacheControlShort)
}

// With only the storefront's CSP passed (as the stack does), CloudFront sends
// exactly the headers the local server sends (site.SecurityHeaders).
func TestStaticSiteSendsTheStorefrontSecurityHeaders(t *testing.T) {
	t.Parallel()
	r := runSite(t, &components.StaticSiteArgs{ContentSecurityPolicy: site.ContentSecurityPolicy})
	got := responseHeaders(t, r.rec.Must(t, rtHeaders, "site-headers"))
	assert.Equal(t, site.SecurityHeaders(), got)
}

// responseHeaders renders the headers a CloudFront response headers policy
// adds to every response, as a browser would see them.
func responseHeaders(t *testing.T, policy pulumimock.Resource) map[string]string {
	t.Helper()
	sh := "securityHeadersConfig."
	h := map[string]string{}
	if policy.Has(sh + "strictTransportSecurity") {
		v := "max-age=" + strconv.Itoa(int(policy.Num(sh+"strictTransportSecurity.accessControlMaxAgeSec")))
		if policy.Bool(sh + "strictTransportSecurity.includeSubdomains") {
			v += "; includeSubDomains"
		}
		if policy.Bool(sh + "strictTransportSecurity.preload") {
			v += "; preload"
		}
		h["Strict-Transport-Security"] = v
	}
	if policy.Has(sh + "contentSecurityPolicy") {
		h["Content-Security-Policy"] = policy.Str(sh + "contentSecurityPolicy.contentSecurityPolicy")
	}
	if policy.Has(sh + "contentTypeOptions") {
		h["X-Content-Type-Options"] = "nosniff"
	}
	if policy.Has(sh + "frameOptions") {
		h["X-Frame-Options"] = policy.Str(sh + "frameOptions.frameOption")
	}
	if policy.Has(sh + "referrerPolicy") {
		h["Referrer-Policy"] = policy.Str(sh + "referrerPolicy.referrerPolicy")
	}
	items, _ := policy.Plain("customHeadersConfig.items").([]any)
	for _, it := range items {
		item, ok := it.(map[string]any)
		require.True(t, ok, "custom header %v", it)
		h[item["header"].(string)] = item["value"].(string)
	}
	return h
}

// retainRecorder is the shared recorder plus the one register option it does
// not keep: retainOnDelete.
type retainRecorder struct {
	*pulumimock.Recorder
	mu       sync.Mutex
	retained map[string]bool // resource name -> retainOnDelete
}

func (r *retainRecorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.RegisterRPC != nil {
		r.mu.Lock()
		r.retained[args.Name] = args.RegisterRPC.GetRetainOnDelete()
		r.mu.Unlock()
	}
	return r.Recorder.NewResource(args)
}

func TestStaticSiteUploadsHTMLLastAndKeepsHashedAssets(t *testing.T) {
	t.Parallel()
	dir := writeDist(t)
	rec := &retainRecorder{Recorder: pulumimock.New(), retained: map[string]bool{}}
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
		Project: "shopstack", Stack: "test", Parallel: 1, Mocks: rec,
	})
	require.NoError(t, err)
	require.NoError(t, pulumi.RunWithContext(ctx, func(ctx *pulumi.Context) error {
		_, err := components.NewStaticSite(ctx, "site", &components.StaticSiteArgs{AssetsDir: dir})
		return err
	}))

	objects := map[string]pulumimock.Resource{}
	for _, o := range rec.ByType(rtObject) {
		objects[o.Str("key")] = o
	}
	require.Len(t, objects, 6)
	encryption := rec.Must(t, rtSSE, "site-bucket-encryption").URN
	html := objects["index.html"]
	for key, o := range objects {
		assert.Contains(t, o.Dependencies, encryption, "%s waits for default encryption", key)
		if key == "index.html" {
			continue
		}
		assert.Contains(t, html.Dependencies, o.URN, "index.html waits for %s", key)
		assert.NotContains(t, o.Dependencies, html.URN, "%s does not wait for the HTML", key)
	}

	retained := slices.Sorted(maps.Keys(func() map[string]bool {
		m := map[string]bool{}
		for key, o := range objects {
			if rec.retained[o.Name] {
				m[key] = true
			}
		}
		return m
	}()))
	assert.Equal(t, []string{"assets/app-ABCDEFGH.js", "assets/app-QWERTY23.css"}, retained,
		"only immutable (hashed) objects outlive the build that uploaded them")
	assert.False(t, rec.retained["site-bucket"], "the bucket itself is not retained")
}
