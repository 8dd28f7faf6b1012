// Package pgtest gives each test (or each test package) its own freshly created PostgreSQL
// database on the server named by TEST_DATABASE_URL, and drops it afterwards.
//
// There is deliberately no skip path: when PostgreSQL is unreachable the test fails with a
// message that names the URL and says how to start the server, so CI can never go green
// without having run the database tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the environment variable naming the server (and maintenance database) to create
// test databases on.
const EnvURL = "TEST_DATABASE_URL"

// DefaultURL is used when EnvURL is unset: the local PostgreSQL with trust auth on loopback.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

const adminTimeout = 15 * time.Second

// ServerURL returns the maintenance connection URL: TEST_DATABASE_URL or DefaultURL.
func ServerURL() string {
	if v := strings.TrimSpace(os.Getenv(EnvURL)); v != "" {
		return v
	}
	return DefaultURL
}

// NewDatabase creates a fresh, uniquely named database, registers a cleanup that drops it,
// and returns its connection URL. It fails the test when PostgreSQL cannot be reached.
func NewDatabase(t testing.TB) string {
	t.Helper()
	dbURL, drop, err := create(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dbURL
}

// NewDatabaseForMain creates one fresh database for a whole test package, for use in TestMain.
// The caller must call drop after m.Run.
func NewDatabaseForMain() (dbURL string, drop func() error, err error) {
	prefix := "pkg"
	if len(os.Args) > 0 {
		prefix = strings.TrimSuffix(baseName(os.Args[0]), ".test")
	}
	return create(prefix)
}

// Main is a complete TestMain body: it creates one database for the test package, hands its
// URL to use, runs the tests, drops the database and exits with the tests' status.
//
//	func TestMain(m *testing.M) { pgtest.Main(m, func(u string) { dbURL = u }) }
func Main(m *testing.M, use func(dbURL string)) {
	dbURL, drop, err := NewDatabaseForMain()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	use(dbURL)
	code := m.Run()
	if err := drop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// dbName builds a valid, unique identifier (at most 63 bytes) that still hints at its owner,
// so a leftover database after a crashed run is easy to attribute.
func dbName(hint string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("pgtest: random name: %w", err)
	}
	h := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(hint), "_"), "_")
	if len(h) > 40 {
		h = h[:40]
	}
	return "t_" + h + "_" + hex.EncodeToString(b[:]), nil
}

func create(hint string) (string, func() error, error) {
	server := ServerURL()
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("pgtest: %s must be a postgres:// URL, got %q", EnvURL, Redact(server))
	}
	name, err := dbName(hint)
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, unreachable(server, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("pgtest: create database %s on %s: %w", name, Redact(server), err)
	}
	dbURL := *u
	dbURL.Path = "/" + name
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer conn.Close(context.Background())
		// FORCE ends connections a test leaked (e.g. a pool closed late), so nothing is left behind.
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return dbURL.String(), drop, nil
}

func unreachable(server string, err error) error {
	var hint string
	if errors.Is(err, context.DeadlineExceeded) {
		hint = " (timed out)"
	}
	return fmt.Errorf("pgtest: PostgreSQL is not reachable at %s%s: %v\n"+
		"  The database tests need a running PostgreSQL; they never skip.\n"+
		"  Start the local server:  sudo pg_ctlcluster 15 main start   (or run .ci/run, which installs and starts it)\n"+
		"  or point %s at a server where this user may CREATE DATABASE",
		Redact(server), hint, err, EnvURL)
}

// Redact returns the URL with any password replaced, for messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable URL>"
	}
	return u.Redacted()
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
