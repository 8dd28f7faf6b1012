package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
)

const objectType = "aws:s3/bucketObjectv2:BucketObjectv2"

// sitePlan is a StaticSite with its bucket and three uploaded files in two cache classes.
func sitePlan() *plan.Plan {
	site := plan.Resource{URN: urnPrefix + components.StaticSiteType + "::site", Type: components.StaticSiteType, Name: "site",
		Inputs: map[string]any{}}
	child := func(typ, name string, bytes int64, inputs map[string]any) plan.Resource {
		return plan.Resource{URN: urnPrefix + components.StaticSiteType + "$" + typ + "::" + name, Type: typ, Name: name,
			Parent: site.URN, Inputs: inputs, Bytes: bytes}
	}
	object := func(key, contentType, cacheControl string, bytes int64) plan.Resource {
		return child(objectType, "site-asset-"+key, bytes, map[string]any{
			"key": key, "contentType": contentType, "cacheControl": cacheControl})
	}
	rs := []plan.Resource{
		site,
		object("assets/app-1.js", "text/javascript; charset=utf-8", components.CacheControlImmutable, 2048),
		object("assets/app-2.css", "text/css; charset=utf-8", components.CacheControlImmutable, 512),
		object("index.html", "text/html; charset=utf-8", components.CacheControlRevalidate, 300),
		child("aws:s3/bucketV2:BucketV2", "site-bucket", 0, map[string]any{"forceDestroy": false}),
	}
	p := withCost("dev", 0, rs...)
	for i := range p.Cost.Items {
		if p.Cost.Items[i].Type == objectType {
			p.Cost.Items[i].Basis = "usage-based: S3 storage of the object"
		}
	}
	return p
}

func text(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, p.Text(&b))
	return b.String()
}

func TestTextSummarisesSiteFiles(t *testing.T) {
	t.Parallel()
	t.Run("summary by default", func(t *testing.T) {
		t.Parallel()
		out := text(t, sitePlan())
		assert.Contains(t, out, "  "+objectType+" × 3: the site's files, 2.8 KiB  usage-based\n")
		assert.Contains(t, out, `      cacheControl "no-cache": 1 file, 300 bytes, text/html`+"\n")
		assert.Contains(t, out, `      cacheControl "public, max-age=31536000, immutable": 2 files, 2.5 KiB, text/css, text/javascript`+"\n")
		assert.Contains(t, out, "(each file: -site-files)")
		assert.NotContains(t, out, "index.html", "no file is listed")
		assert.Less(t, strings.Index(out, objectType), strings.Index(out, "site-bucket"), "the summary keeps the tree's URN order")
	})
	t.Run("each file with SiteFiles", func(t *testing.T) {
		t.Parallel()
		p := sitePlan()
		p.SiteFiles = true
		out := text(t, p)
		assert.Contains(t, out, "  "+objectType+" site-asset-index.html (300 bytes)  usage-based\n")
		assert.Contains(t, out, `      cacheControl = "no-cache"`)
		assert.NotContains(t, out, "the site's files")
	})
	t.Run("only a StaticSite's objects", func(t *testing.T) {
		t.Parallel()
		other := res(objectType, "config-object", map[string]any{"cacheControl": "no-cache"})
		out := text(t, withCost("dev", 0, other))
		assert.Contains(t, out, objectType+" config-object  free\n")
	})
}

// The tree and the policy report print the same type token as the JSON (and the plan diff).
func TestTextPrintsTypeTokensAsTheJSON(t *testing.T) {
	t.Parallel()
	out := text(t, withCost("dev", 0, res("aws:ec2/vpc:Vpc", "vpc", map[string]any{})))
	assert.Contains(t, out, "aws:ec2/vpc:Vpc vpc  free\n")
}

func TestTextSaysWhereACutValueIsWhole(t *testing.T) {
	t.Parallel()
	short := res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"cidrBlock": "10.0.0.0/16"})
	assert.NotContains(t, text(t, withCost("dev", 0, short)), "…")

	long := res("aws:ecs/service:Service", "svc", map[string]any{
		"networkConfiguration": map[string]any{"subnets": []any{strings.Repeat("subnet-0123456789abcdef0 ", 10)}}})
	out := text(t, withCost("dev", 0, long))
	assert.Contains(t, out, `networkConfiguration = {"subnets":["subnet-0123456789abcdef0 subnet`)
	assert.Contains(t, out, "…\n")
	assert.Contains(t, out, "Values cut with … are whole in the JSON plan (-format json).")
}

