package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/shopstack/shopstack/app/search"
)

// newJobClient is the insert-only River client product writes enqueue with: it has no queues
// and works nothing; the workers of `shop serve` are a separate client (cmd/shop).
func newJobClient(pool *pgxpool.Pool, log *slog.Logger) (*river.Client[pgx.Tx], error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("postgres: job client: %w", err)
	}
	return c, nil
}

// migrateRiver applies River's own migrations (river_job, river_queue, ...) on conn, which
// holds the shop's migration advisory lock, so instances starting together still migrate one at
// a time, and a pool of one connection cannot deadlock. One River migration at a time, each in
// its own transaction: one of them adds an enum value a later one uses, which PostgreSQL
// refuses inside a single transaction.
func (s *Store) migrateRiver(ctx context.Context, conn *pgxpool.Conn) error {
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: s.log})
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	for {
		var applied []rivermigrate.MigrateVersion
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err == nil {
				applied = res.Versions
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate river: %w", err)
		}
		if len(applied) == 0 {
			return nil
		}
		for _, v := range applied {
			s.log.Info("applied river migration", "version", v.Version, "name", v.Name)
		}
	}
}

// enqueueIndex adds the search_index job of a product write to the write's transaction.
func (s *Store) enqueueIndex(ctx context.Context, tx pgx.Tx, productID string, version int64) error {
	if _, err := s.jobs.InsertTx(ctx, tx, search.IndexArgs{ProductID: productID, Version: version}, nil); err != nil {
		return fmt.Errorf("enqueue search_index: %w", err)
	}
	return nil
}
