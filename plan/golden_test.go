package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/plan"
)

// TestGoldenPlans fails when the program's plan of a stack differs from its committed golden, so every
// infrastructure change lands with a reviewable diff of plan/testdata/plan.<stack>.json.
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

// TestDiffOfARealConfigChange plans prod as committed and with its search domain turned off and a bigger
// database disk: the diff must lead with the deleted domain and the changed database.
func TestDiffOfARealConfigChange(t *testing.T) {
	t.Parallel()
	site, err := filepath.Abs(filepath.Join(repoRoot, plan.GoldenOptions.SiteDir))
	require.NoError(t, err)
	opts := plan.Options{SiteDir: site}
	before, err := plan.Load(repoRoot, "prod", opts)
	require.NoError(t, err)

	prod, err := os.ReadFile(filepath.Join(repoRoot, "Pulumi.prod.yaml"))
	require.NoError(t, err)
	edited := strings.NewReplacer(
		"shopstack:searchMode: domain", "shopstack:searchMode: none",
		"shopstack:databaseStorageGb: 20", "shopstack:databaseStorageGb: 40",
	).Replace(string(prod))
	require.NotEqual(t, string(prod), edited, "Pulumi.prod.yaml still has the values this test edits")
	dir := fakeRepo(t, edited)
	require.NoError(t, os.Rename(filepath.Join(dir, "Pulumi.t.yaml"), filepath.Join(dir, "Pulumi.prod.yaml")))
	after, err := plan.Load(dir, "prod", opts)
	require.NoError(t, err)

	d := plan.Compare(before, after)
	assert.Less(t, d.NewUSD, d.OldUSD, "no search domain is cheaper")
	joined := strings.Join(d.Warnings, "\n")
	assert.Contains(t, joined, "search domain `data-search` (`aws:opensearch/domain:Domain`) is DELETED")
	assert.Contains(t, joined, "database `data-db` (`aws:rds/instance:Instance`) changes in place: `allocatedStorage`")
	md := d.Markdown()
	assert.Contains(t, md, "> [!CAUTION]")
	assert.Contains(t, md, "| `allocatedStorage` | `20` | `40` |")
}
