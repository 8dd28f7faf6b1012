package sitebuild_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/site"
	"github.com/shopstack/shopstack/site/sitebuild"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func miniSite(js string) map[string]string {
	return map[string]string{
		"index.html": `<!doctype html><html><head><link rel="stylesheet" href="app.css">` +
			`<script type="module" src="app.js"></script></head>` +
			`<body><img src="logo.svg" alt="Logo" width="10" height="10"><a href="/cart">Cart</a>` +
			`<a href="https://example.com/x.js">x</a></body></html>`,
		"app.js":   `import { greet } from './lib.js';` + "\n" + js,
		"lib.js":   `export function greet(name) { return 'Hello, ' + name; }`,
		"app.css":  `body { color: #123456; }` + "\n" + `.unused  { margin : 0px ; }`,
		"logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"/>`,
	}
}

func build(t *testing.T, src string) (*sitebuild.Result, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dist")
	res, err := sitebuild.Build(sitebuild.Options{SrcDir: src, OutDir: out})
	require.NoError(t, err)
	return res, out
}

func assetNamed(t *testing.T, res *sitebuild.Result, prefix, ext string) string {
	t.Helper()
	for name := range res.Files {
		if strings.HasPrefix(name, "assets/"+prefix+"-") && path.Ext(name) == ext {
			return name
		}
	}
	t.Fatalf("no asset %s-*%s in %v", prefix, ext, res.Files)
	return ""
}

func TestBuildHashesAndRewritesReferences(t *testing.T) {
	t.Parallel()
	res, out := build(t, writeTree(t, miniSite(`document.title = greet('x');`)))

	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	require.NoError(t, err)
	html := string(page)
	js, css, svg := assetNamed(t, res, "app", ".js"), assetNamed(t, res, "app", ".css"), assetNamed(t, res, "logo", ".svg")
	assert.Contains(t, html, `src="/`+js+`"`)
	assert.Contains(t, html, `href="/`+css+`"`)
	assert.Contains(t, html, `src="/`+svg+`"`)
	assert.NotContains(t, html, `"app.js"`)
	assert.NotContains(t, html, `"app.css"`)
	assert.Contains(t, html, `href="/cart"`, "site routes are left alone")
	assert.Contains(t, html, `href="https://example.com/x.js"`, "external references are left alone")

	for name := range res.Files {
		if name == "index.html" {
			continue
		}
		assert.Equal(t, site.CacheImmutable, site.CacheControl(name), "%s must be a hashed asset", name)
		_, err := os.Stat(filepath.Join(out, filepath.FromSlash(name)))
		assert.NoError(t, err)
	}
	assert.Equal(t, site.CacheRevalidate, site.CacheControl("index.html"))

	bundle, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(js)))
	require.NoError(t, err)
	assert.Contains(t, string(bundle), "Hello, ", "the import is bundled in")
	assert.NotContains(t, string(bundle), "import ", "nothing is left to import")
	styles, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(css)))
	require.NoError(t, err)
	assert.NotContains(t, string(styles), "  ", "CSS is minified")
	assert.Contains(t, string(styles), "#123456")
}

func TestHashFollowsContent(t *testing.T) {
	t.Parallel()
	src := writeTree(t, miniSite(`document.title = greet('a');`))
	first, _ := build(t, src)
	again, _ := build(t, src)
	assert.Equal(t, assetNamed(t, first, "app", ".js"), assetNamed(t, again, "app", ".js"), "same input, same name")

	require.NoError(t, os.WriteFile(filepath.Join(src, "app.js"), []byte(`import { greet } from './lib.js'; document.title = greet('b');`), 0o644))
	changed, _ := build(t, src)
	assert.NotEqual(t, assetNamed(t, first, "app", ".js"), assetNamed(t, changed, "app", ".js"), "new content, new name")
	assert.Equal(t, assetNamed(t, first, "app", ".css"), assetNamed(t, changed, "app", ".css"), "untouched CSS keeps its name")
	assert.Equal(t, assetNamed(t, first, "logo", ".svg"), assetNamed(t, changed, "logo", ".svg"))

	// A file the page references (the logo) is renamed by its own hash, or a changed logo would be served
	// from the year-long immutable cache under its old name.
	require.NoError(t, os.WriteFile(filepath.Join(src, "logo.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"/>`), 0o644))
	newLogo, _ := build(t, src)
	assert.NotEqual(t, assetNamed(t, changed, "logo", ".svg"), assetNamed(t, newLogo, "logo", ".svg"), "new logo, new name")
}

