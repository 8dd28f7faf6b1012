// Package sitebuild turns site/src into site/dist: JavaScript and CSS bundled
// and minified by esbuild, every referenced file renamed after a hash of its
// content into dist/assets, and HTML pages rewritten to point at those names.
// The product images of src/images are copied to dist/images as they are, and
// every demo product gets its own picture drawn at build time (pictures.go).
package sitebuild

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/shopstack/shopstack/site"
)

// Options says where to read the sources and where to write the site.
type Options struct {
	// SrcDir holds the HTML pages (*.html at its root) and what they reference.
	SrcDir string
	// OutDir is replaced entirely by the build.
	OutDir string
}

// File is one file of the built site.
type File struct {
	// Path is slash-separated and relative to the output folder.
	Path string
	Size int
	// Gzip is the size after gzip at the best compression, as a CDN serves it.
	Gzip int
	// Imports are the files this one loads before it can run (static ES
	// module imports for scripts, local src/href references for HTML).
	Imports []string
}

// Result lists every file written, by path.
type Result struct {
	Files map[string]File
	// Pages are the HTML files, sorted.
	Pages []string
}

// refAttr finds src and href attribute values; the pages are our own source,
// written with double-quoted attributes.
var refAttr = regexp.MustCompile(`\b(src|href)="([^"]*)"`)

var scheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

func isLocal(ref string) bool {
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "/") {
		return false
	}
	return !scheme.MatchString(ref)
}

// Build writes the site. It fails on a reference to a missing file, on a
// bundling error, or on an <img> without width and height.
func Build(opts Options) (*Result, error) {
	src, out, err := folders(opts)
	if err != nil {
		return nil, err
	}
	pages, err := filepath.Glob(filepath.Join(src, "*.html"))
	if err != nil || len(pages) == 0 {
		return nil, fmt.Errorf("no HTML pages in %s", src)
	}
	sort.Strings(pages)
	in, err := readPages(src, pages)
	if err != nil {
		return nil, err
	}

	if err := clean(out); err != nil {
		return nil, fmt.Errorf("clean output folder: %w", err)
	}
	res := &Result{Files: map[string]File{}}
	renamed := map[string]string{}
	if len(in.bundled) > 0 {
		if err := bundle(src, out, in.bundled, res, renamed); err != nil {
			return nil, err
		}
	}
	if err := copyReferenced(src, out, in.copied, res, renamed); err != nil {
		return nil, err
	}
	if err := copyImages(src, out, res); err != nil {
		return nil, err
	}
	if err := writeDemoPictures(src, out, res); err != nil {
		return nil, err
	}
	if err := writePages(out, pages, in.html, renamed, res); err != nil {
		return nil, err
	}
	return res, nil
}

// folders returns the absolute source and output folders, which must not
// contain each other (the build empties the output folder).
func folders(opts Options) (src, out string, err error) {
	src, err = filepath.Abs(opts.SrcDir)
	if err != nil {
		return "", "", fmt.Errorf("source folder: %w", err)
	}
	out, err = filepath.Abs(opts.OutDir)
	if err != nil {
		return "", "", fmt.Errorf("output folder: %w", err)
	}
	if out == src || strings.HasPrefix(src, out+string(filepath.Separator)) || strings.HasPrefix(out, src+string(filepath.Separator)) {
		return "", "", fmt.Errorf("output folder %s must be outside the source folder %s", out, src)
	}
	return src, out, nil
}

// pageInputs is what the pages reference: scripts and styles to bundle, other
// files to copy under hashed names, each listed once in order of first use.
type pageInputs struct {
	html            map[string][]byte
	bundled, copied []string
}

