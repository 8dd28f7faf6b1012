package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/riverqueue/river"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

// service is what `serve` and `lambda` share: one HTTP handler (the Echo application with every
// route and middleware, under the telemetry wrapper) over the store, the cache and the search
// engine, and the indexer the background workers post to. Serve puts the handler behind a
// listener, lambda behind Function URL events; there is no second router.
type service struct {
	handler http.Handler
	indexer search.Indexer
	// jobs are the background job workers (search indexing, picture variants, invoices,
	// payments); periodic the scheduled ones (the unpaid-order expiry sweep, the prune of unused uploads).
	jobs     *river.Workers
	periodic []*river.PeriodicJob
	payments *payment.Service
	close    func()
	// searchIndex is PostgreSQL search's in-process copy (SHOP_SEARCH_MEMORY=true), nil without
	// it; serve runs its refresh (without it every search reads PostgreSQL).
	searchIndex *postgres.SearchIndex
}

// newService ensures the admin (if configured), opens the cache, the search engine, the media
// store and the payment provider, and builds the handler. Telemetry must be set up before, so the
// handler's instruments find its provider.
func newService(ctx context.Context, store *postgres.Store, cfg config, log *slog.Logger) (_ *service, err error) {
	if cfg.AdminEmail != "" {
		if err := ensureAdmin(ctx, store, cfg, log); err != nil {
			return nil, err
		}
	}
	c, closeCache, err := openCache(ctx, cfg.Cache, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			closeCache()
		}
	}()
	searcher, indexer, searchIndex, err := openSearch(ctx, cfg.Search, store, log)
	if err != nil {
		return nil, err
	}
	files, err := openMedia(ctx, cfg.Media)
	if err != nil {
		return nil, err
	}
	payments, err := openPayments(cfg.Payments, store, log)
	if err != nil {
		return nil, err
	}
	products := cache.NewProducts(store, searcher, c)
	var listings shop.ProductSearcher = products
	if searchIndex != nil {
		// Not the catalog page cache on top: its 1 s would add to the copy's, and the copy
		// answers a listing without PostgreSQL anyway. When the copy is stale the statement
		// answers, behind the page cache, so a slow database does not get every listing.
		searchIndex.FallBackTo(cache.NewProducts(store, store, c))
		listings = searchIndex
	}
	e, err := httpapi.New(httpapi.Config{
		Products: products, Search: listings, Accounts: cache.NewAccounts(store, c),
		Orders: cache.NewOrders(store, c), Admin: store, Images: store, Invoices: store, Media: files, Shop: cfg.Shop,
		Payments: payments, StripePublishableKey: cfg.Payments.PublishableKey,
		Readiness: store,
		Log:       log, SiteDir: cfg.SiteDir, ClientIPHeader: cfg.ClientIPHeader, AllowedOrigins: cfg.AllowedOrigins,
		ViewerHostHeader: cfg.ViewerHost,
	})
	if err != nil {
		return nil, err
	}
	compressed, err := httpapi.Compress(e)
	if err != nil {
		return nil, err
	}
	jobs := jobWorkers(indexer, store, files, cfg.Shop, log)
	payments.AddWorkers(jobs)
	return &service{
		handler: telemetry.Handler(compressed), indexer: indexer, jobs: jobs,
		periodic: append(payments.PeriodicJobs(cfg.Payments.Timeout), mediaPeriodicJobs()...), payments: payments, close: closeCache,
		searchIndex: searchIndex,
	}, nil
}
