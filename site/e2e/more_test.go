package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/site"
)

// A retry after a lost response replays the first order: the service placed
// it, the browser never heard back, and pressing "Place order" again must not
// place a second one. This is the Idempotency-Key at work, not the disabled
// button.
func TestRetryAfterLostResponsePlacesOneOrder(t *testing.T) {
	tb := newTab(t)
	email, password := tb.register("Flaky Network")
	tb.addToCart("mug", 2)
	before := stockOf(t, "mug")
	tb.checkout()

	// Drop the response of the first POST /api/orders after the service has
	// answered it; let everything else through.
	paused := chromedp.Events(tb.ctx, fetch.RequestPaused)
	_, err := chromedp.Call(tb.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/api/orders", RequestStage: fetch.RequestStageResponse},
	}})
	require.NoError(t, err)
	var dropped atomic.Int32
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if ev.Request.Method == http.MethodPost && dropped.Add(1) == 1 {
				_, _ = chromedp.Call(tb.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
				continue
			}
			_, _ = chromedp.Call(tb.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()

	tb.click("#place-order")
	tb.untilText(".msg-error", "couldn't reach the shop")
	tb.untilText(".msg-error", "never creates a second order")
	tb.shot("checkout-network-error")
	require.Len(t, ordersOf(t, email, password), 1, "the first attempt did reach the service")

	tb.click("#place-order")
	tb.untilText("h1", "Thank you")
	assert.EqualValues(t, 2, dropped.Load(), "the retry went to the service")
	orders := ordersOf(t, email, password)
	require.Len(t, orders, 1, "the retry placed a second order")
	assert.Contains(t, tb.path(), "/orders/"+orders[0].ID)
	assert.Equal(t, before-2, stockOf(t, "mug"), "stock was taken once")
}

// The CloudFront Function is JavaScript; run it in the browser and check it
// routes exactly as site.SPAFallback, which shop serve uses locally.
func TestCloudFrontFunctionMatchesSPAFallback(t *testing.T) {
	if noBrowser != "" {
		t.Skip(noBrowser)
	}
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	paths := []string{"/", "/products/42", "/products/42/", "/cart", "/orders", "/orders/abc-def", "/checkout",
		"/index.html", "/favicon.ico", "/assets/app-ABCDEFGH.js", "/assets/missing", "/assets", "/api", "/api/products",
		"/api/orders/1/cancel", "/apiary", "/assetsx/y", "/v1.2/notes", "/products/v1.2"}
	in, err := json.Marshal(paths)
	require.NoError(t, err)
	expr := fmt.Sprintf(`(() => { %s; return %s.map(u => handler({request: {uri: u}}).uri); })()`, site.CloudFrontFunctionCode, in)
	runCtx, cancelRun := context.WithTimeout(ctx, step)
	defer cancelRun()
	got, err := chromedp.Run(runCtx, chromedp.Evaluate[[]string](expr))
	require.NoError(t, err)
	require.Len(t, got, len(paths))
	for i, p := range paths {
		want := p
		if site.SPAFallback(p) {
			want = "/index.html"
		}
		assert.Equal(t, want, got[i], "CloudFront Function rewrites %s", p)
	}
}

// Every page of the storefront passes an accessibility audit: one h1,
// labelled fields, named buttons and links, alt text on images, a lang, AA
// text contrast, and no sideways scrolling at 360 px.
func TestAccessibility(t *testing.T) {
	tb := newTab(t)
	audit := func(page string) {
		t.Helper()
		problems := eval[[]string](tb, `(() => {
			const p = [];
			if (!document.documentElement.lang) p.push('html has no lang');
			if (document.querySelectorAll('h1').length !== 1) p.push(document.querySelectorAll('h1').length + ' h1 elements');
			for (const i of document.querySelectorAll('input, select, textarea')) {
				if (!(i.labels && i.labels.length) && !i.getAttribute('aria-label')) p.push('unlabelled ' + i.outerHTML);
			}
			for (const b of document.querySelectorAll('button, a[href]')) {
				if (!(b.innerText.trim() || b.getAttribute('aria-label'))) p.push('unnamed ' + b.outerHTML);
			}
			for (const i of document.images) if (!i.hasAttribute('alt')) p.push('no alt ' + i.outerHTML);
			if (!document.querySelector('main')) p.push('no main landmark');
			return p;
		})()`)
		assert.Empty(t, problems, page)
		assert.Empty(t, eval[[]string](tb, contrastAudit), "%s: text below WCAG AA contrast", page)
		// Usable at 360 px: nothing makes the page scroll sideways.
		tb.do(chromedp.EmulateViewport(360, 740))
		assert.LessOrEqual(t, eval[int](tb, `document.documentElement.scrollWidth`), 360, "%s scrolls sideways at 360 px", page)
		tb.do(chromedp.EmulateViewport(1280, 900))
	}
	tb.open("/")
	tb.until("the catalog grid", `document.querySelectorAll('.card').length > 0`)
	audit("catalog")

	// Keyboard: the first Tab reaches the skip link, and it is visible.
	tb.do(chromedp.KeyEvent("\t"))
	assert.Equal(t, "Skip to content", eval[string](tb, `document.activeElement.innerText`))
	assert.Greater(t, eval[float64](tb, `document.activeElement.getBoundingClientRect().top`), 0.0, "the focused skip link is on screen")

	tb.open("/products/" + products["tee"].ID)
	tb.untilText("h1", "Aurora T-shirt")
	audit("product")
	tb.addToCart("tee", 1)
	tb.open("/cart")
	tb.until("the cart", `document.querySelectorAll('.line').length === 1`)
	audit("cart")
	tb.open("/login")
	tb.until("the form", `document.querySelector('#email')`)
	tb.click("form.auth button[type=submit]")
	tb.untilText(".msg-error", "Email is required")
	audit("login with an error")
	tb.open("/register")
	tb.until("the form", `document.querySelector('#email')`)
	audit("register")
	tb.open("/checkout")
	tb.untilText("main", "to place your order")
	audit("checkout (signed out)")
	tb.open("/nowhere/at/all")
	tb.untilText("h1", "Page not found")
	audit("not found")
	tb.open("/returns")
	tb.untilText("main", "within")
	audit("returns")
	tb.open("/admin")
	tb.untilText("h1", "Please log in")
	audit("console (signed out)")
}

// Stock on the product page is live: when the last units sell elsewhere, the
// open page says "Sold out" and disables the button without a reload.
func TestProductPageStockIsLive(t *testing.T) {
	tb := newTab(t)
	tb.open("/products/" + products["kite"].ID)
	tb.untilText(".stock", "Only 4 left")
	require.NoError(t, admin.call(http.MethodPost, "/api/admin/products/"+products["kite"].ID+"/stock",
		map[string]int{"delta": -4}, nil, http.StatusOK))
	tb.untilText(".stock", "Sold out")
	assert.True(t, eval[bool](tb, `document.querySelector('form.buy button').disabled`))
}

// contrastAudit lists visible text whose contrast with the background behind
// it is under WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
// Disabled controls are exempt, as WCAG says.
const contrastAudit = `(() => {
	const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => {
		const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
		return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
	};
	const bgOf = (el) => {
		for (let e = el; e; e = e.parentElement) {
			const c = rgb(getComputedStyle(e).backgroundColor);
			if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
		}
		return [255, 255, 255];
	};
	const bad = [];
	for (const el of document.querySelectorAll('body *')) {
		if (el.closest('[disabled]') || el.closest('.sr-only')) continue;
		const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
		const r = el.getBoundingClientRect();
		if (!own || r.width === 0 || r.height === 0) continue;
		const cs = getComputedStyle(el);
		if (cs.visibility === 'hidden') continue;
		const fg = rgb(cs.color).slice(0, 3);
		const [a, b] = [lum(fg), lum(bgOf(el))].sort((x, y) => y - x);
		const ratio = (a + 0.05) / (b + 0.05);
		const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
		const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
		if (ratio < need) bad.push(el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
	}
	return bad;
})()`
