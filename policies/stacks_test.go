package policies_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
	"github.com/shopstack/shopstack/policies"
)

// stacks are the stack names of every Pulumi.<stack>.yaml at the repository root.
func stacks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "Pulumi.*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no stack files")
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	return out
}

const repoRoot = ".."

// TestStacksHaveNoMandatoryViolations runs the real program of every
// Pulumi.<stack>.yaml under the recording mock and evaluates the whole pack,
// with the stack's own config (budget, production grade) and cost estimate.
func TestStacksHaveNoMandatoryViolations(t *testing.T) {
	for _, stack := range stacks(t) {
		t.Run(stack, func(t *testing.T) {
			// The golden options use a small committed site, so the test needs no `make site`.
			rec, err := plan.RecordStack(repoRoot, stack, plan.GoldenOptions)
			require.NoError(t, err)
			p, err := plan.FromResources(stack, repoRoot, rec.Recorder.Resources())
			require.NoError(t, err)
			rep, err := plan.RunPolicies(stack, rec.Config.Values, rec.Recorder.Resources(), &p.Cost.MonthlyUSD)
			require.NoError(t, err)
			require.NotZero(t, rep.Resources)
			assert.Empty(t, rep.Mandatory(), "%s", rep.Text())
			for _, f := range rep.Findings {
				assert.NotEqual(t, "cost-idle-budget", f.Rule, "the budget must be configured and met: %s", f.Message)
			}
			t.Log(rep.Text())
		})
	}
}

// TestStacksExerciseEveryResourceRule keeps the stack test honest: every
// per-resource rule meets at least one resource in some stack, so "no
// violations" is never the vacuous result of rules that saw nothing.
func TestStacksExerciseEveryResourceRule(t *testing.T) {
	types := map[string]bool{}
	for _, stack := range stacks(t) {
		rec, err := plan.Record(repoRoot, stack, plan.GoldenOptions)
		require.NoError(t, err)
		for _, r := range rec.Resources() {
			types[r.Type] = true
		}
	}
	for _, rule := range policies.All() {
		if rule.Check == nil {
			continue
		}
		hit := false
		for _, typ := range rule.Types {
			hit = hit || types[typ]
		}
		assert.True(t, hit, "%s applies to no resource of any stack (%v)", rule.ID, rule.Types)
	}
}

// TestStacksInPreview evaluates every stack as a first `pulumi preview` sees
// it: every input computed from another resource is unknown (secrets stay
// marked). Values a rule needs become "cannot evaluate" advisories, never a
// silent pass and never a mandatory violation.
//
// The preview is derived from the recorded program (property dependencies)
// rather than run with the mock's preview mode: the SDK's mock monitor (v3.230.0)
// cannot unmarshal an unknown secret input (random passwords in prod) and fails
// with "malformed RPC secret".
func TestStacksInPreview(t *testing.T) {
	for _, stack := range stacks(t) {
		t.Run(stack, func(t *testing.T) {
			rec, err := plan.RecordStack(repoRoot, stack, plan.GoldenOptions)
			require.NoError(t, err)
			recorded := rec.Recorder.Resources()
			preview := make([]pulumimock.Resource, len(recorded))
			for i, r := range recorded {
				preview[i] = r
				preview[i].Inputs = r.Inputs.Copy()
				for prop, deps := range r.PropertyDeps {
					key := resource.PropertyKey(prop)
					if v, ok := r.Inputs[key]; ok && len(deps) > 0 {
						unknown := resource.MakeComputed(resource.NewProperty(""))
						if v.ContainsSecrets() {
							unknown = resource.MakeSecret(unknown)
						}
						preview[i].Inputs[key] = unknown
					}
				}
			}

			rep, err := plan.RunPolicies(stack, rec.Config.Values, preview, nil)
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
