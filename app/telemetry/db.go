package telemetry

import (
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/extra/redisotel/v9"
	goredis "github.com/redis/go-redis/v9"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
)

// PgxTracer makes every statement, batch, prepare, connect and pool acquire a child span of
// the caller's. Statements are recorded without their parameters (no personal data), and the
// span name is the low-cardinality operation (SELECT, INSERT, ...).
func PgxTracer() pgx.QueryTracer {
	return otelpgx.NewTracer()
}

// RecordPool publishes the pool's gauges and counters (pgxpool.acquired_connections,
// pgxpool.idle_connections, pgxpool.max_connections, pgxpool.empty_acquire: acquires that had
// to wait, ...), read from pool.Stat() at each collection.
func RecordPool(pool *pgxpool.Pool) error {
	return otelpgx.RecordStats(pool)
}

// InstrumentRedis traces every command and pipeline of rdb (without its arguments: the keys
// hold hashed session tokens and product ids, the values cached accounts) and publishes its
// pool metrics.
func InstrumentRedis(rdb goredis.UniversalClient) error {
	if err := redisotel.InstrumentTracing(rdb, redisotel.WithDBStatement(false)); err != nil {
		return err
	}
	return redisotel.InstrumentMetrics(rdb)
}

// RiverMiddleware traces job inserts and work (the worker's span continues the inserting
// request's trace through the job's metadata) and publishes River's job metrics.
func RiverMiddleware() rivertype.Middleware {
	return otelriver.NewMiddleware(&otelriver.MiddlewareConfig{EnableTracePropagation: true})
}
