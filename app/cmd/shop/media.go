package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/riverqueue/river"

	"github.com/shopstack/shopstack/app/invoice"
	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// mediaConfig is where pictures and invoices are kept: the media bucket (SHOP_MEDIA_BUCKET) or
// a local directory (SHOP_MEDIA_DIR, the default).
type mediaConfig struct {
	Dir        string
	Bucket     string
	PublicBase string
	Region     string
	// PathStyle addresses the bucket in the path (an S3 stand-in at AWS_ENDPOINT_URL_S3), not
	// in the host name as AWS does.
	PathStyle bool
}

// bucketRE is the S3 bucket naming rule (general purpose buckets), without the IP-address case.
var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// defaultMediaDir is the dev state directory's media folder, as scripts/dev keeps its state:
// $XDG_STATE_HOME/shopstack/media, or ~/.local/state/shopstack/media.
func defaultMediaDir(getenv func(string) string) (string, error) {
	if s := getenv("XDG_STATE_HOME"); s != "" {
		return filepath.Join(s, "shopstack", "media"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("SHOP_MEDIA_DIR is unset and so are XDG_STATE_HOME and HOME: set SHOP_MEDIA_DIR (or SHOP_MEDIA_BUCKET)")
	}
	return filepath.Join(home, ".local", "state", "shopstack", "media"), nil
}

func loadMediaConfig(getenv func(string) string) (mediaConfig, error) {
	c := mediaConfig{Dir: strings.TrimSpace(getenv("SHOP_MEDIA_DIR")), Bucket: strings.TrimSpace(getenv("SHOP_MEDIA_BUCKET")),
		PublicBase: strings.TrimSpace(getenv("SHOP_MEDIA_PUBLIC_BASE")), Region: strings.TrimSpace(getenv("AWS_REGION")),
		PathStyle: getenv("AWS_ENDPOINT_URL_S3") != ""}
	var errs []error
	if c.PublicBase == "" {
		c.PublicBase = "/media"
	}
	if !validPublicBase(c.PublicBase) {
		errs = append(errs, fmt.Errorf("SHOP_MEDIA_PUBLIC_BASE=%q: want a path such as /media or an https:// URL prefix, without a trailing slash", c.PublicBase))
	}
	switch {
	case c.Bucket != "" && c.Dir != "":
		errs = append(errs, errors.New("SHOP_MEDIA_BUCKET and SHOP_MEDIA_DIR exclude each other: choose the bucket or a local directory"))
	case c.Bucket != "":
		if !bucketRE.MatchString(c.Bucket) || strings.Contains(c.Bucket, "..") {
			errs = append(errs, fmt.Errorf("SHOP_MEDIA_BUCKET=%q: want an S3 bucket name (3 to 63 of a-z, 0-9, '.', '-')", c.Bucket))
		}
		if c.Region == "" {
			errs = append(errs, errors.New("SHOP_MEDIA_BUCKET needs AWS_REGION, the bucket's region"))
		}
	case c.Dir == "":
		dir, err := defaultMediaDir(getenv)
		if err != nil {
			errs = append(errs, err)
		}
		c.Dir = dir
	}
	return c, errors.Join(errs...)
}

func validPublicBase(s string) bool {
	if strings.HasSuffix(s, "/") || len(s) > 200 {
		return false
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return media.ValidKey(s[1:])
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.RawQuery == "" && u.Fragment == ""
}

func (c mediaConfig) logAttr() slog.Attr {
	if c.Bucket != "" {
		return slog.Group("media", slog.String("SHOP_MEDIA_BUCKET", c.Bucket), slog.String("SHOP_MEDIA_PUBLIC_BASE", c.PublicBase))
	}
	return slog.Group("media", slog.String("SHOP_MEDIA_DIR", c.Dir), slog.String("SHOP_MEDIA_PUBLIC_BASE", c.PublicBase))
}

// openMedia builds the configured media store. The S3 client uses the default credential chain
// (on ECS the task role), asked only when a request is signed.
func openMedia(ctx context.Context, c mediaConfig) (media.Store, error) {
	if c.Bucket == "" {
		return media.NewLocal(c.Dir, c.PublicBase)
	}
	aws, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(c.Region))
	if err != nil {
		return nil, fmt.Errorf("SHOP_MEDIA_BUCKET: load AWS config: %w", err)
	}
	client := s3.NewFromConfig(aws, func(o *s3.Options) { o.UsePathStyle = c.PathStyle })
	return media.NewS3(client, c.Bucket, c.PublicBase), nil
}

// shopConfig is the shop's identity: SHOP_NAME, SHOP_ADDRESS, SHOP_CONTACT_EMAIL,
// SHOP_RETURNS_DAYS, SHOP_CURRENCY. The defaults describe the demo shop.
func loadShopConfig(getenv func(string) string) (shop.Identity, error) {
	or := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	info := shop.Identity{Name: or("SHOP_NAME", "Shopstack Demo Store"),
		Address:      or("SHOP_ADDRESS", "1 Example Street, 12345 Example City, Exampleland"),
		ContactEmail: or("SHOP_CONTACT_EMAIL", "hello@shop.localhost"), ReturnsDays: 30, Currency: or("SHOP_CURRENCY", "USD")}
	var errs []error
	if err := shop.CheckIdentity(info); err != nil {
		errs = append(errs, err)
	}
	if v := getenv("SHOP_RETURNS_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 365 {
			errs = append(errs, fmt.Errorf("SHOP_RETURNS_DAYS=%q: want an integer from 0 to 365", v))
		}
		info.ReturnsDays = n
	}
	return info, errors.Join(errs...)
}

// jobWorkers registers every worker of the shop's queue: search indexing, picture variants,
// invoices and the prune of unused uploads (mediaPeriodicJobs schedules it).
func jobWorkers(ix search.Indexer, store *postgres.Store, files media.Store, info shop.Identity, log *slog.Logger) *river.Workers {
	w := search.Workers(ix)
	river.AddWorker(w, &media.ImageWorker{Store: files, Sink: store, Log: log})
	river.AddWorker(w, &invoice.Worker{Orders: store, Store: files, Shop: info, Log: log})
	river.AddWorker(w, &media.PruneWorker{Store: files, Uploads: store, Log: log})
	return w
}

// mediaPeriodicJobs are the scheduled jobs of jobWorkers' media workers: upload_prune, hourly.
func mediaPeriodicJobs() []*river.PeriodicJob { return []*river.PeriodicJob{media.PruneJob()} }