func TestBuildReplacesOutput(t *testing.T) {
	t.Parallel()
	src := writeTree(t, miniSite(`greet('a');`))
	out := filepath.Join(t.TempDir(), "dist")
	require.NoError(t, os.MkdirAll(filepath.Join(out, "assets"), 0o755))
	stale := filepath.Join(out, "assets", "old-AAAAAAAA.js")
	require.NoError(t, os.WriteFile(stale, []byte("old"), 0o644))
	before, err := os.Stat(out)
	require.NoError(t, err)
	_, err = sitebuild.Build(sitebuild.Options{SrcDir: src, OutDir: out})
	require.NoError(t, err)
	assert.NoFileExists(t, stale)
	after, err := os.Stat(out)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "the output folder itself is kept, so a running server keeps serving it")
}

func TestBuildCopiesImages(t *testing.T) {
	t.Parallel()
	plain, _ := build(t, writeTree(t, miniSite(`greet('a');`)))

	files := miniSite(`greet('a');`)
	files["images/books.svg"] = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 4"/>`
	files["images/.DS_Store"] = "junk"
	res, out := build(t, writeTree(t, files))

	got, err := os.ReadFile(filepath.Join(out, "images", "books.svg"))
	require.NoError(t, err)
	assert.Equal(t, files["images/books.svg"], string(got), "copied byte for byte, under its own name")
	assert.Contains(t, res.Files, "images/books.svg")
	assert.NoFileExists(t, filepath.Join(out, "images", ".DS_Store"))
	assert.NotContains(t, res.Files, "images/.DS_Store")
	u := res.Usage()
	assert.NotContains(t, u.Critical, "images/books.svg")
	assert.Equal(t, plain.Usage().CriticalPath, u.CriticalPath, "product images are not on the critical path")

	t.Run("rejects a link", func(t *testing.T) {
		t.Parallel()
		src := writeTree(t, miniSite(`greet('a');`))
		require.NoError(t, os.MkdirAll(filepath.Join(src, "images"), 0o755))
		require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(src, "images", "x.svg")))
		_, err := sitebuild.Build(sitebuild.Options{SrcDir: src, OutDir: filepath.Join(t.TempDir(), "dist")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "images/x.svg: only plain files")
	})
}

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(map[string]string)
		inSrc bool
		want  string
	}{
		{"missing file", func(f map[string]string) { delete(f, "logo.svg") }, false, `reference "logo.svg"`},
		{"image without size", func(f map[string]string) {
			f["index.html"] = strings.Replace(f["index.html"], ` width="10" height="10"`, "", 1)
		}, false, "has no width and height"},
		{"syntax error", func(f map[string]string) { f["app.js"] = "let = ;" }, false, "bundle"},
		{"reference outside", func(f map[string]string) {
			f["index.html"] = strings.Replace(f["index.html"], "logo.svg", "../logo.svg", 1)
		}, false, "leaves the source folder"},
		{"output inside source", func(map[string]string) {}, true, "must be outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := miniSite(`greet('a');`)
			tt.edit(files)
			src := writeTree(t, files)
			out := filepath.Join(t.TempDir(), "dist")
			if tt.inSrc {
				out = filepath.Join(src, "dist")
			}
			_, err := sitebuild.Build(sitebuild.Options{SrcDir: src, OutDir: out})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestBudgetCheck(t *testing.T) {
	t.Parallel()
	b := sitebuild.Budget{TotalJS: 100, MaxScript: 50, TotalCSS: 30, CriticalPath: 200}
	ok := sitebuild.Usage{TotalJS: 100, MaxScript: 50, TotalCSS: 30, CriticalPath: 200}
	assert.NoError(t, b.Check(ok), "exactly at the limits is within budget")
	tests := []struct {
		name string
		edit func(*sitebuild.Usage)
		want string
	}{
		{"js", func(u *sitebuild.Usage) { u.TotalJS = 101 }, "total JavaScript is 101"},
		{"script", func(u *sitebuild.Usage) { u.MaxScript, u.Largest = 51, "assets/big-AAAAAAAA.js" }, "largest script (assets/big-AAAAAAAA.js) is 51"},
		{"css", func(u *sitebuild.Usage) { u.TotalCSS = 31 }, "total CSS is 31"},
		{"critical", func(u *sitebuild.Usage) { u.CriticalPath = 201 }, "critical path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := ok
			tt.edit(&u)
			err := b.Check(u)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestStorefront builds the real storefront and holds it to the budget.
func TestStorefront(t *testing.T) {
	t.Parallel()
	res, out := build(t, filepath.Join("..", "src"))
	u := res.Usage()
	t.Logf("gzip bytes: JS %d, largest script %d (%s), CSS %d, critical path %d %v",
		u.TotalJS, u.MaxScript, u.Largest, u.TotalCSS, u.CriticalPath, u.Critical)
	require.NoError(t, sitebuild.DefaultBudget.Check(u))

	// The measurement itself: the critical path holds the page, its CSS and
	// its entry script, and every script is counted in the JS total.
	assert.Contains(t, u.Critical, "index.html")
	assert.Contains(t, u.Critical, assetNamed(t, res, "app", ".css"))
	assert.Contains(t, u.Critical, assetNamed(t, res, "app", ".js"))
	var js int
	for name, f := range res.Files {
		if path.Ext(name) == ".js" {
			js += f.Gzip
			assert.Greater(t, f.Gzip, 0)
			assert.Less(t, f.Gzip, f.Size+64, "%s: gzip size is measured", name)
		}
	}
	assert.Equal(t, js, u.TotalJS)

	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`).FindAllStringSubmatch(string(page), -1) {
		assert.FileExists(t, filepath.Join(out, filepath.FromSlash(m[1])))
		assert.Equal(t, site.CacheImmutable, site.CacheControl(m[1]))
	}
	for _, img := range regexp.MustCompile(`<img\b[^>]*>`).FindAllString(string(page), -1) {
		assert.Regexp(t, `\swidth="\d+"`, img)
		assert.Regexp(t, `\sheight="\d+"`, img)
	}
	// The demo product images (app/shop.DemoCatalog points at them): small,
	// shaped like the 3:2 product frame, inert, and outside the budget.
	var images int
	for name, f := range res.Files {
		if !strings.HasPrefix(name, site.ImagesDir+"/") {
			continue
		}
		images++
		assert.NotContains(t, u.Critical, name)
		assert.Equal(t, site.CacheShort, site.CacheControl(name))
		assert.Less(t, f.Size, 2048, "%s: well under 2 KB", name)
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		require.NoError(t, err)
		assertInertSVG(t, name, b)
	}
	assert.GreaterOrEqual(t, images, 6, "one image per demo category")

	// Every demo product has its own picture at its image_url, unlike any other.
	seen := map[string]string{}
	for _, p := range shop.DemoCatalog() {
		name := strings.TrimPrefix(p.ImageURL, "/")
		require.Contains(t, res.Files, name, "%s: its picture is built", p.SKU)
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		require.NoError(t, err)
		assert.NotContains(t, seen, string(b), "%s draws the same picture as %s", p.SKU, seen[string(b)])
		seen[string(b)] = p.SKU
		assert.Contains(t, string(b), ">"+initialsOf(p.Name)+"</text>", "%s: the name's initials", p.SKU)
	}
}

// initialsOf is what the picture must show: the first letters of the first
// two words, upper case.
func initialsOf(name string) string {
	var s string
	for _, w := range strings.Fields(name) {
		s += strings.ToUpper(string([]rune(w)[0]))
		if len(s) == 2 {
			break
		}
	}
	return s
}

// assertInertSVG checks that b is well-formed SVG with a 3:2 viewBox and
// nothing that runs or loads anything: no script, event handler, foreign
// content, link or external reference.
func assertInertSVG(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "%s is well-formed XML", name)
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			assert.Equal(t, "svg", el.Name.Local, name)
			assert.Equal(t, "http://www.w3.org/2000/svg", el.Name.Space, name)
			var viewBox string
			for _, a := range el.Attr {
				if a.Name.Local == "viewBox" {
					viewBox = a.Value
				}
			}
			assert.Equal(t, "0 0 600 400", viewBox, "%s: 3:2 like the product frame", name)
			root = false
		}
		assert.NotContains(t, []string{"script", "foreignObject", "a", "image", "use", "style", "iframe"}, el.Name.Local, name)
		for _, a := range el.Attr {
			assert.False(t, strings.HasPrefix(strings.ToLower(a.Name.Local), "on"), "%s: event handler %s", name, a.Name.Local)
			assert.NotEqual(t, "href", a.Name.Local, name)
			assert.NotContains(t, a.Value, "url(", name)
		}
	}
	assert.False(t, root, "%s has an svg element", name)
}
