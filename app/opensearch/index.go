package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// Indexer is the search.Indexer of the OpenSearch adapter: the search_index worker hands it
// each product write, and it posts the product's current document to the alias.
type Indexer struct {
	Client *Client
	Source search.Source
}

var _ search.Indexer = Indexer{}

// IndexProduct reads the product as it is now and writes it with external versioning at its
// products.version, through the alias, with require_alias (no index is ever created by a write
// with a guessed mapping: until `shop search reindex` has made the alias, the job fails and is
// retried). The job's version is only a lower bound: the current document is at least as new.
// OpenSearch keeps a document only if its version is above the stored one, so jobs that run
// twice, or out of order, leave the newest copy: a 409 conflict means a copy at least as new is
// already there, and is success. A product that no longer exists has nothing to index.
func (ix Indexer) IndexProduct(ctx context.Context, productID string, _ int64) error {
	d, err := ix.Source.SearchDocument(ctx, productID)
	if shop.ErrorCode(err) == shop.CodeNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("index product %s: %w", productID, err)
	}
	_, err = ix.Client.bulk(ctx, ix.Client.index, []search.Document{d}, true)
	return err
}

// bulkResponse is the part of a _bulk answer the adapter reads.
type bulkResponse struct {
	Errors bool `json:"errors"`
	Items  []map[string]struct {
		ID     string `json:"_id"`
		Status int    `json:"status"`
		Error  *struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	} `json:"items"`
}

// bulk writes docs to index in one POST /_bulk: per document an index action with
// version_type external at its version, then the document. It returns how many were written
// (the rest were 409: the index already had that version or a newer one); any other failed
// item is an error naming the first.
func (c *Client) bulk(ctx context.Context, index string, docs []search.Document, requireAlias bool) (int, error) {
	if len(docs) == 0 {
		return 0, nil
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body) // one JSON value and "\n" per Encode: NDJSON
	for _, d := range docs {
		action := map[string]any{"index": map[string]any{"_index": index, "_id": d.ID,
			"version": d.Version, "version_type": "external"}}
		if err := enc.Encode(action); err != nil {
			return 0, err
		}
		if err := enc.Encode(toDoc(d)); err != nil {
			return 0, err
		}
	}
	path := "/_bulk"
	if requireAlias {
		path += "?require_alias=true"
	}
	var res bulkResponse
	if err := c.do(ctx, "POST", path, body.Bytes(), &res); err != nil {
		return 0, err
	}
	written := 0
	var failed []string
	for _, item := range res.Items {
		for _, r := range item {
			switch {
			case r.Status >= 200 && r.Status < 300:
				written++
			case r.Status == http.StatusConflict:
			default:
				msg := fmt.Sprintf("%s: %d", r.ID, r.Status)
				if r.Error != nil {
					msg += " " + r.Error.Type + ": " + r.Error.Reason
				}
				failed = append(failed, msg)
			}
		}
	}
	if len(failed) > 0 {
		return written, fmt.Errorf("opensearch: bulk: %d of %d failed, first %s", len(failed), len(docs),
			strings.TrimSpace(failed[0]))
	}
	return written, nil
}

var _ search.BulkIndexer = Indexer{}

// IndexDocuments writes docs through the alias in one bulk request (the search_sync job's
// changed products), with external versions and require_alias as IndexProduct: a copy the index
// already has at that version or newer is a 409, which is success.
func (ix Indexer) IndexDocuments(ctx context.Context, docs []search.Document) error {
	_, err := ix.Client.bulk(ctx, ix.Client.index, docs, true)
	return err
}
