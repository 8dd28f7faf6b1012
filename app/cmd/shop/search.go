package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/shopstack/shopstack/app/opensearch"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// searchConfig is the optional OpenSearch adapter: SHOP_SEARCH_URL unset means PostgreSQL search.
type searchConfig struct {
	URL string
	// RoleARN is SHOP_SEARCH_ROLE_ARN: the role assumed (STS, from the default credentials, on
	// ECS the task role) to sign requests with SigV4; unset sends unsigned requests.
	RoleARN string
	// Index is SHOP_SEARCH_INDEX, the alias searched and written (default "products").
	Index  string
	Region string
	// Memory is SHOP_SEARCH_MEMORY=true: PostgreSQL search answered from postgres.SearchIndex,
	// an in-process copy of the catalog at most 1 s old, which serve refreshes every 500 ms.
	Memory bool
}

// indexNameRE is what OpenSearch accepts as an index or alias name, kept to the plain subset.
var indexNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,200}$`)

func loadSearchConfig(getenv func(string) string) (searchConfig, error) {
	c := searchConfig{URL: strings.TrimSpace(getenv("SHOP_SEARCH_URL")), RoleARN: strings.TrimSpace(getenv("SHOP_SEARCH_ROLE_ARN")),
		Index: strings.TrimSpace(getenv("SHOP_SEARCH_INDEX")), Region: strings.TrimSpace(getenv("AWS_REGION"))}
	if c.Index == "" {
		c.Index = opensearch.DefaultIndex
	}
	var errs []error
	if v := strings.TrimSpace(getenv("SHOP_SEARCH_MEMORY")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SHOP_SEARCH_MEMORY=%q: want true or false", v))
		}
		c.Memory = b
	}
	if !indexNameRE.MatchString(c.Index) {
		errs = append(errs, fmt.Errorf("SHOP_SEARCH_INDEX=%q: want lower-case letters, digits, - and _", c.Index))
	}
	if c.URL == "" {
		if c.RoleARN != "" {
			errs = append(errs, errors.New("SHOP_SEARCH_ROLE_ARN is set without SHOP_SEARCH_URL"))
		}
		return c, errors.Join(errs...)
	}
	if c.Memory {
		errs = append(errs, errors.New("SHOP_SEARCH_MEMORY=true is PostgreSQL search: it excludes SHOP_SEARCH_URL"))
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		errs = append(errs, fmt.Errorf("SHOP_SEARCH_URL=%q: want https://host[:port] (no credentials in it)", c.URL))
	}
	if c.RoleARN != "" && !strings.HasPrefix(c.RoleARN, "arn:") {
		errs = append(errs, fmt.Errorf("SHOP_SEARCH_ROLE_ARN=%q: want a role ARN, arn:aws:iam::<account>:role/<name>", c.RoleARN))
	}
	if c.RoleARN != "" && c.Region == "" {
		errs = append(errs, errors.New("SHOP_SEARCH_ROLE_ARN needs AWS_REGION, the domain's region, to sign requests"))
	}
	return c, errors.Join(errs...)
}

func (c searchConfig) logAttr() slog.Attr {
	if c.URL == "" && c.Memory {
		return slog.String("search", "postgresql, answered from an in-process copy (SHOP_SEARCH_MEMORY=true)")
	}
	if c.URL == "" {
		return slog.String("search", "postgresql (SHOP_SEARCH_URL unset)")
	}
	return slog.Group("search", "SHOP_SEARCH_URL", c.URL, "SHOP_SEARCH_ROLE_ARN", c.RoleARN, "SHOP_SEARCH_INDEX", c.Index)
}

// openSearch returns the searcher GET /api/products uses and the indexer the search_index
// worker runs: the store (or, with SHOP_SEARCH_MEMORY=true, its in-process copy, returned as
// memory too for serve to run) and search.PostgresIndexer without SHOP_SEARCH_URL, else
// OpenSearch.
func openSearch(ctx context.Context, cfg searchConfig, store *postgres.Store, log *slog.Logger) (
	_ shop.ProductSearcher, _ search.Indexer, memory *postgres.SearchIndex, _ error) {
	if cfg.URL == "" && cfg.Memory {
		// The copy orders names by bytes; under another collation its name order (the default
		// listing's) and its cursors would not be the statement's.
		name, bytewise, err := store.NameCollation(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		if !bytewise {
			return nil, nil, nil, fmt.Errorf("SHOP_SEARCH_MEMORY=true: products.name sorts by collation %q here, and the in-process copy orders names by bytes (C); leave SHOP_SEARCH_MEMORY unset, or use a database whose collation is C or C.UTF-8", name)
		}
		x := postgres.NewSearchIndex(store, postgres.SearchIndexOptions{})
		return x, search.PostgresIndexer{}, x, nil
	}
	if cfg.URL == "" {
		return store, search.PostgresIndexer{}, nil, nil
	}
	c, err := newSearchClient(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	log.Info("search: OpenSearch", "url", cfg.URL, "alias", cfg.Index, "signed", cfg.RoleARN != "")
	// PostgreSQL answers whenever OpenSearch cannot (down, or no index before the first reindex).
	fallback := &search.Fallback{Primary: c, Secondary: store, Log: log, LogEvery: time.Minute}
	return fallback, opensearch.Indexer{Client: c, Source: store}, nil, nil
}

// newSearchClient builds the adapter; with SHOP_SEARCH_ROLE_ARN every request is signed (SigV4,
// service "es") with the role's temporary credentials, assumed through STS from the default
// chain and renewed before they expire (aws.CredentialsCache). Nothing is asked of AWS until the
// first request.
func newSearchClient(ctx context.Context, cfg searchConfig) (*opensearch.Client, error) {
	// A client span for every OpenSearch request, in the trace of the request or job that made it.
	ocfg := opensearch.Config{URL: cfg.URL, Index: cfg.Index, HTTP: otelhttp.NewTransport(http.DefaultTransport)}
	if cfg.RoleARN != "" {
		base, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
		if err != nil {
			return nil, fmt.Errorf("SHOP_SEARCH_ROLE_ARN: load AWS credentials: %w", err)
		}
		role := base.Copy()
		role.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), cfg.RoleARN,
			func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "shop-search" }))
		ocfg.AWS = &role
	}
	return opensearch.New(ocfg)
}

// isSearchCommand reports whether args are `search reindex`.
func isSearchCommand(args []string) bool {
	return len(args) == 2 && args[0] == "search" && args[1] == "reindex"
}

// searchReindex is `shop search reindex`: a new index, every product bulk-loaded, the alias
// swapped, the old index deleted (opensearch.Client.Reindex). It needs SHOP_SEARCH_URL.
func searchReindex(ctx context.Context, store *postgres.Store, cfg searchConfig, log *slog.Logger) error {
	if cfg.URL == "" {
		return errors.New("search reindex needs SHOP_SEARCH_URL (PostgreSQL search keeps its own index)")
	}
	c, err := newSearchClient(ctx, cfg)
	if err != nil {
		return err
	}
	_, err = c.Reindex(ctx, store, time.Now(), log)
	return err
}