// readPages reads the pages and checks their local references: each must be a
// file inside the source folder.
func readPages(src string, pages []string) (pageInputs, error) {
	in := pageInputs{html: map[string][]byte{}}
	seen := map[string]bool{}
	for _, p := range pages {
		b, err := os.ReadFile(p) //nolint:gosec // a page of the source folder, found by Glob
		if err != nil {
			return pageInputs{}, fmt.Errorf("read page: %w", err)
		}
		if err := checkImages(filepath.Base(p), b); err != nil {
			return pageInputs{}, err
		}
		in.html[p] = b
		for _, m := range refAttr.FindAllSubmatch(b, -1) {
			ref := string(m[2])
			if !isLocal(ref) || seen[ref] {
				continue
			}
			seen[ref] = true
			file := filepath.Join(src, filepath.FromSlash(path.Clean(ref)))
			if !strings.HasPrefix(file, src+string(filepath.Separator)) {
				return pageInputs{}, fmt.Errorf("%s: reference %q leaves the source folder", filepath.Base(p), ref)
			}
			if _, err := os.Stat(file); err != nil { //nolint:gosec // file is checked to stay under src just above
				return pageInputs{}, fmt.Errorf("%s: reference %q: %w", filepath.Base(p), ref, err)
			}
			switch path.Ext(ref) {
			case ".js", ".css":
				in.bundled = append(in.bundled, ref)
			default:
				in.copied = append(in.copied, ref)
			}
		}
	}
	return in, nil
}

// copyReferenced writes the referenced files that are not bundled to
// dist/assets under hashed names, and records each new name in renamed.
func copyReferenced(src, out string, refs []string, res *Result, renamed map[string]string) error {
	for _, ref := range refs {
		b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(ref))) //nolint:gosec // checked by readPages to stay inside the source folder
		if err != nil {
			return fmt.Errorf("read %s: %w", ref, err)
		}
		name := hashedName(path.Base(ref), b)
		if err := res.write(out, path.Join(site.AssetsDir, name), b, nil); err != nil {
			return err
		}
		renamed[ref] = "/" + site.AssetsDir + "/" + name
	}
	return nil
}

// writePages writes each page with its references pointing at the renamed
// files, and with preload links for the modules its scripts import.
func writePages(out string, pages []string, html map[string][]byte, renamed map[string]string, res *Result) error {
	for _, p := range pages {
		var imports []string
		page := refAttr.ReplaceAllFunc(html[p], func(m []byte) []byte {
			sm := refAttr.FindSubmatch(m)
			to, ok := renamed[string(sm[2])]
			if !ok {
				return m
			}
			imports = append(imports, strings.TrimPrefix(to, "/"))
			return []byte(string(sm[1]) + `="` + to + `"`)
		})
		page, imports = preload(page, imports, res)
		name := filepath.Base(p)
		if err := res.write(out, name, page, imports); err != nil {
			return err
		}
		res.Pages = append(res.Pages, name)
	}
	return nil
}

// copyImages copies the files of src/images to dist/images unchanged and
// under the same names, because the catalog refers to them by path. Nothing
// references them from the pages, so they are never on the critical path.
func copyImages(src, out string, res *Result) error {
	entries, err := os.ReadDir(filepath.Join(src, site.ImagesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", site.ImagesDir, err)
	}
	for _, e := range entries {
		name := site.ImagesDir + "/" + e.Name()
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s: only plain files are copied (no folders or links)", name)
		}
		b, err := os.ReadFile(filepath.Join(src, site.ImagesDir, e.Name())) //nolint:gosec // a regular file listed in the source folder
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if err := res.write(out, name, b, nil); err != nil {
			return err
		}
	}
	return nil
}

// preload adds a modulepreload link for every module the page's scripts
// import statically, so the browser fetches them in parallel with the entry
// instead of discovering them one level at a time.
func preload(page []byte, imports []string, res *Result) ([]byte, []string) {
	var links []string
	seen := map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		for _, imp := range res.Files[name].Imports {
			if !seen[imp] {
				seen[imp] = true
				links = append(links, `<link rel="modulepreload" href="/`+imp+`">`)
				imports = append(imports, imp)
				walk(imp)
			}
		}
	}
	for _, name := range imports {
		if path.Ext(name) == ".js" {
			walk(name)
		}
	}
	if len(links) == 0 {
		return page, imports
	}
	i := bytes.Index(page, []byte("</head>"))
	if i < 0 {
		return page, imports
	}
	withLinks := append([]byte{}, page[:i]...)
	withLinks = append(withLinks, []byte(strings.Join(links, "\n")+"\n")...)
	return append(withLinks, page[i:]...), imports
}

