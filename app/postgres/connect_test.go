package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

var discard = slog.New(slog.NewJSONHandler(io.Discard, nil))

// dbURL is the package's test database, as the shared store connects to it.
func dbURL() string { return store.Pool().Config().ConnConfig.ConnString() }

// asUser is u with its user replaced and any password removed.
func asUser(t *testing.T, raw, user string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.User = url.User(user)
	return u.String()
}

// newRole creates a login role with a unique name that is dropped, with its grants, after the
// test; password "" creates it without one.
func newRole(t *testing.T, password string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "shop_app_t" + hex.EncodeToString(b[:])
	ctx := context.Background()
	stmt := "CREATE ROLE " + role + " LOGIN"
	if password != "" {
		stmt += " PASSWORD " + quote(password)
	}
	_, err := store.Pool().Exec(ctx, stmt)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := store.Pool().Exec(ctx, "DROP OWNED BY "+role)
		assert.NoError(t, err)
		_, err = store.Pool().Exec(ctx, "DROP ROLE "+role)
		assert.NoError(t, err)
	})
	return role
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestPasswordRotationWithoutRestart: with the password read from a file for every new
// connection, rotating the role's password (ALTER ROLE) and rewriting the file while the store
// runs keeps new connections working; a store that read the password once at start is locked
// out by the same rotation. The proxy checks passwords against pg_authid, as a server with
// password authentication would (the test server trusts loopback).
func TestPasswordRotationWithoutRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role := newRole(t, "first-password-1")
	require.NoError(t, store.EnsureAppRole(ctx, role))
	proxy := pgtest.NewProxy(t)
	proxy.CheckPasswords()
	appURL := proxy.URL(asUser(t, dbURL(), role))

	file := filepath.Join(t.TempDir(), "db-password")
	require.NoError(t, os.WriteFile(file, []byte("first-password-1\n"), 0o600))
	rotating, err := postgres.Connect(ctx, postgres.Options{URL: appURL, MaxConns: 2, Password: postgres.PasswordFile(file), Log: discard})
	require.NoError(t, err)
	defer rotating.Close()

	u, err := url.Parse(appURL)
	require.NoError(t, err)
	u.User = url.UserPassword(role, "first-password-1")
	fixed, err := postgres.Connect(ctx, postgres.Options{URL: u.String(), MaxConns: 2, Wait: time.Second, Log: discard})
	require.NoError(t, err)
	defer fixed.Close()

	p := newProduct(t, 10, 100)
	works := func(s *postgres.Store) error {
		s.Pool().Reset() // every connection is new from here on, as after pgx's hourly recycling
		_, err := s.GetProduct(ctx, p.ID)
		return err
	}
	require.NoError(t, works(rotating))
	require.NoError(t, works(fixed))

	_, err = store.Pool().Exec(ctx, "ALTER ROLE "+role+" PASSWORD 'second-password-2'")
	require.NoError(t, err)
	err = works(fixed)
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr, "the old password no longer opens a connection")
	assert.Equal(t, pgerrcode.InvalidPassword, pgErr.Code)
	assert.Error(t, works(rotating), "nor does it for the file source until the file is rewritten")

	require.NoError(t, os.WriteFile(file, []byte("second-password-2\n"), 0o600))
	assert.NoError(t, works(rotating), "the rewritten file is read by the next new connection, no restart")
	o, err := rotating.PlaceOrder(ctx, newUser(t).ID, key(), order(line(p.ID, 1)), render)
	require.NoError(t, err)
	assert.Equal(t, 201, o.Status)
}

// TestIAMAuthTokenNamesEndpointAndUser: the token is a SigV4-presigned rds-db "connect" request
// for the connection's own host, port and user, made locally from the credentials.
func TestIAMAuthTokenNamesEndpointAndUser(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	src := postgres.RDSIAMAuth("eu-west-1", creds)
	host := "shop.cluster-c1a2b3.eu-west-1.rds.amazonaws.com"
	token, err := src.Password(context.Background(), host, 5432, "shop_app")
	require.NoError(t, err)
	require.False(t, strings.HasPrefix(token, "https://"), "RDS wants the presigned URL without its scheme")
	u, err := url.Parse("https://" + token)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, host+":5432", u.Host)
	assert.Empty(t, u.Path)
	assert.Equal(t, "connect", q.Get("Action"))
	assert.Equal(t, "shop_app", q.Get("DBUser"))
	assert.Equal(t, "AWS4-HMAC-SHA256", q.Get("X-Amz-Algorithm"))
	assert.Regexp(t, `^AKIDEXAMPLE/\d{8}/eu-west-1/rds-db/aws4_request$`, q.Get("X-Amz-Credential"))
	assert.Equal(t, "900", q.Get("X-Amz-Expires"))
	assert.NotEmpty(t, q.Get("X-Amz-Signature"))

	other, err := src.Password(context.Background(), host, 5433, "someone_else")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(other, host+":5433?"), other)
	assert.Contains(t, other, "DBUser=someone_else")
}

