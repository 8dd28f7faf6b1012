package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tab is one shopper: a tab in its own browser context (cookies and storage
// are not shared with other tabs), with the page's console watched.
type tab struct {
	t   *testing.T
	ctx context.Context
	// base, when set, is the shop the tab opens pages of; default baseURL.
	base string

	mu       sync.Mutex
	problems []string
}

// step bounds one browser action; generous because `make test` runs every
// package at once on a small machine.
const step = 30 * time.Second

func newTab(t *testing.T) *tab {
	t.Helper()
	if noBrowser != "" {
		t.Skip(noBrowser)
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	// The page must run clean: no uncaught exception, no CSP or Trusted Types
	// violation. Failed requests (a 401 from /api/me, a 409) are expected.
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			text := m.String()
			if m.IsException() || m.Source == "security" ||
				strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Trusted Type") {
				tb.mu.Lock()
				tb.problems = append(tb.problems, text)
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return tb
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fail("%v", err)
	}
}

// fail stops the test with a screenshot of the page as it was.
func (tb *tab) fail(format string, args ...any) {
	tb.t.Helper()
	tb.shot("FAILED-" + sanitize(tb.t.Name()))
	body := tb.evalNoFail(`document.querySelector('main') ? document.querySelector('main').innerText : ''`)
	tb.t.Fatalf(format+"\nURL: %s\nmain: %s", append(args, tb.evalNoFail(`location.href`), body)...)
}

func (tb *tab) evalNoFail(expr string) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	return v
}

func (tb *tab) open(path string) {
	tb.t.Helper()
	base := baseURL
	if tb.base != "" {
		base = tb.base // another shop instance (payments_test.go)
	}
	tb.do(chromedp.Navigate(base + path))
}

// eval runs JavaScript in the page and returns its JSON value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.fail("evaluate %s: %v", expr, err)
	}
	return v
}

// until waits for a JavaScript condition. (chromedp.Poll compiles its
// predicate with new Function, which the site's CSP rightly forbids.)
func (tb *tab) until(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(step)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.fail("waited %s for %s (%s): %v", step, what, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// untilText waits until the element matching css contains text.
func (tb *tab) untilText(css, text string) {
	tb.t.Helper()
	tb.until(fmt.Sprintf("%q in %s", text, css),
		fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.innerText.includes(%s))`, js(css), js(text)))
}

func (tb *tab) text(css string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%s) || {innerText: ''}).innerText`, js(css)))
}

func (tb *tab) click(css string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// clickText clicks the first element matching css whose text contains text.
func (tb *tab) clickText(css, text string) {
	tb.t.Helper()
	sel := fmt.Sprintf(`[...document.querySelectorAll(%s)].find(e => e.innerText.includes(%s))`, js(css), js(text))
	tb.do(chromedp.Click(chromedp.JSPath(sel), chromedp.NodeVisible))
}

func (tb *tab) fill(css, value string) {
	tb.t.Helper()
	// Clear does not empty a number input; typing goes through SendKeys so
	// the page sees real key events.
	eval[bool](tb, fmt.Sprintf(`(e => { e.value = ''; return true })(document.querySelector(%s))`, js(css)))
	tb.do(chromedp.SendKeys(chromedp.CSS(css), value))
}

// shot saves a screenshot of the whole page under artifacts/screenshots.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	// Let pending image loads settle (they fail fast: tests run offline).
	_ = chromedp.Do(ctx, chromedp.Sleep(150*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(shotDir(), 0o755); err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(shotDir(), name+".png"), png, 0o644); err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
	}
}

func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname + location.search`)
}

// register creates an account through the page and returns its credentials.
func (tb *tab) register(name string) (email, password string) {
	tb.t.Helper()
	email, password = sanitize(name)+"-"+randHex(4)+"@e2e.test", "pw-"+randHex(8)
	tb.open("/register")
	tb.until("the register form", `document.querySelector('#email')`)
	tb.fill("#name", name)
	tb.fill("#email", email)
	tb.fill("#password", password)
	tb.click("form.auth button[type=submit]")
	tb.untilText("#account", "Log out")
	return email, password
}

// addToCart opens a product page and adds qty of it.
func (tb *tab) addToCart(key string, qty int) {
	tb.t.Helper()
	p := products[key]
	tb.open("/products/" + p.ID)
	tb.untilText("h1", p.Name)
	tb.until("the add button", `document.querySelector('form.buy button') && !document.querySelector('form.buy button').disabled`)
	tb.fill("#qty", fmt.Sprint(qty))
	tb.click("form.buy button")
	tb.untilText(".msgs", "Added")
}

// imagesHaveSize checks that every image reserves its space before loading.
func (tb *tab) imagesHaveSize() {
	tb.t.Helper()
	bad := eval[[]string](tb, `[...document.images].filter(i => !(i.getAttribute('width') && i.getAttribute('height'))).map(i => i.outerHTML)`)
	if len(bad) > 0 {
		tb.t.Errorf("images without width and height: %v", bad)
	}
}

// untilSettled waits until the current view has finished loading (the router
// clears aria-busy on main when the view's work is done).
func (tb *tab) untilSettled() {
	tb.t.Helper()
	tb.until("the page to settle", `!document.querySelector('main').hasAttribute('aria-busy')`)
}

// checkout opens the checkout page, waits until it can take an order and
// fills in the delivery address the checkout requires.
func (tb *tab) checkout() {
	tb.t.Helper()
	tb.open("/checkout")
	tb.until("the place order button", `document.querySelector('#place-order')`)
	tb.untilSettled()
	tb.fillAddress(testAddress)
}

// address is the API's shipping_address.
type address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

var testAddress = address{Name: "Ada Lovelace", Line1: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "GB"}

// fillAddress types a delivery address into the checkout form.
func (tb *tab) fillAddress(a address) {
	tb.t.Helper()
	for id, v := range map[string]string{"name": a.Name, "line1": a.Line1, "line2": a.Line2, "city": a.City, "region": a.Region, "postal_code": a.PostalCode} {
		eval[bool](tb, fmt.Sprintf(`(e => { e.value = ''; return true })(document.querySelector('form.checkout #%s'))`, id))
		if v != "" {
			tb.do(chromedp.SendKeys(chromedp.CSS("form.checkout #"+id), v))
		}
	}
	tb.do(chromedp.SetValue(chromedp.CSS("form.checkout #country"), a.Country))
}