// clean empties out but keeps the folder itself, so a server that holds it
// open (shop serve during `make dev`) serves the new build without a restart.
func clean(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(out, 0o755) //nolint:gosec // public files
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// hashedName gives a file the same kind of name esbuild gives bundles:
// name-HASH.ext with 8 base32 characters of the content's SHA-256.
func hashedName(base string, content []byte) string {
	sum := sha256.Sum256(content)
	ext := path.Ext(base)
	return strings.TrimSuffix(base, ext) + "-" + base32.StdEncoding.EncodeToString(sum[:])[:8] + ext
}

type metafile struct {
	Outputs map[string]struct {
		EntryPoint string `json:"entryPoint"`
		Imports    []struct {
			Path string `json:"path"`
			Kind string `json:"kind"`
		} `json:"imports"`
	} `json:"outputs"`
}

func bundle(src, out string, entries []string, res *Result, renamed map[string]string) error {
	r := api.Build(api.BuildOptions{
		EntryPoints:       entries,
		AbsWorkingDir:     src,
		Outdir:            out,
		Outbase:           src,
		EntryNames:        site.AssetsDir + "/[name]-[hash]",
		ChunkNames:        site.AssetsDir + "/chunk-[hash]",
		AssetNames:        site.AssetsDir + "/[name]-[hash]",
		Bundle:            true,
		Splitting:         true,
		Format:            api.FormatESModule,
		Target:            api.ES2020,
		Platform:          api.PlatformBrowser,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsNone,
		Charset:           api.CharsetUTF8,
		Metafile:          true,
		Write:             false,
		LogLevel:          api.LogLevelSilent,
	})
	if len(r.Errors) > 0 {
		msgs := api.FormatMessages(r.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return fmt.Errorf("bundle: %s", strings.Join(msgs, "\n"))
	}
	var meta metafile
	if err := json.Unmarshal([]byte(r.Metafile), &meta); err != nil {
		return fmt.Errorf("bundle metafile: %w", err)
	}
	// The metafile names outputs relative to AbsWorkingDir (the source folder).
	rel := func(p string) (string, error) {
		return filepath.Rel(out, filepath.Join(src, filepath.FromSlash(p)))
	}
	for _, f := range r.OutputFiles {
		name, err := filepath.Rel(out, f.Path)
		if err != nil {
			return fmt.Errorf("bundle output %s: %w", f.Path, err)
		}
		name = filepath.ToSlash(name)
		var imports []string
		for metaPath, o := range meta.Outputs {
			if p, err := rel(metaPath); err != nil || filepath.ToSlash(p) != name {
				continue
			}
			if o.EntryPoint != "" {
				renamed[o.EntryPoint] = "/" + name
			}
			for _, imp := range o.Imports {
				if imp.Kind != "import-statement" {
					continue
				}
				p, err := rel(imp.Path)
				if err != nil {
					return fmt.Errorf("bundle import %s: %w", imp.Path, err)
				}
				imports = append(imports, filepath.ToSlash(p))
			}
		}
		if err := res.write(out, name, f.Contents, imports); err != nil {
			return err
		}
	}
	for _, e := range entries {
		if _, ok := renamed[e]; !ok {
			return fmt.Errorf("bundle: no output for entry point %s", e)
		}
	}
	return nil
}

func (r *Result) write(out, name string, b []byte, imports []string) error {
	if _, dup := r.Files[name]; dup {
		return fmt.Errorf("two files would be written to %s", name)
	}
	file := filepath.Join(out, filepath.FromSlash(name))
	// The site is public: whatever serves dist (another user, a container)
	// must be able to read it.
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil { //nolint:gosec // public files
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil { //nolint:gosec // public files
		return fmt.Errorf("write %s: %w", name, err)
	}
	r.Files[name] = File{Path: name, Size: len(b), Gzip: gzipSize(b), Imports: imports}
	return nil
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Len()
}

var (
	imgTag  = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	widthA  = regexp.MustCompile(`(?i)\swidth="\d+"`)
	heightA = regexp.MustCompile(`(?i)\sheight="\d+"`)
)

// checkImages rejects an <img> without width and height: the browser needs
// them to reserve the space before the image arrives (no layout shift).
func checkImages(page string, b []byte) error {
	var errs []error
	for _, tag := range imgTag.FindAll(b, -1) {
		if !widthA.Match(tag) || !heightA.Match(tag) {
			errs = append(errs, fmt.Errorf("%s: %s has no width and height", page, tag))
		}
	}
	return errors.Join(errs...)
}
