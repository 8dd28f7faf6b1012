package policies_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/policies"
)

func TestReport(t *testing.T) {
	t.Parallel()
	lb := res(tLB, "api", obj{"desyncMitigationMode": "monitor", "dropInvalidHeaderFields": true})
	dist := res(tDist, "cdn", obj{"defaultRootObject": unknown()})
	rules := []*policies.Rule{ruleByID(t, "elb-desync-mitigation"), ruleByID(t, "cloudfront-default-root-object"),
		ruleByID(t, "elb-drop-invalid-headers")}
	rep := policies.Evaluate([]policies.Resource{lb, dist}, dev, rules)

	require.Len(t, rep.Mandatory(), 1)
	m := rep.Mandatory()[0]
	assert.Equal(t, "elb-desync-mitigation", m.Rule)
	assert.Equal(t, "ELB.12", m.Control)
	assert.Equal(t, lb.URN, m.URN)

	var unknowns int
	for _, f := range rep.Advisories() {
		if f.Outcome == policies.CannotEvaluate {
			unknowns++
			assert.Equal(t, dist.URN, f.URN)
		}
	}
	assert.Equal(t, 1, unknowns)

	text := rep.Text()
	assert.Contains(t, text, "Policy report for stack dev")
	assert.Contains(t, text, "1 mandatory violations")
	assert.Contains(t, text, "MANDATORY elb-desync-mitigation (ELB.12): desyncMitigationMode is \"monitor\"")
	assert.Contains(t, text, "UNKNOWN   cloudfront-default-root-object (CloudFront.1): cannot evaluate")

	md := rep.Markdown()
	assert.Contains(t, md, "**Mandatory violations**")
	assert.Contains(t, md, "| `aws:lb/loadBalancer:LoadBalancer` `api` | elb-desync-mitigation (ELB.12) |")
	assert.Contains(t, md, "<details><summary>Advisories</summary>")
	assert.Less(t, strings.Index(md, "Mandatory"), strings.Index(md, "Advisories"))
}

func TestReportOrdersByResourceThenRule(t *testing.T) {
	t.Parallel()
	a := res(tLB, "a", obj{})
	b := res(tLB, "b", obj{})
	rep := policies.Evaluate([]policies.Resource{b, a}, dev, policies.All())
	require.NotEmpty(t, rep.Findings)
	for i := 1; i < len(rep.Findings); i++ {
		p, f := rep.Findings[i-1], rep.Findings[i]
		assert.True(t, p.URN < f.URN || p.URN == f.URN && p.Rule <= f.Rule, "%s/%s before %s/%s", p.URN, p.Rule, f.URN, f.Rule)
	}
}

func TestMarkdownEscapesTableCells(t *testing.T) {
	t.Parallel()
	lb := res(tLB, "api", obj{"desyncMitigationMode": "a|b"})
	md := policies.Evaluate([]policies.Resource{lb}, dev, []*policies.Rule{ruleByID(t, "elb-desync-mitigation")}).Markdown()
	assert.Contains(t, md, `desyncMitigationMode is "a\|b"`)
	assert.NotContains(t, md, "a|b")
}

func TestSettingsFromConfig(t *testing.T) {
	t.Parallel()
	s, err := policies.SettingsFromConfig("prod", map[string]string{
		"shopstack:protectStateful": "true", "shopstack:policyBudgetUsd": "250",
		"aws:defaultTags": `{"tags":{"project":"shopstack","stack":"prod"}}`,
	})
	require.NoError(t, err)
	assert.True(t, s.ProductionGrade, "protectStateful stands in for policyProductionGrade")
	assert.Equal(t, 250.0, s.BudgetUSD)
	assert.Equal(t, map[string]string{"project": "shopstack", "stack": "prod"}, s.DefaultTags)
	assert.Equal(t, policies.DefaultRequiredTags, s.RequiredTags)

	s, err = policies.SettingsFromConfig("dev", map[string]string{
		"shopstack:protectStateful": "true", "shopstack:policyProductionGrade": "false",
		"shopstack:policyRequiredTags": "owner, cost-center", "shopstack:policyMaxInstanceSize": "large",
	})
	require.NoError(t, err)
	assert.False(t, s.ProductionGrade, "the explicit key wins")
	assert.Equal(t, []string{"owner", "cost-center"}, s.RequiredTags)
	assert.Equal(t, "large", s.MaxInstanceSize)

	for key, val := range map[string]string{
		"shopstack:policyProductionGrade": "yes please", "shopstack:protectStateful": "maybe",
		"shopstack:policyBudgetUsd": "-3", "shopstack:policyMaxInstanceSize": "huge", "aws:defaultTags": "{",
	} {
		_, err := policies.SettingsFromConfig("dev", map[string]string{key: val})
		require.Error(t, err, key)
		assert.Contains(t, err.Error(), key)
	}
}

// TestReadmeListsEveryRule keeps the README's rule table in step with All().
func TestReadmeListsEveryRule(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(b)
	for _, r := range policies.All() {
		control, level, scope := r.Control, string(r.Level), "resource"
		if control == "" {
			control = "—"
		}
		if r.ProductionOnly {
			level = "mandatory in production-grade, else advisory"
		}
		if r.CheckStack != nil {
			scope = "stack"
		}
		row := fmt.Sprintf("| `%s` | %s | %s | %s | %s |\n", r.ID, control, level, scope, r.Title)
		assert.Contains(t, readme, row, "README rule table row for %s", r.ID)
	}
}
