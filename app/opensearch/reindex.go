package opensearch

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopstack/shopstack/app/search"
)

// reindexPage is how many products one bulk request carries.
const reindexPage = 500

// Reindex rebuilds the index behind the alias with no downtime:
//  1. PUT /<alias>-<UTC timestamp> with indexDefinition (the new, empty index);
//  2. bulk-loads every product into it, reindexPage at a time, by id (load);
//  3. POST /<new>/_refresh, so the swap never shows a half-visible index;
//  4. GET /_alias/<alias> for the indices the alias names now (none on the first run);
//  5. POST /_aliases removing the alias from those and adding it to the new index, in one atomic
//     request: every search sees either the old index or the new one;
//  6. loads every product again, into the new index through the alias: a write between its read
//     in step 2 and the swap went to the old index, and this pass brings it over (external
//     versions make the unchanged ones 409s, which are skipped);
//  7. DELETE /<old> for each old index.
//
// It returns the new index's name.
func (c *Client) Reindex(ctx context.Context, src search.Source, now time.Time, log *slog.Logger) (string, error) {
	name := c.index + "-" + strings.ToLower(now.UTC().Format("20060102t150405.000000"))
	if err := c.do(ctx, "PUT", "/"+name, indexDefinition(), nil); err != nil {
		return "", fmt.Errorf("reindex: create %s: %w", name, err)
	}
	n, err := c.load(ctx, src, name)
	if err != nil {
		return "", fmt.Errorf("reindex: load %s: %w", name, err)
	}
	log.Info("search reindex: loaded", "index", name, "products", n)
	if err := c.do(ctx, "POST", "/"+name+"/_refresh", nil, nil); err != nil {
		return "", fmt.Errorf("reindex: refresh %s: %w", name, err)
	}
	old, err := c.aliasIndices(ctx)
	if err != nil {
		return "", fmt.Errorf("reindex: %w", err)
	}
	actions := []any{}
	for _, o := range old {
		actions = append(actions, jsonObj{"remove": jsonObj{"index": o, "alias": c.index}})
	}
	actions = append(actions, jsonObj{"add": jsonObj{"index": name, "alias": c.index}})
	if err := c.do(ctx, "POST", "/_aliases", jsonObj{"actions": actions}, nil); err != nil {
		return "", fmt.Errorf("reindex: swap alias %s to %s: %w", c.index, name, err)
	}
	log.Info("search reindex: alias swapped", "alias", c.index, "index", name, "old", old)
	caught, err := c.load(ctx, src, c.index)
	if err != nil {
		return "", fmt.Errorf("reindex: catch-up pass: %w", err)
	}
	for _, o := range old {
		if err := c.do(ctx, "DELETE", "/"+o, nil, nil); err != nil {
			return "", fmt.Errorf("reindex: delete old index %s: %w", o, err)
		}
	}
	log.Info("search reindex: done", "index", name, "caught_up", caught, "deleted", old)
	return name, nil
}

// load bulk-writes every product of src to index (a concrete index, or the alias) and returns
// how many documents were written.
func (c *Client) load(ctx context.Context, src search.Source, index string) (int, error) {
	written, after := 0, ""
	for {
		docs, err := src.SearchDocuments(ctx, after, reindexPage)
		if err != nil {
			return written, err
		}
		if len(docs) == 0 {
			return written, nil
		}
		n, err := c.bulk(ctx, index, docs, false)
		written += n
		if err != nil {
			return written, err
		}
		after = docs[len(docs)-1].ID
	}
}

// aliasIndices returns the indices the alias names, sorted; a 404 (no such alias yet) is none.
func (c *Client) aliasIndices(ctx context.Context) ([]string, error) {
	var res map[string]any // {"<index>": {"aliases": {"<alias>": {}}}}
	err := c.do(ctx, "GET", "/_alias/"+c.index, nil, &res)
	if isStatus(err, 404) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read alias %s: %w", c.index, err)
	}
	return slices.Sorted(maps.Keys(res)), nil
}
