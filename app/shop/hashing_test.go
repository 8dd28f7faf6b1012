package shop_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/internal/hashtest"
	"github.com/shopstack/shopstack/app/shop"
)

func TestHashConcurrency(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	tests := []struct {
		name     string
		memLimit uint64
		cpus     int
		want     int
	}{
		{"big machine, 2 CPUs: one CPU stays free", 24 << 30, 2, 1},
		{"big machine, 8 CPUs", 24 << 30, 8, 7},
		{"one CPU", 24 << 30, 1, 1},
		{"512 MiB task, 4 CPUs", 512 * mib, 4, 3},
		{"256 MiB task, 8 CPUs: memory decides", 256 * mib, 8, 3},
		{"tiny: at least one", 32 * mib, 4, 1},
		{"unknown memory", 0, 4, 3},
		{"no CPUs reported", 1 << 30, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, shop.HashConcurrency(tt.memLimit, tt.cpus))
		})
	}
}

func TestBoundedHasher(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := hashtest.New(shop.Argon2id{})
	b := shop.NewBoundedHasher(inner, 3, 200*time.Millisecond)
	require.Equal(t, 3, b.Limit())
	encoded, err := b.Hash(ctx, "correct horse")
	require.NoError(t, err)
	ok, err := b.Check(ctx, encoded, "correct horse")
	require.NoError(t, err)
	assert.True(t, ok)

	inner.Hold()
	defer inner.Release()
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = b.Check(ctx, encoded, "correct horse") })
	}
	require.True(t, hashtest.WaitFor(5*time.Second, func() bool { return inner.InFlight() == 3 }))
	time.Sleep(400 * time.Millisecond) // past the wait: the five without a slot have given up
	inner.Release()
	wg.Wait()
	var busy int
	for _, err := range errs {
		if err != nil {
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, shop.CodeBusy, e.Code)
			assert.Equal(t, time.Second, e.RetryAfter)
			busy++
		}
	}
	assert.Equal(t, 5, busy)
	_, _, maxInFlight := inner.Stats()
	assert.Equal(t, 3, maxInFlight)

	cancelled, cancel := context.WithCancel(ctx)
	inner.Hold()
	for range 3 {
		go func() { _, _ = b.Hash(ctx, "x") }()
	}
	require.True(t, hashtest.WaitFor(5*time.Second, func() bool { return inner.InFlight() == 3 }))
	cancel()
	_, err = b.Hash(cancelled, "x")
	assert.ErrorIs(t, err, context.Canceled, "a client that leaves stops waiting")
}
