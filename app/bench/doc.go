// Package bench holds the shop's benchmarks (`make bench`): the hot-SKU order benchmark, which
// compares the raw single-statement decrement with the full HTTP -> Echo -> order transaction
// path at the same concurrency, and the catalog read benchmark. See app/README.md for figures.
package bench
