package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/search/searchtest"
	"github.com/shopstack/shopstack/app/shop"
)

func TestSearchContract(t *testing.T) {
	t.Parallel()
	searchtest.Run(t, func(t *testing.T, catalog []shop.NewProduct) shop.ProductSearcher {
		ctx := context.Background()
		s := migratedStore(t, 4)
		for i, p := range catalog {
			created, err := s.CreateProduct(ctx, p)
			require.NoError(t, err)
			// Products created within one clock tick would tie under the newest sort.
			_, err = s.Pool().Exec(ctx, "UPDATE products SET created_at = '2026-01-01'::timestamptz + $2 * interval '1 minute' WHERE id = $1",
				created.ID, i)
			require.NoError(t, err)
		}
		return s
	})
}
