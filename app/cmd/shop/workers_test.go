package main

import (
	"testing"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/opensearch"
	"github.com/shopstack/shopstack/app/search"
)

// serve runs the periodic search_sync job with OpenSearch, whose index needs orders' stock
// brought over, and not with the PostgreSQL search, which reads the products table itself.
func TestSearchSyncOnlyWithOpenSearch(t *testing.T) {
	cfg := &river.Config{Workers: search.Workers(search.PostgresIndexer{})}
	addSearchSync(cfg, nil, search.PostgresIndexer{})
	assert.Empty(t, cfg.PeriodicJobs, "PostgreSQL search: no sync")

	c, err := opensearch.New(opensearch.Config{URL: "http://127.0.0.1:9"})
	require.NoError(t, err)
	ix := opensearch.Indexer{Client: c}
	cfg = &river.Config{Workers: search.Workers(ix)}
	addSearchSync(cfg, nil, ix)
	require.Len(t, cfg.PeriodicJobs, 1, "OpenSearch: the periodic sync")
	args, opts := search.SyncArgs{}, search.SyncArgs{}.InsertOpts()
	assert.Equal(t, "search_sync", args.Kind())
	assert.True(t, opts.UniqueOpts.ByArgs, "one sync queued at a time")
	assert.Equal(t, 1, opts.MaxAttempts, "the next tick is the retry")
}
