package sitebuild

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/site"
)

// The demo catalog's pictures are drawn here, at build time, from each
// product's own attributes, so that no two products look alike (issue 14: a
// chef's knife showed the kitchen's mug): the category gives the shape, a hash
// of the SKU its colour, tilt and the dots around it, and the name its
// initials. They are plain, inert SVG of the product frame's 3:2 shape.

// categoryShapes are drawn in a 200 × 200 box centred on (0, 0).
var categoryShapes = map[string]string{
	// A T-shirt.
	"apparel": `<path d="M-40-80h80l60 35-25 45-25-15v95h-100v-95l-25 15-25-45z"/>`,
	// A mug with its handle.
	"kitchen": `<rect x="-70" y="-60" width="110" height="130" rx="14"/><path d="M40-30h20a30 30 0 0 1 0 60h-20v-16h20a14 14 0 0 0 0-28h-20z"/>`,
	// A closed book, spine on the left.
	"books": `<rect x="-65" y="-85" width="130" height="170" rx="8"/><rect x="-65" y="-85" width="22" height="170" fill-opacity=".35" fill="#000"/>`,
	// Mountains under a sun.
	"outdoor": `<path d="M-95 70l65-110 40 60 25-35 60 85z"/><circle cx="55" cy="-55" r="22"/>`,
	// A phone-like device.
	"electronics": `<rect x="-55" y="-90" width="110" height="180" rx="18"/><rect x="-42" y="-70" width="84" height="125" rx="4" fill="#fff" fill-opacity=".5"/><circle cy="70" r="8" fill="#fff" fill-opacity=".6"/>`,
	// A house.
	"home": `<path d="M0-90l95 80h-25v90h-140v-90h-25z"/><rect x="-18" y="30" width="36" height="50" fill="#fff" fill-opacity=".5"/>`,
}

// defaultShape is for a category without its own shape.
const defaultShape = `<circle r="80"/>`

// initials are the first letters of the name's first two words.
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(unicode.ToUpper(r))
				break
			}
		}
		if b.Len() >= 2 {
			break
		}
	}
	return b.String()
}

// picture draws one product's SVG.
func picture(sku, name, category string) []byte {
	h := fnv.New64a()
	_, _ = h.Write([]byte(sku))
	sum := h.Sum64()
	hue := int(sum % 360)
	tilt := int(sum>>9%31) - 15
	scale := 0.9 + float64(sum>>14%21)/100
	shape, ok := categoryShapes[category]
	if !ok {
		shape = defaultShape
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 400" width="600" height="400">`)
	fmt.Fprintf(&b, `<rect width="600" height="400" fill="hsl(%d,55%%,90%%)"/>`, hue)
	// Five dots whose places and sizes come from the hash.
	fmt.Fprintf(&b, `<g fill="hsl(%d,50%%,78%%)">`, (hue+30)%360)
	for i := range 5 {
		v := sum >> (i * 11)
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d"/>`, 20+int(v%560), 20+int(v>>4%360), 10+int(v>>8%28))
	}
	b.WriteString(`</g>`)
	fmt.Fprintf(&b, `<g transform="translate(200 200) rotate(%d) scale(%.2f)" fill="hsl(%d,45%%,38%%)">%s</g>`, tilt, scale, hue, shape)
	fmt.Fprintf(&b, `<text x="450" y="238" font-family="system-ui,sans-serif" font-size="110" font-weight="700" text-anchor="middle" fill="hsl(%d,50%%,24%%)">%s</text>`, hue, initials(name))
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// writeDemoPictures writes every demo product's picture at the path its
// image_url names (shop.DemoImageURL), under dist, for a site that ships
// product images (a src/images folder): the storefront, not every page set
// built with this package.
func writeDemoPictures(src, out string, res *Result) error {
	if _, err := os.Stat(filepath.Join(src, site.ImagesDir)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	for _, p := range shop.DemoCatalog() {
		name := strings.TrimPrefix(p.ImageURL, "/")
		if !strings.HasPrefix(name, "images/") {
			return fmt.Errorf("demo product %s: image_url %q is not a site image", p.SKU, p.ImageURL)
		}
		if err := res.write(out, name, picture(p.SKU, p.Name, p.Category), nil); err != nil {
			return err
		}
	}
	return nil
}
