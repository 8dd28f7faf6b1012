package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/shop"
)

var (
	_ shop.ImageStore    = (*Store)(nil)
	_ media.ImageSink    = (*Store)(nil)
	_ shop.InvoiceStore  = (*Store)(nil)
	_ media.UploadPruner = (*Store)(nil)
)

// CreateUpload records an upload slot.
func (s *Store) CreateUpload(ctx context.Context, u shop.Upload) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO uploads (key, content_type, size_bytes, created_by) VALUES ($1, $2, $3, $4)`,
		u.Key, u.ContentType, u.SizeBytes, u.CreatedBy)
	return mapError("create upload", err)
}

// Upload returns the upload slot at key.
func (s *Store) Upload(ctx context.Context, key string) (shop.Upload, error) {
	u := shop.Upload{Key: key}
	err := s.pool.QueryRow(ctx, `SELECT content_type, size_bytes, created_by::text, created_at FROM uploads WHERE key = $1`, key).
		Scan(&u.ContentType, &u.SizeBytes, &u.CreatedBy, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Upload{}, shop.Errorf(shop.CodeNotFound, "no upload with this key")
	}
	return u, mapError("get upload", err)
}

// SetProductImage makes the upload at key the product's next picture version and enqueues its
// product_image job in the same transaction. The upload's slot is read FOR SHARE first, so the
// prune job (which deletes slots FOR its own transaction) cannot remove it under the attach: a
// slot already pruned is not found.
func (s *Store) SetProductImage(ctx context.Context, productID, key string) (shop.Product, error) {
	var p shop.Product
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM uploads WHERE key = $1 FOR SHARE)`, key).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return &shop.Error{Code: shop.CodeInvalidInput, Message: "the upload cannot be used: it expired or was never made",
				Details: []shop.FieldError{{Field: "key", Problem: "no upload with this key (it expired or was never made)"}}}
		}
		var version int64
		err := tx.QueryRow(ctx, `
			UPDATE products SET image_key = $2, image_version = image_version + 1, updated_at = now()
			WHERE id = $1
			RETURNING `+productColumns+`, image_version`, productID, key).Scan(&p.ID, &p.SKU, &p.Name, &p.Description,
			&p.PriceCents, &p.Currency, &p.Stock, &p.Category, &p.ImageURL, &p.Images, &version)
		if err != nil {
			return err
		}
		if _, err := s.jobs.InsertTx(ctx, tx, media.ImageArgs{ProductID: productID, Version: version, Key: key}, nil); err != nil {
			return fmt.Errorf("enqueue product_image: %w", err)
		}
		return nil
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Product{}, shop.Errorf(shop.CodeNotFound, "no product with this id")
	}
	return p, mapError("set product image", err)
}

// SetProductImages records the variants of picture number version, unless a newer upload
// superseded it; the product's image_url becomes the card variant. The write is a product
// write like any other: a new version and its search_index job, in one transaction.
func (s *Store) SetProductImages(ctx context.Context, productID string, version int64, images shop.ProductImages) (bool, error) {
	ok := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var v int64
		err := tx.QueryRow(ctx, `
			UPDATE products SET images = $3, image_url = $4, updated_at = now(), version = version + 1
			WHERE id = $1 AND image_version = $2
			RETURNING version`, productID, version, images, images.Card).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return s.enqueueIndex(ctx, tx, productID, v)
	})
	return ok, mapError("set product images", err)
}

// InvoiceKey returns where the order's document of kind is stored, once it has been made.
func (s *Store) InvoiceKey(ctx context.Context, orderID, kind string) (string, bool, error) {
	var key string
	err := s.pool.QueryRow(ctx, `SELECT key FROM invoices WHERE order_id = $1 AND kind = $2`, orderID, kind).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, mapError("invoice key", err)
	}
	return key, true, nil
}

// InvoiceOrder reads an order with its customer, for its invoice.
func (s *Store) InvoiceOrder(ctx context.Context, orderID string) (shop.InvoiceOrder, error) {
	var userID string
	var io shop.InvoiceOrder
	err := s.pool.QueryRow(ctx, `SELECT o.user_id::text, u.name, u.email, o.cancelled_at
		FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = $1`, orderID).
		Scan(&userID, &io.CustomerName, &io.CustomerEmail, &io.CancelledAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.InvoiceOrder{}, shop.Errorf(shop.CodeNotFound, "no order with this id")
	}
	if err != nil {
		return shop.InvoiceOrder{}, mapError("invoice order", err)
	}
	if io.Order, err = s.GetOrder(ctx, userID, orderID); err != nil {
		return shop.InvoiceOrder{}, err
	}
	if io.CancelledAt != nil {
		t := io.CancelledAt.UTC()
		io.CancelledAt = &t
	}
	return io, nil
}

// RecordInvoice notes the document's key; a repeat (a retried job) writes the same key again.
func (s *Store) RecordInvoice(ctx context.Context, orderID, kind, key string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO invoices (order_id, kind, key) VALUES ($1, $2, $3)
		ON CONFLICT (order_id, kind) DO UPDATE SET key = EXCLUDED.key`, orderID, kind, key)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == pgerrcode.ForeignKeyViolation {
		return shop.Errorf(shop.CodeNotFound, "no order with this id")
	}
	return mapError("record invoice", err)
}

// PruneUploads deletes, one transaction each, the upload slots created before before that no
// product has as its picture (image_key): the row's delete commits only once remove deleted the
// object, so an object that could not be deleted keeps its row for the next prune.
func (s *Store) PruneUploads(ctx context.Context, before time.Time, limit int,
	remove func(ctx context.Context, key string) error) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT key FROM uploads u WHERE created_at < $1
		AND NOT EXISTS (SELECT 1 FROM products p WHERE p.image_key = u.key) ORDER BY created_at LIMIT $2`, before, limit)
	if err != nil {
		return 0, mapError("unused uploads", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, mapError("unused uploads", err)
	}
	n := 0
	for _, key := range keys {
		deleted := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `DELETE FROM uploads u WHERE key = $1
				AND NOT EXISTS (SELECT 1 FROM products p WHERE p.image_key = u.key)`, key)
			if err != nil || tag.RowsAffected() == 0 {
				return err // taken by a product meanwhile: kept
			}
			deleted = true
			return remove(ctx, key)
		})
		if err != nil {
			return n, mapError("prune upload "+key, err)
		}
		if deleted {
			n++
		}
	}
	return n, nil
}
