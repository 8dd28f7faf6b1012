// Package e2e_test drives the storefront in a real headless Chromium against
// a real `shop serve` on a fresh PostgreSQL database.
package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/site/sitebuild"
)

// Set by TestMain for the tests.
var (
	baseURL  string
	browser  context.Context // a started browser; each test opens its own browser contexts
	products = map[string]product{}
	admin    *client // signed in as the admin
	// adminEmail and adminPassword sign the store owner in through the pages.
	adminEmail, adminPassword string
	// tmpDir holds what the run writes (downloads, the media store).
	tmpDir string
	// noBrowser is why the browser tests cannot run; set only outside CI.
	noBrowser string
	// shopBin, siteDist and appDBURL let a test start another `shop serve` on the same
	// database (payments_test.go: one with Stripe payments on).
	shopBin, siteDist, appDBURL string
)

// repoRoot is where go build and the screenshot folder are, from site/e2e.
const repoRoot = "../.."

// The shop's details the service is started with.
const (
	shopName    = "Quayside Goods"
	shopAddress = "4 Harbour Row, Bristol BS1 5TX, United Kingdom"
	shopEmail   = "help@quayside.e2e.test"
)

func chromePath() string {
	candidates := []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}
	if p := os.Getenv("CHROME_PATH"); p != "" {
		candidates = []string{p} // an explicit choice is not second-guessed
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: e2e setup:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	chrome := chromePath()
	if chrome == "" {
		msg := "Chromium not found ($CHROME_PATH, /usr/bin/chromium, /usr/bin/google-chrome): install the Debian package chromium"
		if os.Getenv("CI") == "true" {
			return 1, errors.New(msg)
		}
		noBrowser = msg
	}

	tmp, err := os.MkdirTemp("", "shop-e2e-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(tmp)

	dist := filepath.Join(tmp, "dist")
	if _, err := sitebuild.Build(sitebuild.Options{SrcDir: "../src", OutDir: dist}); err != nil {
		return 1, fmt.Errorf("build the site: %w", err)
	}
	// SHOP_BIN runs an already built binary (CI builds it once for every
	// package); by default the test builds the service from this checkout.
	shopBin = os.Getenv("SHOP_BIN")
	if shopBin == "" {
		shopBin = filepath.Join(tmp, "shop")
		build := exec.Command("go", "build", "-o", shopBin, "./app/cmd/shop")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			return 1, fmt.Errorf("go build ./app/cmd/shop: %w\n%s", err, out)
		}
	}

	dbURL, drop, err := pgtest.NewDatabaseForMain()
	if err != nil {
		return 1, err
	}
	defer func() {
		if err := drop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
		}
	}()

	addr, err := freeAddr()
	if err != nil {
		return 1, err
	}
	baseURL = "http://" + addr
	adminEmail, adminPassword = "admin-"+randHex(4)+"@e2e.test", randHex(16)
	tmpDir = tmp
	logPath := filepath.Join(tmp, "shop.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return 1, err
	}
	defer logFile.Close()
	// As deployed: `shop migrate` with the owner's credentials creates the schema and the
	// application role shop_app, and `shop serve` runs as that role (app/README.md).
	migrate := exec.Command(shopBin, "migrate")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	if out, err := migrate.CombinedOutput(); err != nil {
		return 1, fmt.Errorf("shop migrate: %w\n%s", err, out)
	}
	appURL, err := url.Parse(dbURL)
	if err != nil {
		return 1, err
	}
	appURL.User = url.User("shop_app")
	siteDist, appDBURL = dist, appURL.String()
	serve := exec.Command(shopBin, "serve")
	serve.Env = append(os.Environ(),
		"DATABASE_URL="+appURL.String(),
		"SHOP_ADDR="+addr,
		"SHOP_SITE_DIR="+dist,
		"SHOP_ADMIN_EMAIL="+adminEmail,
		"SHOP_ADMIN_PASSWORD="+adminPassword,
		// The shop's own details, for the content pages and the invoices.
		"SHOP_NAME="+shopName,
		"SHOP_ADDRESS="+shopAddress,
		"SHOP_CONTACT_EMAIL="+shopEmail,
		// Uploads, pictures and invoices go to the run's own folder.
		"SHOP_MEDIA_DIR="+filepath.Join(tmp, "media"),
	)
	serve.Stdout, serve.Stderr = logFile, logFile
	if err := serve.Start(); err != nil {
		return 1, fmt.Errorf("start shop serve: %w", err)
	}
	defer stop(serve)
	showLog := func(err error) error {
		b, _ := os.ReadFile(logPath)
		return fmt.Errorf("%w\nshop serve log:\n%s", err, tail(b, 4000))
	}
	if err := waitReady(baseURL+"/api/readyz", 60*time.Second); err != nil {
		return 1, showLog(err)
	}
	if err := seed(adminEmail, adminPassword); err != nil {
		return 1, showLog(err)
	}

	if noBrowser != "" {
		// The serving checks need no browser; the browser tests skip.
		return m.Run(), nil
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome),
		chromedp.UserDataDir(filepath.Join(tmp, "chrome")),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		return 1, fmt.Errorf("start Chromium %s: %w", chrome, err)
	}
	browser = ctx

	code := m.Run()
	if code != 0 {
		b, _ := os.ReadFile(logPath)
		fmt.Fprintf(os.Stderr, "shop serve log (tail):\n%s\n", tail(b, 6000))
	}
	return code, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func waitReady(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("shop serve not ready at %s after %s: %w", url, within, last)
}

