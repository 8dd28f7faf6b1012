// Command drill is the shop's fault drill (`make drill`). It builds a fresh database, starts
// bin/shop serve on it as a child process, lets many buyers order a hot product and some
// cold ones while PostgreSQL is restarted (round 1) and while the service is killed with
// SIGKILL and started again (round 2), retries every order that got no answer with its own
// Idempotency-Key until it is answered, and then checks the books: no acknowledged order
// lost, no order placed twice, and the stock taken equal to the units of the orders placed.
// It exits 1 on any violation.
//
// Round 3 is a flash sale: every buyer wants one product, whose stock runs out within the
// round, while the service is killed with SIGKILL mid-sale (group commit answers only after
// its group's commit, so an acknowledged order is a committed one). -pg-restart-round=false
// skips round 1, for a server other work shares.
//
// It restarts the PostgreSQL server it is pointed at, so it is not part of `make test`.
// Run it from the repository root after `make build`:
//
//	go run ./app/drill [-buyers 64] [-round 6s] [-db postgres://...shop_drill]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is the drill's workload and environment; every field has a flag.
type config struct {
	DatabaseURL string
	ShopBin     string
	LogPath     string
	PGRestart   string
	Buyers      int
	Accounts    int
	Round       time.Duration
	FaultAt     time.Duration
	Timeout     time.Duration
	RetryFor    time.Duration
	Faults      bool
	// PGRound runs round 1 (the PostgreSQL restart).
	PGRound bool
}

// flashRound is the number of the flash-sale round (newRequest's orders differ in it).
const flashRound = 3

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	cfg, err := parseFlags(os.Args[1:])
	if err == nil {
		err = run(ctx, cfg)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "drill:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.StringVar(&c.DatabaseURL, "db", "postgres://postgres@127.0.0.1:5432/shop_drill?sslmode=disable",
		"database to drop, recreate and drill on (its name must contain \"drill\")")
	fs.StringVar(&c.ShopBin, "shop", "bin/shop", "the shop binary to run as `shop serve`")
	fs.StringVar(&c.LogPath, "log", filepath.Join(os.TempDir(), "shop-drill.log"), "where the service's log goes (replaced)")
	fs.StringVar(&c.PGRestart, "pg-restart", defaultPGRestart(),
		"shell command that restarts the PostgreSQL server behind -db")
	fs.IntVar(&c.Buyers, "buyers", 64, "concurrent buyers")
	fs.IntVar(&c.Accounts, "accounts", 8, "buyer accounts the buyers share")
	fs.DurationVar(&c.Round, "round", 6*time.Second, "length of each round")
	fs.DurationVar(&c.FaultAt, "fault-at", 2*time.Second, "when the fault strikes within a round")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "client timeout of one HTTP attempt")
	fs.DurationVar(&c.RetryFor, "retry-for", 90*time.Second, "how long unanswered orders are retried before the drill fails")
	fs.BoolVar(&c.Faults, "faults", true, "inject the faults (false: the same rounds without them, for a quick check)")
	fs.BoolVar(&c.PGRound, "pg-restart-round", true, "run round 1, the PostgreSQL restart (false: only the SIGKILL rounds, on a server other work shares)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c config) validate() error {
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("-db must be a postgres:// URL")
	}
	// The drill drops this database: refuse a name that could be someone's real data.
	if name := strings.TrimPrefix(u.Path, "/"); !strings.Contains(name, "drill") {
		return fmt.Errorf("-db names database %q; the drill drops and recreates it, so its name must contain \"drill\"", name)
	}
	switch {
	case c.Buyers < 1 || c.Accounts < 1 || c.Accounts > c.Buyers:
		return errors.New("-buyers and -accounts must be positive, with no more accounts than buyers")
	case c.FaultAt <= 0 || c.FaultAt >= c.Round:
		return errors.New("-fault-at must fall inside -round")
	case c.Timeout <= 0 || c.RetryFor <= 0:
		return errors.New("-timeout and -retry-for must be positive")
	case c.Faults && c.PGRound && c.PGRestart == "":
		return errors.New("no PostgreSQL restart command: set -pg-restart (none found in /etc/postgresql)")
	}
	if _, err := os.Stat(c.ShopBin); err != nil {
		return fmt.Errorf("-shop %s: %w (run `make build` first)", c.ShopBin, err)
	}
	return nil
}

// defaultPGRestart is the Debian way to restart the one local cluster, when there is exactly one.
func defaultPGRestart() string {
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) != 1 {
		return ""
	}
	return "pg_ctlcluster --skip-systemctl-redirect " + versions[0].Name() + " main restart"
}

func run(ctx context.Context, cfg config) error {
	d, err := prepare(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.svc.stop()
	fmt.Printf("shop drill: %d buyers on %d accounts, rounds of %s (fault at %s), database %s, service log %s\n",
		cfg.Buyers, cfg.Accounts, cfg.Round, cfg.FaultAt, databaseName(cfg.DatabaseURL), cfg.LogPath)

	rounds := []struct {
		name  string
		fault func(context.Context) (string, error)
	}{
		{"round 1, PostgreSQL restart", d.restartPostgres},
		{"round 2, SIGKILL of the service", d.killService},
		{"round 3, flash sale, SIGKILL of the service mid-sale", d.killService},
	}
	for i, r := range rounds {
		if i == 0 && !cfg.PGRound {
			fmt.Printf("%s: skipped (-pg-restart-round=false)\n", r.name)
			continue
		}
		fault := r.fault
		if !cfg.Faults {
			fault = nil
		}
		if err := d.round(ctx, i+1, r.name, fault); err != nil {
			return err
		}
	}
	if err := d.retryUnanswered(ctx); err != nil {
		return err
	}
	if err := d.replayAcknowledged(ctx); err != nil {
		return err
	}
	rep, err := d.audit(ctx)
	if err != nil {
		return err
	}
	rep.print(os.Stdout)
	printLogLevels(os.Stdout, cfg.LogPath)
	if !rep.ok() {
		return errors.New("FAIL: the books do not balance (see above)")
	}
	fmt.Println("PASS")
	return nil
}

func databaseName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(u.Path, "/")
}
