package e2e_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docsDir holds the screenshots the READMEs show (committed, unlike artifacts/).
const docsDir = repoRoot + "/site/docs"

// UpdateDocsEnv, set to 1, makes docShot write into site/docs (to retake the READMEs'
// screenshots: `SHOP_UPDATE_DOCS=1 go test ./site/e2e/`); otherwise a run writes only into the
// git-ignored artifacts folder, so tests never change tracked files.
const UpdateDocsEnv = "SHOP_UPDATE_DOCS"

// docShot saves the page at 1280 and 360 px wide (into site/docs with SHOP_UPDATE_DOCS=1).
func (tb *tab) docShot(name string) {
	tb.t.Helper()
	dir := shotDir()
	if os.Getenv(UpdateDocsEnv) == "1" {
		dir = docsDir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	for _, w := range []int64{1280, 360} {
		h := int64(900)
		if w == 360 {
			h = 740
		}
		tb.do(chromedp.EmulateViewport(w, h))
		tb.do(chromedp.Sleep(200 * time.Millisecond))
		png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			tb.t.Errorf("screenshot %s: %v", name, err)
			continue
		}
		file := fmt.Sprintf("%s/%s-%d.png", dir, name, w)
		if w == 1280 {
			file = fmt.Sprintf("%s/%s.png", dir, name)
		}
		if err := os.WriteFile(file, png, 0o644); err != nil {
			tb.t.Errorf("screenshot %s: %v", name, err)
		}
		if w == 360 {
			assert.LessOrEqual(tb.t, eval[int](tb, `document.documentElement.scrollWidth`), 360, "%s scrolls sideways at 360 px", name)
		}
	}
	tb.do(chromedp.EmulateViewport(1280, 900))
}

// loginPage signs in through the login page.
func (tb *tab) loginPage(email, password string) {
	tb.t.Helper()
	tb.open("/login")
	tb.until("the login form", `document.querySelector('#email')`)
	tb.fill("#email", email)
	tb.fill("#password", password)
	tb.click("form.auth button[type=submit]")
	tb.untilText("#account", "Log out")
}

