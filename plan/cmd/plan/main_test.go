package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/plan"
)

const root = "../../.."

func TestPlanTextAndJSON(t *testing.T) {
	t.Parallel()
	var text bytes.Buffer
	require.NoError(t, run([]string{"-root", root, "-site", plan.GoldenOptions.SiteDir, "-stack", "dev", "-format", "text"}, &text))
	assert.Contains(t, text.String(), `Offline plan of stack "dev"`)
	assert.Contains(t, text.String(), "Estimated idle monthly cost: $")
	assert.Contains(t, text.String(), "Policy report for stack dev")
	tree, report, ok := strings.Cut(text.String(), "\nPolicies\n")
	require.True(t, ok)
	findings := 0
	for _, line := range strings.Split(report, "\n") {
		// Stack-level findings name the stack, which the tree leaves out.
		if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && !strings.Contains(line, "pulumi:pulumi:Stack") {
			findings++
			assert.Contains(t, tree, strings.TrimSpace(line)+" ", "the tree and the policy report spell the type alike")
		}
	}
	assert.NotZero(t, findings, "dev has advisories to compare")
	assert.Contains(t, tree, "the site's files, 372 bytes")
	assert.NotContains(t, tree, "site-asset-index.html")

	var files bytes.Buffer
	require.NoError(t, run([]string{"-root", root, "-site", plan.GoldenOptions.SiteDir, "-stack", "dev", "-site-files"}, &files))
	assert.Contains(t, files.String(), "site-asset-index.html (265 bytes)")

	var js bytes.Buffer
	require.NoError(t, run([]string{"-root", root, "-site", plan.GoldenOptions.SiteDir, "-stack", "prod", "-format", "json"}, &js))
	p, err := plan.Parse(js.Bytes())
	require.NoError(t, err)
	assert.Equal(t, "prod", p.Stack)
	assert.NotEmpty(t, p.Resources)
}

func TestPlanRejectsBadArguments(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	assert.ErrorContains(t, run([]string{"-root", root, "-format", "yaml"}, &out), `-format "yaml": want text or json`)
	assert.ErrorContains(t, run([]string{"-root", root, "-stack", "staging"}, &out), `stack "staging"`)
	assert.ErrorContains(t, run([]string{"diff", "one.json"}, &out), "usage: plan diff")
}

func TestPlanDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p, err := plan.Load(root, "dev", plan.GoldenOptions)
	require.NoError(t, err)
	b, err := p.JSON()
	require.NoError(t, err)
	newPath := filepath.Join(dir, "new.json")
	require.NoError(t, os.WriteFile(newPath, b, 0o600))

	var same bytes.Buffer
	require.NoError(t, run([]string{"diff", newPath, newPath}, &same))
	assert.Contains(t, same.String(), "No resource changes.")

	var withPolicies bytes.Buffer
	require.NoError(t, run([]string{"diff", "-policies", root, newPath, newPath}, &withPolicies))
	assert.Contains(t, withPolicies.String(), "#### Policies")
	assert.Contains(t, withPolicies.String(), "mandatory violations")

	var fresh bytes.Buffer
	require.NoError(t, run([]string{"diff", filepath.Join(dir, "missing.json"), newPath}, &fresh))
	assert.Contains(t, fresh.String(), "#### Added (")
	assert.Contains(t, fresh.String(), "| `site`: 4 files, 372 bytes;")
	assert.NotContains(t, fresh.String(), "site-asset-index.html")

	var freshFiles bytes.Buffer
	require.NoError(t, run([]string{"diff", "-site-files", filepath.Join(dir, "missing.json"), newPath}, &freshFiles))
	assert.Contains(t, freshFiles.String(), "| `site-asset-index.html` |")

	var cut bytes.Buffer
	require.NoError(t, run([]string{"diff", "-max-bytes", "300", filepath.Join(dir, "missing.json"), newPath}, &cut))
	assert.LessOrEqual(t, cut.Len(), 300)

	other := strings.Replace(string(b), `"stack": "dev"`, `"stack": "prod"`, 1)
	otherPath := filepath.Join(dir, "other.json")
	require.NoError(t, os.WriteFile(otherPath, []byte(other), 0o600))
	assert.ErrorContains(t, run([]string{"diff", otherPath, newPath}, &cut), `is stack "prod" but`)
}

// Several stacks render into one pull-request comment: the whole body, not each stack's part, stays under
// -max-bytes, and every stack keeps its heading.
func TestPlanDiffOfSeveralStacksFitsOneComment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var args []string
	for _, stack := range []string{"dev", "prod", "staging"} {
		p, err := plan.Load(root, "dev", plan.GoldenOptions)
		require.NoError(t, err)
		p.Stack = stack
		b, err := p.JSON()
		require.NoError(t, err)
		newPath := filepath.Join(dir, stack+".json")
		require.NoError(t, os.WriteFile(newPath, b, 0o600))
		args = append(args, filepath.Join(dir, "missing-"+stack+".json"), newPath)
	}
	var full bytes.Buffer
	require.NoError(t, run(append([]string{"diff"}, args...), &full))
	require.Greater(t, full.Len(), 6000, "the uncut diff is longer than the limit below")

	var cut bytes.Buffer
	require.NoError(t, run(append([]string{"diff", "-max-bytes", "6000"}, args...), &cut))
	assert.LessOrEqual(t, cut.Len(), 6000)
	for _, stack := range []string{"dev", "prod", "staging"} {
		assert.Contains(t, cut.String(), "### Stack `"+stack+"`")
	}
	assert.ErrorContains(t, run([]string{"diff", args[0], args[1], args[2]}, &cut), "usage: plan diff")
}

// A stack with a short diff leaves its unused share to the others: the long one is cut to what remains,
// not to an equal split.
func TestPlanDiffSharesTheBudgetFairly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p, err := plan.Load(root, "dev", plan.GoldenOptions)
	require.NoError(t, err)
	b, err := p.JSON()
	require.NoError(t, err)
	devPath := filepath.Join(dir, "dev.json")
	require.NoError(t, os.WriteFile(devPath, b, 0o600))
	args := []string{devPath, devPath, filepath.Join(dir, "missing.json"), devPath} // unchanged, then all added

	var full bytes.Buffer
	require.NoError(t, run(append([]string{"diff"}, args...), &full))
	require.Greater(t, full.Len(), 4000)

	var cut bytes.Buffer
	require.NoError(t, run(append([]string{"diff", "-max-bytes", "4000"}, args...), &cut))
	assert.LessOrEqual(t, cut.Len(), 4000)
	assert.Greater(t, cut.Len(), 3500, "the short diff's unused share goes to the long one")
	assert.Contains(t, cut.String(), "No resource changes.")
}