// product is the API's Product.
type product struct {
	ID         string `json:"id"`
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
	Currency   string `json:"currency"`
	Stock      int    `json:"stock"`
	Category   string `json:"category"`
	ImageURL   string `json:"image_url"`
}

type order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Items  []struct {
		ProductID string `json:"product_id"`
		Quantity  int    `json:"quantity"`
	} `json:"items"`
}

// client is a shopper (or the admin) talking to the API directly, to set up
// and to check what the browser did.
type client struct{ http *http.Client }

func newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{http: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

func (c *client) call(method, path string, body, out any, want int) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, baseURL+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c *client) login(email, password string) error {
	return c.call(http.MethodPost, "/api/auth/login", map[string]string{"email": email, "password": password}, nil, http.StatusOK)
}

// seed creates the products the scenarios use. Names are unusual so that a
// demo catalog loaded by the service cannot collide with them.
func seed(adminEmail, adminPassword string) error {
	admin = newClient()
	if err := admin.login(adminEmail, adminPassword); err != nil {
		return fmt.Errorf("admin login: %w", err)
	}
	type np struct {
		key, sku, name, category string
		price                    int64
		stock                    int
		image                    string
	}
	list := []np{
		{"mug", "E2E-AURORA-MUG", "Aurora Mug", "e2e-kitchen", 1450, 40, ""},
		{"tee", "E2E-AURORA-TEE", "Aurora T-shirt", "e2e-apparel", 2200, 3, ""},
		{"scarf", "E2E-NIMBUS-SCARF", "Nimbus Scarf", "e2e-apparel", 3100, 5, ""},
		{"lantern", "E2E-LAST-LANTERN", "Last Lantern", "e2e-home", 4999, 1, ""},
		{"dice", "E2E-DOUBLE-DICE", "Double Dice", "e2e-games", 799, 5, ""},
		{"gone", "E2E-GONE-GLOBE", "Gone Globe", "e2e-home", 1999, 0, ""},
		{"kite", "E2E-LIVE-KITE", "Live Kite", "e2e-games", 2599, 4, ""},
	}
	for i := 1; i <= 14; i++ {
		list = append(list, np{fmt.Sprintf("bulk%02d", i), fmt.Sprintf("E2E-BULK-%02d", i), fmt.Sprintf("Quartz Pebble %02d", i), "e2e-bulk", int64(100 * i), 10 + i, ""})
	}
	for _, p := range list {
		var got product
		body := map[string]any{"sku": p.sku, "name": p.name, "description": "A product made for the end-to-end tests.",
			"price_cents": p.price, "currency": "USD", "stock": p.stock, "category": p.category, "image_url": p.image}
		if err := admin.call(http.MethodPost, "/api/admin/products", body, &got, http.StatusCreated); err != nil {
			return fmt.Errorf("seed %s: %w", p.sku, err)
		}
		products[p.key] = got
	}
	return nil
}

// newProduct creates a product for one test run under a fresh SKU and
// returns its key in products.
func newProduct(t *testing.T, name string, stock int) string {
	t.Helper()
	key := "run-" + randHex(4)
	var got product
	body := map[string]any{"sku": "E2E-RUN-" + strings.ToUpper(key[4:]), "name": name, "description": "A product made for one test run.",
		"price_cents": 799, "currency": "USD", "stock": stock, "category": "e2e-runs"}
	if err := admin.call(http.MethodPost, "/api/admin/products", body, &got, http.StatusCreated); err != nil {
		t.Fatal(err)
	}
	products[key] = got
	return key
}

func stockOf(t *testing.T, key string) int {
	t.Helper()
	var p product
	if err := newClient().call(http.MethodGet, "/api/products/"+products[key].ID, nil, &p, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	return p.Stock
}

func ordersOf(t *testing.T, email, password string) []order {
	t.Helper()
	c := newClient()
	if err := c.login(email, password); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []order `json:"items"`
	}
	if err := c.call(http.MethodGet, "/api/orders", nil, &list, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// shotDir is the git-ignored artifacts folder at the repository root.
func shotDir() string {
	return filepath.Join(repoRoot, "artifacts", "screenshots")
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}
