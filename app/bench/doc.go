// Package bench holds the shop's benchmarks (`make bench`): the hot-SKU order benchmark, which
// compares the raw single-statement decrement with the full HTTP -> Echo -> order transaction
// path at the same concurrency, the catalog read benchmark, the hot-product read benchmark with
// and without the Redis cache (PostgreSQL transactions per GET), the search benchmark, and the
// registration burst, which measures peak RSS and the health check's latency under 256
// concurrent argon2id hashes. See app/README.md for figures.
package bench
