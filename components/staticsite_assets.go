package components

import (
	"fmt"
	"io/fs"
	"mime"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Cache-Control values of the default asset contract.
const (
	CacheControlImmutable  = "public, max-age=31536000, immutable"
	CacheControlRevalidate = "no-cache"
	CacheControlShort      = "public, max-age=300"
)

// hashedAsset matches the content hash a bundler puts before the extension:
// eight base32 letters or at least eight hex digits.
var hashedAsset = regexp.MustCompile(`[-.]([A-Z2-7]{8}|[0-9a-f]{8,})\.[A-Za-z0-9]+$`)

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

// siteFile is one file to upload.
type siteFile struct{ key, path string }

// assets lists the files of AssetsDir and checks the Cache-Control of each,
// so a bad contract fails before anything is registered.
func (a *StaticSiteArgs) assets() ([]siteFile, error) {
	if a.AssetsDir == "" {
		return nil, nil
	}
	files, err := listAssets(a.AssetsDir)
	if err != nil {
		return nil, fmt.Errorf("StaticSiteArgs.AssetsDir: %w", err)
	}
	return files, checkCacheControl(files, a.CacheControl)
}

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

// checkCacheControl rejects a CacheControl function that leaves a file
// without the header (CloudFront would then keep it for the cache policy's
// default TTL, a day, and a deploy would need an invalidation) or returns
// more than one header line.
func checkCacheControl(files []siteFile, cacheControl func(string) string) error {
	e := newArgErrors("StaticSiteArgs")
	for _, f := range files {
		switch v := cacheControl(f.key); {
		case strings.TrimSpace(v) == "":
			e.bad("CacheControl", "empty for %q (CloudFront would cache it for a day)", f.key)
		case strings.ContainsAny(v, "\r\n"):
			e.bad("CacheControl", "%q for %q must be a single header line", v, f.key)
		}
	}
	return e.err()
}

// uploadAssets uploads one object per file, `name-asset-<key>`. HTML entry
// points go last: each waits for every other object, so a shopper never gets
// an index.html naming an asset not uploaded yet. Immutable (content-hashed)
// objects are retained when a later build no longer has them: a page loaded
// before the deploy, or an old index.html still in a browser, keeps finding
// its assets. They are never overwritten, since new content means a new name.
func (s *StaticSite) uploadAssets(ctx *pulumi.Context, name string, a *StaticSiteArgs, bucket *privateBucket,
	files []siteFile,
) error {
	var others, pages []siteFile
	for _, f := range files {
		if isHTML(f.key) {
			pages = append(pages, f)
		} else {
			others = append(others, f)
		}
	}
	upload := func(f siteFile, deps []pulumi.Resource) (pulumi.Resource, error) {
		cacheControl := a.CacheControl(f.key)
		return s3.NewBucketObjectv2(ctx, name+"-asset-"+f.key, &s3.BucketObjectv2Args{
			Bucket:       bucket.Bucket.ID(),
			Key:          pulumi.String(f.key),
			Source:       pulumi.NewFileAsset(f.path),
			ContentType:  pulumi.String(ContentType(f.key)),
			CacheControl: pulumi.String(cacheControl),
		}, pulumi.Parent(s), pulumi.DependsOn(deps), pulumi.RetainOnDelete(isImmutable(cacheControl)))
	}
	uploaded := []pulumi.Resource{bucket.Encryption}
	for _, f := range others {
		obj, err := upload(f, []pulumi.Resource{bucket.Encryption})
		if err != nil {
			return err
		}
		uploaded = append(uploaded, obj)
	}
	for _, f := range pages {
		if _, err := upload(f, uploaded); err != nil {
			return err
		}
	}
	return nil
}
