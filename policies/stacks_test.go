package policies_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/plan"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/policies"
	"github.com/shopstack/shopstack/stacks/infra"
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

// TestStacksInPreview runs every stack as `pulumi preview` does (what AWS
// computes stays unknown): values a rule needs become "cannot evaluate"
// advisories, never a silent pass and never a mandatory violation.
func TestStacksInPreview(t *testing.T) {
	const root = ".."
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	require.NoError(t, err)
	for _, f := range files {
		stack := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
		t.Run(stack, func(t *testing.T) {
			sc, err := plan.ReadStackConfig(root, stack)
			require.NoError(t, err)
			site, err := filepath.Abs(filepath.Join(root, plan.GoldenOptions.SiteDir))
			require.NoError(t, err)
			sc.Values[infra.Project+":siteDir"] = site
			rec := pulumimock.New(pulumimock.WithRegion(sc.Values["aws:region"]))
			require.NoError(t, pulumimock.RunProgram(rec, pulumimock.RunOptions{
				Project: infra.Project, Stack: stack, Config: sc.Values, SecretKeys: sc.SecretKeys, Preview: true,
			}, infra.Program))

			rep, err := policies.Run(stack, sc.Values, rec.Resources(), nil)
			require.NoError(t, err)
			assert.Empty(t, rep.Mandatory(), "%s", rep.Text())
			var unknown []policies.Finding
			for _, f := range rep.Findings {
				if f.Outcome == policies.CannotEvaluate {
					assert.Equal(t, policies.Advisory, f.Level)
					unknown = append(unknown, f)
				}
			}
			assert.NotEmpty(t, unknown, "a preview leaves values unknown; the report must say so")
			t.Log(rep.Text())
		})
	}
}
