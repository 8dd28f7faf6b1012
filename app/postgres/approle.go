package postgres

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultAppRole is the role `shop serve` connects as.
const DefaultAppRole = "shop_app"

var roleNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CheckRoleName accepts a plain lower-case PostgreSQL identifier, the only kind that reads the
// same in a URL, an IAM policy's dbuser ARN and SQL.
func CheckRoleName(name string) error {
	if !roleNameRE.MatchString(name) {
		return fmt.Errorf("role name %q: want a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)", name)
	}
	return nil
}

// EnsureAppRole creates the application role if it is missing and grants it what the service
// needs and nothing more: it may log in, connect to this database, read and write the rows
// of the shop's tables, use their sequences and read the schema version. It owns nothing, so
// it can neither change nor drop the schema, and it holds no role attribute (superuser,
// createrole, createdb, replication, bypassrls). On RDS it is also granted rds_iam, so that it
// logs in with IAM tokens instead of a password. Run after Migrate with the credentials that
// own the schema (the master user on RDS), under the migration lock; idempotent, so every
// `shop migrate` re-grants on tables that new migrations added.
func (s *Store) EnsureAppRole(ctx context.Context, role string) error {
	if err := CheckRoleName(role); err != nil {
		return fmt.Errorf("ensure app role: %w", err)
	}
	return s.withMigrationLock(ctx, "ensure app role", func(conn *pgxpool.Conn) error {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return ensureAppRole(ctx, tx, role) })
		return mapError("ensure app role "+role, err)
	})
}

func ensureAppRole(ctx context.Context, tx pgx.Tx, role string) error {
	id := pgx.Identifier{role}.Sanitize()
	var self bool
	var db string
	if err := tx.QueryRow(ctx, "SELECT current_user = $1, current_database()", role).Scan(&self, &db); err != nil {
		return err
	}
	if self {
		return fmt.Errorf("the migration connects as %s itself; the application role must be another role than the schema's owner", role)
	}
	// Roles belong to the whole server: two databases migrating at once may both create it.
	if _, err := tx.Exec(ctx, `DO $$ BEGIN
		CREATE ROLE `+id+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
	END $$`); err != nil {
		return err
	}
	var tooStrong bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls
		FROM pg_roles WHERE rolname = $1`, role).Scan(&tooStrong); err != nil {
		return err
	}
	if tooStrong {
		return fmt.Errorf("role %s exists with attributes an application role must not have (superuser, createrole, createdb, replication or bypassrls)", role)
	}
	for _, stmt := range []string{
		"GRANT CONNECT ON DATABASE " + pgx.Identifier{db}.Sanitize() + " TO " + id,
		"GRANT USAGE ON SCHEMA public TO " + id,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + id,
		"REVOKE INSERT, UPDATE, DELETE ON public.schema_version FROM " + id,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + id,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	var onRDS bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam')").Scan(&onRDS); err != nil {
		return err
	}
	if onRDS {
		if _, err := tx.Exec(ctx, "GRANT rds_iam TO "+id); err != nil {
			return err
		}
	}
	return nil
}
