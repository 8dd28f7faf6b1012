package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopstack/shopstack/components"
)

// siteObjectType is the type of the objects a StaticSite uploads, one per file of the built site. A site has
// dozens of them, one line each would bury the infrastructure, so the text and markdown renderings summarise
// them (SiteFiles lists them); the JSON always has every one.
const siteObjectType = "aws:s3/bucketObjectv2:BucketObjectv2"

// isSiteObject reports whether r is a file a StaticSite uploads.
func isSiteObject(r Resource) bool {
	return r.Type == siteObjectType && urnType(r.Parent) == components.StaticSiteType
}

// splitSiteObjects separates the site files from the other resources, keeping the order of both.
func splitSiteObjects(rs []Resource) (files, rest []Resource) {
	for _, r := range rs {
		if isSiteObject(r) {
			files = append(files, r)
		} else {
			rest = append(rest, r)
		}
	}
	return files, rest
}

// siteUpload summarises the files one StaticSite uploads: how many, how big, and how each is cached.
type siteUpload struct {
	Site    string // the StaticSite's URN
	Files   int
	Bytes   int64
	Classes []cacheClass // by Cache-Control value
}

// cacheClass is the files of an upload that share one Cache-Control value.
type cacheClass struct {
	CacheControl string // "" when the object sets none
	Files        int
	Bytes        int64
	ContentTypes []string // media types without parameters, sorted
}

// summariseSites groups site files by their StaticSite (in URN order) and each group by Cache-Control.
func summariseSites(files []Resource) []siteUpload {
	bySite := map[string]*siteUpload{}
	classes := map[string]map[string]*cacheClass{}
	types := map[*cacheClass]map[string]bool{}
	for _, f := range files {
		u := bySite[f.Parent]
		if u == nil {
			u = &siteUpload{Site: f.Parent}
			bySite[f.Parent] = u
			classes[f.Parent] = map[string]*cacheClass{}
		}
		cc, _ := f.Inputs["cacheControl"].(string)
		c := classes[f.Parent][cc]
		if c == nil {
			c = &cacheClass{CacheControl: cc}
			classes[f.Parent][cc] = c
			types[c] = map[string]bool{}
		}
		u.Files++
		u.Bytes += f.Bytes
		c.Files++
		c.Bytes += f.Bytes
		if ct, _ := f.Inputs["contentType"].(string); ct != "" {
			mediaType, _, _ := strings.Cut(ct, ";")
			types[c][strings.TrimSpace(mediaType)] = true
		}
	}
	out := make([]siteUpload, 0, len(bySite))
	for site, u := range bySite {
		for _, c := range classes[site] {
			c.ContentTypes = sortedKeys(types[c])
			u.Classes = append(u.Classes, *c)
		}
		sort.Slice(u.Classes, func(i, j int) bool { return u.Classes[i].CacheControl < u.Classes[j].CacheControl })
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Site < out[j].Site })
	return out
}

// String is the upload in one line: "4 files, 372 bytes".
func (u siteUpload) String() string {
	return count(u.Files, "file") + ", " + formatBytes(u.Bytes)
}

// String is the class in one line: `"no-cache": 1 file, 265 bytes, text/html`.
func (c cacheClass) String() string {
	label := "no cacheControl"
	if c.CacheControl != "" {
		label = fmt.Sprintf("%q", c.CacheControl)
	}
	s := fmt.Sprintf("%s: %s, %s", label, count(c.Files, "file"), formatBytes(c.Bytes))
	if len(c.ContentTypes) > 0 {
		s += ", " + strings.Join(c.ContentTypes, ", ")
	}
	return s
}

// formatBytes prints a size exactly below a KiB and to a tenth above, so a golden site and a real build both read.
func formatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return count(int(n), "byte")
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// urnType is the type of the resource urn names (the last element of its qualified type), "" if urn is not a URN.
func urnType(urn string) string {
	parts := strings.SplitN(urn, "::", 4)
	if len(parts) < 4 {
		return ""
	}
	q := parts[2]
	return q[strings.LastIndexByte(q, '$')+1:]
}

// urnName is the name of the resource urn names.
func urnName(urn string) string {
	parts := strings.SplitN(urn, "::", 4)
	if len(parts) < 4 {
		return urn
	}
	return parts[3]
}
