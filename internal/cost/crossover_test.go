package cost_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/cost"
)

// readmeLoad is the load the README's "When to leave lite" table assumes (stacks/README.md).
func readmeLoad(rps float64) cost.Load {
	return cost.Load{RequestsPerSecond: rps, LambdaMs: 50, LambdaMb: 512, RequestKB: 10, RequestsPerTask: 25}
}

// TestCrossover computes the README's table and holds its shape: Lambda costs in proportion to the load,
// dev-shaped Fargate is mostly fixed, so the function is cheaper at 1 and 10 requests/s and dearer at 50.
func TestCrossover(t *testing.T) {
	t.Parallel()
	tab := table(t)
	got := map[float64]cost.Compute{}
	for _, rps := range []float64{1, 10, 50} {
		c, err := tab.AtLoad(readmeLoad(rps))
		require.NoError(t, err)
		got[rps] = c
		t.Logf("%g req/s: lambda $%.2f, fargate $%.2f (%d tasks)", rps, c.Lambda, c.Fargate, c.Tasks)
	}
	assert.InDelta(t, 10*got[1].Lambda, got[10].Lambda, 0.01, "Lambda is linear in the load")
	assert.Less(t, got[1].Lambda, got[1].Fargate)
	assert.Less(t, got[10].Lambda, got[10].Fargate)
	assert.Greater(t, got[50].Lambda, got[50].Fargate)
	assert.Equal(t, 2, got[50].Tasks)
	// Where the two meet, to the request per second.
	cross := 0.0
	for rps := 1.0; rps <= 50; rps++ {
		c, err := tab.AtLoad(readmeLoad(rps))
		require.NoError(t, err)
		if c.Lambda > c.Fargate {
			cross = rps
			break
		}
	}
	t.Logf("Lambda costs more from %g req/s", cross)
	assert.Positive(t, cross)
}