// testPicture writes a 900 × 600 PNG (wider than tall, so the square crop
// shows) and returns its path.
func testPicture(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := range 600 {
		for x := range 900 {
			img.Set(x, y, color.RGBA{R: uint8(x / 4), G: uint8(120 + y/6), B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	file := filepath.Join(t.TempDir(), "harbour-lamp.png")
	require.NoError(t, os.WriteFile(file, b.Bytes(), 0o644))
	return file
}

// The console is for the store owner: a visitor is asked to log in, a shopper
// is refused, and neither sees product management.
func TestConsoleRefusesShoppers(t *testing.T) {
	tb := newTab(t)
	tb.open("/admin")
	tb.untilText("h1", "Please log in")
	assert.False(t, eval[bool](tb, `!!document.querySelector('.admin-table, .admin-form, .subnav')`), "a visitor sees no console")
	assert.True(t, eval[bool](tb, `document.querySelector('#admin-link').hidden`), "no console link for a visitor")

	tb.register("Curious Shopper")
	tb.open("/admin/orders")
	tb.untilText("h1", "This page is for the store owner")
	assert.False(t, eval[bool](tb, `!!document.querySelector('.admin-table, .admin-form, .subnav, .admin-orders')`), "a shopper sees no console")
	assert.True(t, eval[bool](tb, `document.querySelector('#admin-link').hidden`), "no console link for a shopper")
	tb.docShot("admin-refused")
}

// The owner creates a product in the console and uploads its picture; a
// shopper finds it with that picture, orders it to an address, sees the order
// number and downloads the invoice; the owner sees the order and cancels it.
func TestConsoleProductToInvoice(t *testing.T) {
	owner := newTab(t)
	owner.loginPage(adminEmail, adminPassword)
	owner.until("the console link", `!document.querySelector('#admin-link').hidden`)
	owner.click("#admin-link a")
	owner.untilText("h1", "Products")
	owner.until("the product list", `document.querySelectorAll('.admin-table tbody tr').length > 0`)
	owner.docShot("admin-products")

	// Low stock: only products with at most 1 left.
	owner.fill("#admin-low", "1")
	owner.click("form.admin-filters button[type=submit]")
	owner.until("the low-stock list", `location.search.includes('low_stock=1') && !document.querySelector('main [aria-busy]')`)
	owner.untilSettled()
	low := eval[[]string](owner, `[...document.querySelectorAll('.admin-table tbody th a')].map(a => a.innerText)`)
	assert.Contains(t, low, "Gone Globe")
	assert.NotContains(t, low, "Aurora Mug", "40 in stock is not low")

	// Create: the API's answer (the SKU is taken) lands on the SKU field.
	owner.click(".admin-head a.btn-primary")
	owner.untilText("h1", "New product")
	owner.click("form.admin-form button[type=submit]")
	owner.until("every missing field at once", `document.querySelectorAll('.field-error:not(:empty)').length >= 4`)
	owner.fill("#sku", "E2E-AURORA-MUG")
	owner.fill("#name", "Harbour Lamp")
	owner.fill("#description", "A brass lamp for the end-to-end tests.")
	owner.fill("#price_cents", "64.50")
	owner.fill("#category", "e2e-lighting")
	owner.fill("#stock", "7")
	owner.click("form.admin-form button[type=submit]")
	owner.untilText("#sku-error", "already exists")
	assert.Equal(t, "true", eval[string](owner, `document.querySelector('#sku').getAttribute('aria-invalid')`))
	owner.docShot("admin-new-product")
	owner.fill("#sku", "E2E-HARBOUR-LAMP")
	owner.click("form.admin-form button[type=submit]")
	owner.untilText(".msg-ok", "Product created")
	id := strings.TrimPrefix(regexp.MustCompile(`/admin/products/[^/?]+`).FindString(owner.path()), "/admin/products/")
	require.NotEmpty(t, id)

	// Picture: a wrong type is refused before anything is sent.
	bad := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(bad, []byte("not a picture"), 0o644))
	owner.do(chromedp.SetUploadFiles(chromedp.CSS("#picture"), []string{bad}))
	owner.untilText(".panel", "is not a JPEG, PNG or WebP picture")
	assert.True(t, eval[bool](owner, `document.querySelector('.admin-upload button').disabled`))
	owner.do(chromedp.SetUploadFiles(chromedp.CSS("#picture"), []string{testPicture(t)}))
	owner.until("the preview", `document.querySelector('.admin-preview canvas')`)
	owner.untilText(".admin-preview", "900 × 600")
	owner.click(".admin-upload button")
	owner.untilText(".panel", "The new picture is in the shop.")
	owner.until("the new picture with its sizes", `(document.querySelector('.admin-picture img') || {}).srcset?.includes('160w')`)

	// Stock: a delivery, with its reason, in the history.
	owner.fill("#delta", "5")
	owner.fill("#reason", "Delivery received")
	owner.click("form[aria-label='Adjust stock'] button[type=submit]")
	owner.untilText("#stock-now", "12")
	owner.untilText(".movements", "Delivery received")
	row := eval[string](owner, `document.querySelector('.movements tbody tr').innerText`)
	assert.Contains(t, row, "+5")
	assert.Contains(t, row, adminEmail)
	owner.docShot("admin-product")

	// Edit: only the price changes, and the page says so.
	owner.fill("#price_cents", "59.00")
	owner.click("form[aria-label='Product details'] button[type=submit]")
	owner.untilText("form[aria-label='Product details'] .msgs", "Saved.")
	var edited product
	require.NoError(t, newClient().call(http.MethodGet, "/api/products/"+id, nil, &edited, http.StatusOK))
	assert.EqualValues(t, 5900, edited.PriceCents)
	assert.Equal(t, "Harbour Lamp", edited.Name)

	// Search in the console finds it by name.
	owner.open("/admin?q=Harbour")
	owner.until("the search result", `[...document.querySelectorAll('.admin-table tbody th a')].map(a => a.innerText).join() === 'Harbour Lamp'`)

	// The shopper finds it, with that picture.
	shopper := newTab(t)
	shopper.open("/?q=Harbour")
	shopper.until("the result", `[...document.querySelectorAll('.card-name')].some(e => e.innerText === 'Harbour Lamp')`)
	img := eval[map[string]string](shopper, `(i => ({src: i.getAttribute('src'), srcset: i.srcset, loading: i.loading, w: i.getAttribute('width'), h: i.getAttribute('height')}))(document.querySelector('.card img'))`)
	var p struct {
		Images map[string]string `json:"images"`
	}
	require.NoError(t, newClient().call(http.MethodGet, "/api/products/"+id, nil, &p, http.StatusOK))
	require.NotEmpty(t, p.Images["card"])
	assert.Equal(t, p.Images["card"], img["src"])
	assert.Contains(t, img["srcset"], p.Images["thumb"]+" 160w")
	assert.Contains(t, img["srcset"], p.Images["full"]+" 1200w")
	assert.Equal(t, "eager", img["loading"], "the first picture is not lazy")
	assert.Equal(t, "480", img["w"])
	assert.Equal(t, "480", img["h"])
	shopper.until("the picture to load", `document.querySelector('.card img').complete && document.querySelector('.card img').naturalWidth > 0`)

	// It orders it to an address; the API's check of the address comes back per field.
	email, password := shopper.register("Grace Hopper")
	products["harbour"] = product{ID: id, Name: "Harbour Lamp"}
	shopper.addToCart("harbour", 2)
	shopper.checkout()
	eval[bool](shopper, `(e => { e.value = 'x'.repeat(300); return true })(document.querySelector('#line1'))`)
	shopper.click("#place-order")
	shopper.until("the address refused on its field", `document.querySelector('#line1').getAttribute('aria-invalid') === 'true' && document.querySelector('#line1-error').innerText !== ''`)
	assert.Empty(t, ordersOf(t, email, password), "nothing was ordered")
	shopper.fill("#line1", testAddress.Line1)
	shopper.docShot("checkout")
	shopper.click("#place-order")
	shopper.untilText("h1", "Thank you")
	shopper.untilText(".order-number", "SH-")
	number := regexp.MustCompile(`SH-\d+`).FindString(shopper.text(".order-number"))
	require.NotEmpty(t, number)
	assert.Contains(t, shopper.text(".ship-to"), "St James's Square")
	assert.Equal(t, "Continue shopping", shopper.text(".actions .btn-primary"), "the confirmation's primary action")
	shopper.docShot("order-confirmation")

	// The invoice, downloaded by the browser, read back.
	dir := filepath.Join(tmpDir, "downloads-"+randHex(3))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	_, err := chromedp.CallBrowser(shopper.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(shopper.ctx).BrowserContextID, DownloadPath: dir,
	})
	require.NoError(t, err)
	shopper.click("#invoice")
	shopper.untilText(".msgs", "Invoice downloaded.")
	text := pdfText(t, waitForPDF(t, dir))
	assert.Contains(t, text, number)
	assert.Contains(t, text, "Harbour Lamp")
	assert.Contains(t, text, "London")
	assert.Contains(t, text, shopName)

	// The owner sees it with its customer and address, and cancels it for them.
	owner.open("/admin/orders?status=placed")
	owner.until("the order", fmt.Sprintf(`[...document.querySelectorAll('.order-no')].some(e => e.innerText === %s)`, js(number)))
	owner.clickText(".admin-order summary", number)
	detail := fmt.Sprintf(`[...document.querySelectorAll('.admin-order')].find(li => li.querySelector('.order-no').innerText === %s)`, js(number))
	owner.until("the customer", detail+`.innerText.includes(`+js(email)+`)`)
	assert.Contains(t, eval[string](owner, detail+`.innerText`), "SW1Y 4JH")
	assert.Contains(t, eval[string](owner, detail+`.innerText`), "2 × Harbour Lamp")
	owner.docShot("admin-orders")
	owner.do(chromedp.Click(chromedp.JSPath(detail+`.querySelector('.btn-danger')`), chromedp.NodeVisible))
	owner.do(chromedp.Click(chromedp.JSPath(detail+`.querySelector('[role=group] .btn-danger')`), chromedp.NodeVisible))
	owner.until("cancelled", detail+`.innerText.includes('was cancelled')`)
	orders := ordersOf(t, email, password)
	require.Len(t, orders, 1)
	assert.Equal(t, "cancelled", orders[0].Status)
	assert.Equal(t, 12, stockOf(t, "harbour"), "the stock came back")
}

// waitForPDF waits for the browser to finish writing a PDF into dir.
func waitForPDF(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(step)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && bytes.HasPrefix(b, []byte("%PDF")) && bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
				return filepath.Join(dir, e.Name())
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no PDF downloaded into %s within %s", dir, step)
	return ""
}

func pdfText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", file, "-").CombinedOutput()
	require.NoError(t, err, "pdftotext: %s", out)
	return string(out)
}
