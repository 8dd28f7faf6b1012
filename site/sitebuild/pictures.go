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
// chef's knife showed the kitchen's mug): what the product is gives the shape, a hash
// of the SKU its colour, tilt and the dots around it, and the name its
// initials; the shape is the product's own (a knife, a pan) where its SKU
// names one, else its category's. They are plain, inert SVG of the product frame's 3:2 shape.

// productShapes are what a demo product is, keyed by its SKU's first word
// (KNIFE-CHEF is a knife). Each is drawn in a 200 × 200 box centred on (0, 0),
// filled and stroked with the product's colour (stroke-width 0 unless set);
// white details are lighter parts.
var productShapes = map[string]string{
	"tee":     `<path d="M-40-80h80l60 35-25 45-25-15v95h-100v-95l-25 15-25-45z"/>`,
	"hood":    `<path d="M-40-80h80l60 35-25 45-25-15v95h-100v-95l-25 15-25-45z"/><path d="M-30-80a30 30 0 0 0 60 0z" fill="#fff" fill-opacity=".4"/><path d="M0-50v130" stroke="#fff" stroke-opacity=".6" stroke-width="5"/>`,
	"cap":     `<path d="M-80 20a80 80 0 0 1 160 0z"/><rect x="-80" y="14" width="190" height="16" rx="8"/>`,
	"sock":    `<path d="M-30-90h50v105l45 35a24 24 0 0 1-24 42l-71-52z"/><path d="M-30-70h50" stroke="#fff" stroke-opacity=".5" stroke-width="10"/>`,
	"jacket":  `<path d="M-40-85h80l60 40v125h-28v-95h-7v105h-110v-105h-7v95h-28v-125z"/><path d="M0-80v160" stroke="#fff" stroke-opacity=".6" stroke-width="5"/>`,
	"mug":     `<rect x="-70" y="-60" width="110" height="130" rx="14"/><path d="M40-30h20a30 30 0 0 1 0 60h-20v-16h20a14 14 0 0 0 0-28h-20z"/>`,
	"knife":   `<path d="M-105 15C-50-25 0-40 35-40v55z"/><rect x="35" y="-32" width="70" height="40" rx="12" fill-opacity=".75"/>`,
	"pan":     `<circle cx="-25" r="68"/><circle cx="-25" r="48" fill="#fff" fill-opacity=".25"/><rect x="38" y="-11" width="75" height="22" rx="11"/>`,
	"board":   `<rect x="-90" y="-60" width="180" height="120" rx="16"/><circle cx="65" cy="-35" r="9" fill="#fff" fill-opacity=".7"/><path d="M-70-10h110M-70 15h120M-70 40h90" stroke="#fff" stroke-opacity=".3" stroke-width="4"/>`,
	"kettle":  `<path d="M-60 70h110l-12-95h-86z"/><path d="M45-5l55-55 9 9-50 62z"/><rect x="-42" y="-55" width="70" height="14" rx="7"/>`,
	"towel":   `<rect x="-80" y="-70" width="120" height="150" rx="6"/><rect x="-40" y="-50" width="120" height="150" rx="6" fill-opacity=".6"/><path d="M-40 70h120" stroke="#fff" stroke-opacity=".6" stroke-width="8"/>`,
	"book":    `<rect x="-65" y="-85" width="130" height="170" rx="8"/><rect x="-65" y="-85" width="22" height="170" fill-opacity=".35" fill="#000"/>`,
	"bottle":  `<rect x="-32" y="-50" width="64" height="140" rx="20"/><rect x="-17" y="-88" width="34" height="36" rx="6"/>`,
	"tent":    `<path d="M-100 70L0-80 100 70z"/><path d="M0-20l-28 90h56z" fill="#fff" fill-opacity=".4"/>`,
	"lamp":    `<ellipse rx="95" ry="32" fill-opacity=".45"/><circle r="40"/><circle r="22" fill="#fff" fill-opacity=".7"/>`,
	"pack":    `<rect x="-60" y="-70" width="120" height="150" rx="30"/><rect x="-40" y="10" width="80" height="50" rx="10" fill="#fff" fill-opacity=".35"/><path d="M-25-70a25 25 0 0 1 50 0" fill="none" stroke-width="10"/>`,
	"stool":   `<rect x="-75" y="-50" width="150" height="18" rx="8"/><path d="M-55-32l105 110M55-32l-105 110" stroke-width="14" stroke-linecap="round"/>`,
	"mat":     `<rect x="-95" y="-30" width="150" height="60" rx="6"/><circle cx="55" r="32"/><circle cx="55" r="13" fill="#fff" fill-opacity=".5"/>`,
	"cable":   `<path d="M-95 30c45-110 85 70 135-30" fill="none" stroke-width="12" stroke-linecap="round"/><rect x="38" y="-26" width="45" height="24" rx="4"/><rect x="83" y="-19" width="16" height="10"/>`,
	"charger": `<rect x="-50" y="-45" width="100" height="115" rx="16"/><rect x="-28" y="-85" width="12" height="40"/><rect x="16" y="-85" width="12" height="40"/>`,
	"earbuds": `<circle cx="-40" cy="-25" r="28"/><rect x="-52" y="-10" width="18" height="85" rx="9"/><circle cx="40" cy="-25" r="28"/><rect x="34" y="-10" width="18" height="85" rx="9"/>`,
	"keyb":    `<rect x="-100" y="-48" width="200" height="96" rx="10"/><path d="M-84-22h168M-84 2h168M-50 26h100" stroke="#fff" stroke-opacity=".6" stroke-width="14" stroke-dasharray="18 5"/>`,
	"mouse":   `<rect x="-45" y="-75" width="90" height="150" rx="45"/><path d="M0-75v55" stroke="#fff" stroke-opacity=".6" stroke-width="6"/>`,
	"speaker": `<rect x="-60" y="-80" width="120" height="160" rx="20"/><circle cy="20" r="35" fill="#fff" fill-opacity=".4"/><circle cy="-45" r="12" fill="#fff" fill-opacity=".4"/>`,
	"candle":  `<rect x="-40" y="-30" width="80" height="110" rx="8"/><path d="M0-95c18 20 18 40 0 50c-18-10-18-30 0-50z" fill-opacity=".7"/>`,
	"throw":   `<rect x="-85" y="-55" width="170" height="110" rx="10"/><path d="M-85 20h170M-85-20h170" stroke="#fff" stroke-opacity=".5" stroke-width="8" stroke-dasharray="14 8"/>`,
	"plant":   `<path d="M-55-10h110l-18 90h-74z"/><path d="M0-10c-40-40-30-70 0-80c30 10 40 40 0 80z" fill-opacity=".7"/>`,
	"clock":   `<circle r="80"/><path d="M0-50v50h35" fill="none" stroke="#fff" stroke-width="9" stroke-linecap="round"/>`,
	"frame":   `<rect x="-75" y="-85" width="150" height="170"/><rect x="-55" y="-65" width="110" height="130" fill="#fff" fill-opacity=".5"/>`,
	"vase":    `<path d="M-25-85h50v25c40 30 45 110 10 145h-70c-35-35-30-115 10-145z"/>`,
}

