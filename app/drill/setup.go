package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// product is one product of the drill's catalog with the stock it started with.
type product struct {
	ID, SKU string
	Stock   int
	Hot     bool
	// Flash is the flash-sale round's product: every order of that round wants it alone, and
	// its stock runs out within the round.
	Flash bool
}

// catalog is the drill's stock: one hot product most orders want, cold ones some orders add,
// and one nearly sold out, so that refusals (409 insufficient_stock) are part of the mix.
var catalog = []struct {
	SKU, Name string
	Price     int64
	Stock     int
}{
	{"DRILL-HOT", "Hot T-shirt", 1999, 30000},
	{"DRILL-COLD-1", "Cold socks", 499, 6000},
	{"DRILL-COLD-2", "Cold scarf", 2499, 6000},
	{"DRILL-COLD-3", "Cold mittens", 1299, 6000},
	{"DRILL-COLD-4", "Cold beanie", 999, 6000},
	{"DRILL-LAST", "Last few mugs", 1499, 150},
	{flashSKU, "Flash sneakers", 8999, 4000},
}

// flashSKU is the product of the flash-sale round (see flashRound).
const flashSKU = "DRILL-FLASH"

const accountPassword = "drill password, not a secret"

// account is a buyer account; its client carries the account's session cookie and is shared
// by every buyer goroutine on that account.
type account struct {
	UserID string
	Email  string
	client *http.Client
}

// drill holds what the rounds share: the service, the catalog, the accounts and every
// logical request made so far.
type drill struct {
	cfg      config
	svc      *service
	products []product
	accounts []account

	mu       sync.Mutex
	requests []*request
}

// prepare recreates the database, fills it, starts the service and logs the accounts in.
func prepare(ctx context.Context, cfg config) (*drill, error) {
	if err := recreateDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	store, err := postgres.Open(ctx, cfg.DatabaseURL, 4, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	d := &drill{cfg: cfg}
	if err := d.fill(ctx, store); err != nil {
		return nil, err
	}
	addr, err := freeAddr(ctx)
	if err != nil {
		return nil, err
	}
	d.svc = newService(cfg.ShopBin, addr, cfg.DatabaseURL, cfg.LogPath)
	if err := d.svc.start(ctx); err != nil {
		return nil, err
	}
	if err := d.login(ctx); err != nil {
		d.svc.stop()
		return nil, err
	}
	return d, nil
}

// recreateDatabase drops the drill's database (closing any connection left by an earlier
// run) and creates it empty.
func recreateDatabase(ctx context.Context, dbURL string) error {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("parse -db: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if _, err := postgres.CreateDatabase(ctx, dbURL); err != nil {
		return err
	}
	return nil
}

// fill creates the catalog and the buyer accounts straight in the store: the drill is about
// orders, and registering over HTTP would only meet the registration limits.
func (d *drill) fill(ctx context.Context, store *postgres.Store) error {
	for i, c := range catalog {
		p, err := store.CreateProduct(ctx, shop.NewProduct{SKU: c.SKU, Name: c.Name, PriceCents: c.Price,
			Currency: "USD", Stock: c.Stock, Category: "drill"})
		if err != nil {
			return fmt.Errorf("create product %s: %w", c.SKU, err)
		}
		d.products = append(d.products, product{ID: p.ID, SKU: p.SKU, Stock: p.Stock, Hot: i == 0, Flash: c.SKU == flashSKU})
	}
	for i := range d.cfg.Accounts {
		email := fmt.Sprintf("buyer%d@drill.example.com", i)
		// Each account from its own documentation address (192.0.2.0/24), so the per-IP registration
		// limit, which is not what the drill tests, never refuses the setup.
		ip := fmt.Sprintf("192.0.2.%d", i%250+1)
		u, _, err := store.Register(ctx, shop.Registration{Email: email, Password: accountPassword, Name: fmt.Sprintf("Buyer %d", i)}, ip)
		if err != nil {
			return fmt.Errorf("register %s: %w", email, err)
		}
		d.accounts = append(d.accounts, account{UserID: u.ID, Email: email})
	}
	return nil
}

// login gives every account a session through POST /api/auth/login, as a client would. The
// accounts' clients share one transport, sized so that no buyer waits for a connection.
func (d *drill) login(ctx context.Context) error {
	transport := &http.Transport{MaxIdleConns: 2 * d.cfg.Buyers, MaxIdleConnsPerHost: 2 * d.cfg.Buyers}
	for i := range d.accounts {
		a := &d.accounts[i]
		jar, _ := cookiejar.New(nil) // never fails without options
		a.client = &http.Client{Jar: jar, Transport: transport, Timeout: d.cfg.Timeout}
		body, _ := json.Marshal(map[string]string{"email": a.Email, "password": accountPassword})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.svc.url("/api/auth/login"), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := a.client.Do(req)
		if err != nil {
			return fmt.Errorf("log in %s: %w", a.Email, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("log in %s: status %d", a.Email, res.StatusCode)
		}
	}
	return nil
}

// freeAddr finds a loopback port nobody listens on. The service binds it a moment later.
func freeAddr(ctx context.Context) (string, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}