func TestRDSRegion(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]string{
		"shop.cluster-c1a2b3.eu-west-1.rds.amazonaws.com":    "eu-west-1",
		"shop.cluster-ro-c1a2b3.us-east-1.rds.amazonaws.com": "us-east-1",
		"shopdb.c1a2b3.ap-southeast-2.rds.amazonaws.com.":    "ap-southeast-2",
		"shop.proxy-c1a2b3.eu-central-1.rds.amazonaws.com":   "eu-central-1",
		"shop.c1a2b3.cn-north-1.rds.amazonaws.com.cn":        "cn-north-1",
		"db.internal.example.com":                            "",
		"rds.amazonaws.com":                                  "",
		"127.0.0.1":                                          "",
	} {
		got, err := postgres.RDSRegion(host)
		if want == "" {
			assert.Error(t, err, host)
			continue
		}
		assert.NoError(t, err, host)
		assert.Equal(t, want, got, host)
	}
}

func TestPasswordFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	src := postgres.PasswordFile(file)
	_, err := src.Password(context.Background(), "h", 5432, "u")
	assert.ErrorContains(t, err, "read password file", "a missing file")
	require.NoError(t, os.WriteFile(file, []byte("  \n"), 0o600))
	_, err = src.Password(context.Background(), "h", 5432, "u")
	assert.ErrorContains(t, err, "is empty")
	require.NoError(t, os.WriteFile(file, []byte("s3cret with spaces inside\r\n"), 0o600))
	pw, err := src.Password(context.Background(), "h", 5432, "u")
	require.NoError(t, err)
	assert.Equal(t, "s3cret with spaces inside", pw)
}

// TestConnectWaitsForTheDatabase: at start the store retries a database that cannot be reached
// until it answers (here after about a second), gives up after Wait with a message that says
// so, and does not wait at all for a failure that waiting cannot cure.
func TestConnectWaitsForTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("until it answers", func(t *testing.T) {
		t.Parallel()
		proxy := pgtest.NewProxy(t)
		proxy.Cut()
		time.AfterFunc(1200*time.Millisecond, proxy.Restore)
		start := time.Now()
		s, err := postgres.Connect(ctx, postgres.Options{URL: proxy.URL(dbURL()), Wait: 30 * time.Second, Log: discard})
		require.NoError(t, err)
		defer s.Close()
		assert.GreaterOrEqual(t, time.Since(start), time.Second)
		_, err = s.CheckSchema(ctx)
		assert.NoError(t, err)
	})
	t.Run("gives up after Wait", func(t *testing.T) {
		t.Parallel()
		proxy := pgtest.NewProxy(t)
		proxy.Cut()
		start := time.Now()
		_, err := postgres.Connect(ctx, postgres.Options{URL: proxy.URL(dbURL()), Wait: 1500 * time.Millisecond, Log: discard})
		elapsed := time.Since(start)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no answer within 1.5s")
		assert.Contains(t, err.Error(), "connection refused", "the cause, not just the deadline")
		assert.GreaterOrEqual(t, elapsed, 1500*time.Millisecond)
		assert.Less(t, elapsed, 5*time.Second)
	})
	t.Run("not for a missing database", func(t *testing.T) {
		t.Parallel()
		u, err := url.Parse(dbURL())
		require.NoError(t, err)
		u.Path = "/no_such_database_here"
		start := time.Now()
		_, err = postgres.Connect(ctx, postgres.Options{URL: u.String(), Wait: 30 * time.Second, Log: discard})
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr)
		assert.Equal(t, pgerrcode.InvalidCatalogName, pgErr.Code)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

// TestOutageIsUnavailable: while the database cannot be reached, every store call fails with
// shop.CodeUnavailable (the transport's 503), and the pool recovers by itself once it is back.
func TestOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	proxy := pgtest.NewProxy(t)
	s, err := postgres.Connect(ctx, postgres.Options{URL: proxy.URL(dbURL()), MaxConns: 2, Log: discard})
	require.NoError(t, err)
	defer s.Close()
	p := newProduct(t, 10, 100)
	u := newUser(t)
	_, err = s.GetProduct(ctx, p.ID)
	require.NoError(t, err)

	proxy.Cut()
	calls := map[string]func() error{
		"get product": func() error { _, err := s.GetProduct(ctx, p.ID); return err },
		"search": func() error {
			_, err := s.SearchProducts(ctx, shop.ProductQuery{Sort: shop.SortName, Limit: 5})
			return err
		},
		"session": func() error { _, err := s.UserBySession(ctx, "no-such-token"); return err },
		"order": func() error {
			_, err := s.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 1)), render)
			return err
		},
		"orders": func() error { _, err := s.ListOrders(ctx, u.ID); return err },
	}
	for round := range 2 { // the first round meets broken pooled connections, the second refused dials
		for name, call := range calls {
			assert.Equal(t, shop.CodeUnavailable, shop.ErrorCode(call()), "round %d: %s", round, name)
		}
	}
	assert.Error(t, s.Ping(ctx))

	proxy.Restore()
	_, err = s.GetProduct(ctx, p.ID)
	assert.NoError(t, err, "the pool reconnects by itself")
	assert.Equal(t, 10, stockOf(t, p.ID), "no order went through during the outage")
}

func TestAppRoleIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role := newRole(t, "")
	require.NoError(t, store.EnsureAppRole(ctx, role))
	require.NoError(t, store.EnsureAppRole(ctx, role), "idempotent: every migrate re-grants")
	app, err := postgres.Open(ctx, asUser(t, dbURL(), role), 2, discard, postgres.WithRegistrationLimit(1_000_000, time.Hour))
	require.NoError(t, err)
	defer app.Close()

	_, err = app.CheckSchema(ctx)
	require.NoError(t, err, "serve's schema check runs as the app role")
	p := newProduct(t, 5, 250)
	u, sess, err := app.Register(ctx, shop.Registration{Email: "approle-" + role + "@example.com", Password: "correct horse battery", Name: "App"}, "192.0.2.1")
	require.NoError(t, err)
	res, err := app.PlaceOrder(ctx, u.ID, key(), order(line(p.ID, 2)), render)
	require.NoError(t, err)
	require.Equal(t, 201, res.Status, "the app role places an order")
	var placed shop.Order
	require.NoError(t, json.Unmarshal(res.Body, &placed))
	_, err = app.CancelOrder(ctx, u.ID, placed.ID)
	require.NoError(t, err)
	require.NoError(t, app.DeleteSession(ctx, sess.Token))
	require.NoError(t, app.Prune(ctx))

	for _, stmt := range []string{
		"DROP TABLE orders",
		"TRUNCATE products",
		"ALTER TABLE products DROP CONSTRAINT products_stock_check",
		"CREATE TABLE evil (id int)",
		"SELECT * FROM pg_shadow",
		"SELECT rolpassword FROM pg_authid",
		"UPDATE schema_version SET version = 0",
		"CREATE ROLE evil",
		"COPY products TO '/tmp/shop-products'",
		"CREATE DATABASE evil",
	} {
		_, err := app.Pool().Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if assert.ErrorAs(t, err, &pgErr, stmt) {
			assert.Equal(t, pgerrcode.InsufficientPrivilege, pgErr.Code, "%s: %s", stmt, pgErr.Message)
		}
	}
	var super, createRole, createDB bool
	require.NoError(t, store.Pool().QueryRow(ctx, "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1", role).
		Scan(&super, &createRole, &createDB))
	assert.False(t, super || createRole || createDB)
}

func TestEnsureAppRoleRefusesStrongRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	strong := newRole(t, "")
	_, err := store.Pool().Exec(ctx, "ALTER ROLE "+strong+" CREATEDB")
	require.NoError(t, err)
	assert.ErrorContains(t, store.EnsureAppRole(ctx, strong), "attributes an application role must not have")

	var self string
	require.NoError(t, store.Pool().QueryRow(ctx, "SELECT current_user").Scan(&self))
	assert.ErrorContains(t, store.EnsureAppRole(ctx, self), "must be another role than the schema's owner")
	assert.ErrorContains(t, store.EnsureAppRole(ctx, `x"; DROP TABLE orders; --`), "want a lower-case identifier")
}