// categoryShapes are for a product whose SKU names no shape of its own.
var categoryShapes = map[string]string{
	"apparel":     productShapes["tee"],
	"kitchen":     productShapes["mug"],
	"books":       productShapes["book"],
	"outdoor":     `<path d="M-95 70l65-110 40 60 25-35 60 85z"/><circle cx="55" cy="-55" r="22"/>`,
	"electronics": `<rect x="-55" y="-90" width="110" height="180" rx="18"/><rect x="-42" y="-70" width="84" height="125" rx="4" fill="#fff" fill-opacity=".5"/>`,
	"home":        `<path d="M0-90l95 80h-25v90h-140v-90h-25z"/><rect x="-18" y="30" width="36" height="50" fill="#fff" fill-opacity=".5"/>`,
}

// defaultShape is for a product with neither.
const defaultShape = `<circle r="80"/>`

func shapeOf(sku, category string) string {
	word, _, _ := strings.Cut(strings.ToLower(sku), "-")
	if s, ok := productShapes[word]; ok {
		return s
	}
	if s, ok := categoryShapes[category]; ok {
		return s
	}
	return defaultShape
}

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
	shape := shapeOf(sku, category)
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
	fmt.Fprintf(&b, `<g transform="translate(200 200) rotate(%d) scale(%.2f)" fill="hsl(%[3]d,45%%,38%%)" stroke="hsl(%[3]d,45%%,38%%)" stroke-width="0">%[4]s</g>`, tilt, scale, hue, shape)
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
