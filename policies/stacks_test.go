package policies_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/plan"
	"github.com/shopstack/shopstack/policies"
)

// TestStacksHaveNoMandatoryViolations runs the real program of every
// Pulumi.<stack>.yaml under the recording mock and evaluates the whole pack.
func TestStacksHaveNoMandatoryViolations(t *testing.T) {
	const root = ".."
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no stack files")
	for _, f := range files {
		stack := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
		t.Run(stack, func(t *testing.T) {
			// The golden options use a small committed site, so the test needs no `make site`.
			rec, err := plan.Record(root, stack, plan.GoldenOptions)
			require.NoError(t, err)
			sc, err := plan.ReadStackConfig(root, stack)
			require.NoError(t, err)
			p, err := plan.FromResources(stack, root, rec.Resources())
			require.NoError(t, err)
			rep, err := policies.Run(stack, sc.Values, rec.Resources(), &p.Cost.MonthlyUSD)
			require.NoError(t, err)
			require.NotZero(t, rep.Resources)
			assert.Empty(t, rep.Mandatory(), "%s", rep.Text())
			t.Log(rep.Text())
		})
	}
}