func TestMarkdownSummarisesSiteFiles(t *testing.T) {
	t.Parallel()
	empty := &plan.Plan{Stack: "dev"}
	t.Run("added and removed", func(t *testing.T) {
		t.Parallel()
		added := plan.Compare(empty, sitePlan())
		md := added.Markdown()
		assert.Contains(t, md, "#### Added (5)")
		assert.Contains(t, md, "| `site`: 3 files, 2.8 KiB; by cacheControl \"no-cache\": 1 file, 300 bytes, text/html; "+
			"\"public, max-age=31536000, immutable\": 2 files, 2.5 KiB, text/css, text/javascript (each file: `-site-files`) | `"+objectType+"` |")
		assert.Contains(t, md, "| `site-bucket` | `aws:s3/bucketV2:BucketV2` |")
		assert.NotContains(t, md, "index.html")
		assert.Contains(t, plan.Compare(sitePlan(), empty).Markdown(), "#### Removed (5)")

		added.SiteFiles = true
		assert.Contains(t, added.Markdown(), "| `site-asset-index.html` | `"+objectType+"` |")
	})
	t.Run("changed", func(t *testing.T) {
		t.Parallel()
		next := sitePlan()
		for i := range next.Resources {
			if next.Resources[i].Type == objectType {
				next.Resources[i].Inputs["cacheControl"] = "no-store"
			}
		}
		next.Resources[3].Bytes = 310 // index.html
		d := plan.Compare(sitePlan(), next)
		require.Len(t, d.Changed, 3)
		md := d.Markdown()
		assert.Contains(t, md, "#### Changed (3)")
		assert.Contains(t, md, "`site` (`"+objectType+"`): 3 files, 2.8 KiB changed: `(bytes)` in 1 file, `cacheControl` in 3 files (each file: `-site-files`)")
		assert.NotContains(t, md, "<details>")

		d.SiteFiles = true
		md = d.Markdown()
		assert.Contains(t, md, "<code>site-asset-index.html</code>")
		assert.Contains(t, md, "| `(bytes)` | `300` | `310` |")
	})
}

func TestMarkdownSaysWhereACutValueIsWhole(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100)
	d := plan.Compare(withCost("dev", 0, res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"tag": "a"})),
		withCost("dev", 0, res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"tag": long})))
	md := d.Markdown()
	assert.Contains(t, md, "…`")
	assert.Contains(t, md, "Values cut with … are whole in the plan JSON files.")
	short := plan.Compare(withCost("dev", 0, res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"tag": "a"})),
		withCost("dev", 0, res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"tag": "b"})))
	assert.NotContains(t, short.Markdown(), "…")
}

// A file's size is in the plan, so an edit that keeps a file's name still shows in the diff.
func TestFromResourcesRecordsTheSizeOfUploadedFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "index.html"), []byte("<!doctype html>"), 0o600))
	object := func(path string) pulumimock.Resource {
		return pulumimock.Resource{
			Type: objectType, Name: "site-asset-index.html",
			URN: urnPrefix + components.StaticSiteType + "$" + objectType + "::site-asset-index.html",
			Inputs: resource.PropertyMap{
				"key":    resource.NewStringProperty("index.html"),
				"source": resource.NewAssetProperty(&asset.Asset{Path: path}),
			},
		}
	}
	p, err := plan.FromResources("dev", root, []pulumimock.Resource{object(filepath.Join(root, "index.html"))})
	require.NoError(t, err)
	require.Len(t, p.Resources, 1)
	assert.Equal(t, int64(len("<!doctype html>")), p.Resources[0].Bytes)
	assert.Equal(t, "index.html", p.Resources[0].Inputs["source"].(map[string]any)["path"], "the path is relative to the root")

	_, err = plan.FromResources("dev", root, []pulumimock.Resource{object(filepath.Join(root, "missing.html"))})
	assert.ErrorContains(t, err, "site-asset-index.html: source asset:")
}
