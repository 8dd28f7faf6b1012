package plan_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/plan"
)

// TestGoldenPlans fails when the program's plan of a stack differs from its committed golden, so every
// infrastructure change lands with a reviewable diff of stacks/testdata/plan.<stack>.json.
func TestGoldenPlans(t *testing.T) {
	t.Parallel()
	stacks, err := plan.Stacks(repoRoot)
	require.NoError(t, err)
	require.NotEmpty(t, stacks)
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			p, err := plan.Load(repoRoot, stack, plan.GoldenOptions)
			require.NoError(t, err)
			got, err := p.JSON()
			require.NoError(t, err)
			want, err := os.ReadFile(plan.GoldenPath(repoRoot, stack))
			require.NoError(t, err, "no golden plan for stack %s: run `make plan-update`", stack)
			if string(got) == string(want) {
				return
			}
			old, err := plan.Parse(want)
			require.NoError(t, err)
			t.Fatalf("the plan of stack %s changed: review it, then run `make plan-update` and commit %s\n\n%s",
				stack, plan.GoldenPath(repoRoot, stack), plan.Compare(old, p).Markdown())
		})
	}
}

// TestPlanIsDeterministic guards the golden test itself: two runs of the same stack give the same bytes.
func TestPlanIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := plan.Load(repoRoot, "prod", plan.GoldenOptions)
	require.NoError(t, err)
	b, err := plan.Load(repoRoot, "prod", plan.GoldenOptions)
	require.NoError(t, err)
	ja, err := a.JSON()
	require.NoError(t, err)
	jb, err := b.JSON()
	require.NoError(t, err)
	require.Equal(t, string(ja), string(jb))
}
