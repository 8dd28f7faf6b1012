package pgtest_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pgtest"
)

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.ServerURL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n))
	return n == 1
}

func TestNewDatabaseIsFreshAndDropped(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		dbURL := pgtest.NewDatabase(t)
		u, err := url.Parse(dbURL)
		require.NoError(t, err)
		name = strings.TrimPrefix(u.Path, "/")
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dbURL)
		require.NoError(t, err)
		var current string
		require.NoError(t, conn.QueryRow(ctx, "SELECT current_database()").Scan(&current))
		assert.Equal(t, name, current)
		var tables int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables))
		assert.Zero(t, tables)
		// Left open on purpose: the cleanup must drop the database anyway (WITH (FORCE)).
		assert.True(t, databaseExists(t, name))
	})
	require.NotEmpty(t, name)
	assert.False(t, databaseExists(t, name), "database %s should be dropped after the test", name)
}

func TestNewDatabaseNamesAreUnique(t *testing.T) {
	t.Parallel()
	a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	assert.NotEqual(t, a, b)
}

func TestUnreachableServerFailsWithHelp(t *testing.T) {
	t.Setenv(pgtest.EnvURL, "postgres://postgres:s3cret@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	_, _, err := pgtest.NewDatabaseForMain()
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "not reachable at postgres://postgres:xxxxx@127.0.0.1:1/postgres")
	assert.Contains(t, msg, "pg_ctlcluster")
	assert.NotContains(t, msg, "s3cret")
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://u:pw@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"%zz", "<unparseable URL>"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, pgtest.Redact(tt.in))
		})
	}
}
