package plan_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/cost"
	"github.com/shopstack/shopstack/plan"
)

const urnPrefix = "urn:pulumi:dev::shopstack::"

func res(typ, name string, inputs map[string]any) plan.Resource {
	return plan.Resource{URN: urnPrefix + typ + "::" + name, Type: typ, Name: name, Inputs: inputs}
}

func withCost(stack string, usd float64, rs ...plan.Resource) *plan.Plan {
	p := &plan.Plan{Stack: stack, Resources: rs, Cost: plan.Cost{MonthlyUSD: usd}}
	for _, r := range rs {
		p.Cost.Items = append(p.Cost.Items, cost.Item{URN: r.URN, Type: r.Type, Basis: "free: test"})
	}
	return p
}

func basePlan() *plan.Plan {
	db := res("aws:rds/instance:Instance", "db", map[string]any{
		"engine": "postgres", "instanceClass": "db.t4g.micro", "multiAz": false, "storageEncrypted": true})
	db.Protect = true
	return withCost("dev", 30,
		db,
		res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"cidrBlock": "10.0.0.0/16"}),
		res("aws:s3/bucketV2:BucketV2", "media", map[string]any{"forceDestroy": false}),
		res("aws:ec2/securityGroup:SecurityGroup", "sg", map[string]any{"ingress": []any{map[string]any{"fromPort": 443.0}}}),
	)
}

func TestCompareNoChanges(t *testing.T) {
	t.Parallel()
	d := plan.Compare(basePlan(), basePlan())
	assert.Empty(t, d.Added)
	assert.Empty(t, d.Removed)
	assert.Empty(t, d.Changed)
	assert.Empty(t, d.Warnings)
	md := d.Markdown()
	assert.Contains(t, md, "No resource changes.")
	assert.Contains(t, md, "$30.00 → $30.00 (**±$0.00**)")
	assert.NotContains(t, md, "CAUTION")
}

func TestCompareAddedRemovedChangedWithCostDelta(t *testing.T) {
	t.Parallel()
	old := basePlan()
	next := withCost("dev", 42.5,
		old.Resources[0],
		res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"cidrBlock": "10.1.0.0/16"}),
		res("aws:ec2/securityGroup:SecurityGroup", "sg", map[string]any{"ingress": []any{map[string]any{"fromPort": 80.0}}}),
		res("aws:ec2/natGateway:NatGateway", "nat", map[string]any{}),
	)
	d := plan.Compare(old, next)

	require.Len(t, d.Added, 1)
	assert.Equal(t, "nat", d.Added[0].Name)
	require.Len(t, d.Removed, 1)
	assert.Equal(t, "media", d.Removed[0].Name)
	require.Len(t, d.Changed, 2)
	assert.Equal(t, "vpc", d.Changed[0].New.Name)
	assert.Equal(t, []plan.Change{{Path: "cidrBlock", Before: "10.0.0.0/16", After: "10.1.0.0/16"}}, d.Changed[0].Changes)
	assert.Equal(t, []plan.Change{{Path: "ingress[0].fromPort", Before: 443.0, After: 80.0}}, d.Changed[1].Changes)

	require.Len(t, d.Warnings, 1, "the removed bucket is stateful")
	assert.Contains(t, d.Warnings[0], "bucket `media` (`aws:s3/bucketV2:BucketV2`) is DELETED with its data")

	md := d.Markdown()
	assert.Contains(t, md, "> [!CAUTION]")
	assert.Less(t, strings.Index(md, "CAUTION"), strings.Index(md, "#### Added"), "the warning comes first")
	assert.Contains(t, md, "$30.00 → $42.50 (**+$12.50**)")
	assert.Contains(t, md, "#### Added (1)")
	assert.Contains(t, md, "| `nat` | `aws:ec2/natGateway:NatGateway` |")
	assert.Contains(t, md, "#### Removed (1)")
	assert.Contains(t, md, "#### Changed (2)")
	assert.Contains(t, md, "| `cidrBlock` | `\"10.0.0.0/16\"` | `\"10.1.0.0/16\"` |")
	assert.Contains(t, md, "| `ingress[0].fromPort` | `443` | `80` |")
}

func TestCompareStatefulChanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(db *plan.Resource)
		replaces bool
		warning  string
	}{
		{"in-place change", func(db *plan.Resource) { db.Inputs["multiAz"] = true }, false,
			"database `db` (`aws:rds/instance:Instance`) changes in place: `multiAz`"},
		{"replace-forcing change", func(db *plan.Resource) { db.Inputs["storageEncrypted"] = false }, true,
			"database `db` (`aws:rds/instance:Instance`) is REPLACED (data loss) by a change to `storageEncrypted`"},
		{"protect removed", func(db *plan.Resource) { db.Protect = false }, false,
			"database `db` (`aws:rds/instance:Instance`) loses `protect`"},
		{"moved to a new URN", func(db *plan.Resource) { db.URN = urnPrefix + "shopstack:index:Data$aws:rds/instance:Instance::db" }, false,
			"moves to a new URN: without `pulumi.Aliases` Pulumi REPLACES it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			next := basePlan()
			db := &next.Resources[0]
			db.Inputs = map[string]any{}
			for k, v := range basePlan().Resources[0].Inputs {
				db.Inputs[k] = v
			}
			tc.edit(db)
			d := plan.Compare(basePlan(), next)
			require.Len(t, d.Warnings, 1)
			assert.Contains(t, d.Warnings[0], tc.warning)
			if len(d.Changed) > 0 {
				assert.Equal(t, tc.replaces, d.Changed[0].Replaces)
			}
			md := d.Markdown()
			assert.Contains(t, md, "**This change touches stateful resources.**")
			if tc.replaces {
				assert.Contains(t, md, "— **replaces**")
			}
		})
	}
}

func TestCompareLooksInsideJSONStrings(t *testing.T) {
	t.Parallel()
	policy := func(action string) plan.Resource {
		return res("aws:iam/rolePolicy:RolePolicy", "task-policy", map[string]any{
			"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + action + `"],"Resource":["*"]}]}`,
		})
	}
	old := withCost("dev", 1, policy("s3:GetObject"))
	next := withCost("dev", 1, policy("s3:*"))
	d := plan.Compare(old, next)
	require.Len(t, d.Changed, 1)
	assert.Equal(t, []plan.Change{{Path: "policy(json).Statement[0].Action[0]", Before: "s3:GetObject", After: "s3:*"}}, d.Changed[0].Changes)
}

func TestCompareStatelessChangeHasNoWarning(t *testing.T) {
	t.Parallel()
	next := basePlan()
	next.Resources[1] = res("aws:ec2/vpc:Vpc", "vpc", map[string]any{"cidrBlock": "10.9.0.0/16"})
	d := plan.Compare(basePlan(), next)
	assert.Len(t, d.Changed, 1)
	assert.Empty(t, d.Warnings)
	assert.NotContains(t, d.Markdown(), "CAUTION")
}

func TestMarkdownSections(t *testing.T) {
	t.Parallel()
	md := plan.Compare(basePlan(), basePlan()).Markdown(plan.Section{Title: "Policies", Markdown: "0 violations"})
	assert.Contains(t, md, "#### Policies\n\n0 violations")
}

func TestJSONRoundTripAndStableOrder(t *testing.T) {
	t.Parallel()
	p := basePlan()
	b1, err := p.JSON()
	require.NoError(t, err)
	back, err := plan.Parse(b1)
	require.NoError(t, err)
	b2, err := back.JSON()
	require.NoError(t, err)
	assert.Equal(t, string(b1), string(b2))
	s := string(b1)
	for _, k := range []string{`"stack"`, `"resources"`, `"urn"`, `"type"`, `"name"`, `"parent"`, `"inputs"`, `"cost"`, `"monthly_usd"`, `"items"`, `"basis"`} {
		assert.Contains(t, s, k)
	}
	assert.Less(t, strings.Index(s, `"engine"`), strings.Index(s, `"instanceClass"`), "object keys sorted")
	_, err = plan.Parse([]byte(`{"resources":[]}`))
	assert.ErrorContains(t, err, "not a plan file")
}

func TestTextRendersTreeCostAndSections(t *testing.T) {
	t.Parallel()
	comp := plan.Resource{URN: urnPrefix + "shopstack:index:Data::data", Type: "shopstack:index:Data", Name: "data", Inputs: map[string]any{}}
	db := res("aws:rds/instance:Instance", "data-db", map[string]any{"instanceClass": "db.t4g.micro", "masterPassword": "[secret]"})
	db.Parent = comp.URN
	db.Protect = true
	p := &plan.Plan{Stack: "dev", Resources: []plan.Resource{comp, db}, Cost: plan.Cost{MonthlyUSD: 12.5, Items: []cost.Item{
		{URN: comp.URN, Type: comp.Type, Basis: "free: component"},
		{URN: db.URN, Type: db.Type, MonthlyUSD: 12.5, Basis: "rds.postgres.db.t4g.micro × 1 × 730 h × $0.016"},
	}}, Sections: []plan.Section{{Title: "Policies", Text: "all pass"}}}
	var b strings.Builder
	require.NoError(t, p.Text(&b))
	out := b.String()
	assert.Contains(t, out, "shopstack:index:Data data  $12.50/mo\n")
	assert.Contains(t, out, "  aws:rds/instance:Instance data-db [protected]  $12.50/mo (rds.postgres")
	assert.Contains(t, out, `instanceClass = "db.t4g.micro"`)
	assert.NotContains(t, out, "masterPassword", "only the shown inputs are printed")
	assert.Contains(t, out, "Estimated idle monthly cost: $12.50")
	assert.Contains(t, out, "Policies\nall pass")
}

func TestTruncateKeepsCommentsUnderTheLimit(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("<details><summary>x</summary>\n\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("| `prop` | `é` | `ü` |\n")
	}
	md := b.String()
	out := plan.Truncate(md, 65000)
	assert.LessOrEqual(t, len(out), 65000)
	assert.True(t, utf8.ValidString(out))
	assert.Contains(t, out, "Output truncated")
	assert.Equal(t, strings.Count(out, "<details>"), strings.Count(out, "</details>"), "an open block is closed")
	assert.Equal(t, "short", plan.Truncate("short", 65000))
}

// A list that grows or shrinks (an environment variable removed) names the element that went or came,
// instead of two whole lists cut to the same prefix.
func TestCompareListOfDifferentLengthNamesTheElements(t *testing.T) {
	t.Parallel()
	env := func(names ...string) plan.Resource {
		var vars []any
		for _, n := range names {
			vars = append(vars, map[string]any{"name": n, "value": "https://example.com/" + strings.Repeat("x", 90)})
		}
		return res("aws:ecs/taskDefinition:TaskDefinition", "task", map[string]any{"environment": vars})
	}
	d := plan.Compare(withCost("dev", 1, env("A", "SEARCH_URL", "Z")), withCost("dev", 1, env("A", "Z")))
	require.Len(t, d.Changed, 1)
	removed := map[string]any{"name": "SEARCH_URL", "value": "https://example.com/" + strings.Repeat("x", 90)}
	assert.Equal(t, []plan.Change{{Path: "environment[1]", Before: removed, After: nil}}, d.Changed[0].Changes)
	md := d.Markdown()
	assert.Contains(t, md, "| `environment[1]` | `{\"name\":\"SEARCH_URL\"")
	assert.Contains(t, md, "| _(absent)_ |\n")

	d = plan.Compare(withCost("dev", 1, env("A")), withCost("dev", 1, env("A", "B")))
	require.Len(t, d.Changed, 1)
	assert.Equal(t, []plan.Change{{Path: "environment[1]", Before: nil, After: env("A", "B").Inputs["environment"].([]any)[1]}}, d.Changed[0].Changes)
}

// The replacement warning names the input that forces it; an in-place change made alongside is listed as such.
func TestReplacementWarningNamesTheForcingInput(t *testing.T) {
	t.Parallel()
	next := basePlan()
	db := &next.Resources[0]
	db.Inputs = map[string]any{"engine": "postgres", "instanceClass": "db.m7g.large", "multiAz": false, "storageEncrypted": false}
	d := plan.Compare(basePlan(), next)
	require.Len(t, d.Warnings, 1)
	assert.Equal(t, "database `db` (`aws:rds/instance:Instance`) is REPLACED (data loss) by a change to `storageEncrypted`; also changes `instanceClass`", d.Warnings[0])
}

// A long diff is cut from its resource details, never from the policy report: a mandatory violation must
// reach the pull request however many resources change.
func TestTruncateKeepsThePolicyReport(t *testing.T) {
	t.Parallel()
	next := basePlan()
	for i := 0; i < 500; i++ {
		next.Resources = append(next.Resources, res("aws:ec2/subnet:Subnet", "subnet-"+strings.Repeat("n", 20)+strconv.Itoa(i), map[string]any{}))
	}
	md := plan.Compare(basePlan(), next).Markdown(plan.Section{Title: "Policies", Markdown: ":no_entry: **Mandatory violations**: rds-storage-encrypted"})
	out := plan.Truncate(md, 4000)
	assert.LessOrEqual(t, len(out), 4000)
	assert.Contains(t, out, "Output truncated")
	assert.Contains(t, out, "#### Policies\n\n:no_entry: **Mandatory violations**: rds-storage-encrypted")
	assert.Less(t, strings.Index(out, "#### Policies"), strings.Index(out, "#### Added"), "the report comes before the resource lists")
}

func TestTruncateToLessThanItsNote(t *testing.T) {
	t.Parallel()
	md := strings.Repeat("é line\n", 100)
	for _, max := range []int{0, 1, 5, 40} {
		out := plan.Truncate(md, max)
		assert.LessOrEqual(t, len(out), max, "max %d", max)
		assert.True(t, utf8.ValidString(out), "max %d", max)
	}
}

// The stateful set is by what a resource holds, not by one spelling of its type: the Elasticsearch alias of a
// search domain, a DynamoDB table and an EFS file system lose data when deleted too.
func TestStatefulAliasesAndOtherDataStores(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ typ, kind string }{
		{"aws:elasticsearch/domain:Domain", "search domain"},
		{"aws:dynamodb/table:Table", "table"},
		{"aws:efs/fileSystem:FileSystem", "file system"},
	} {
		gone := res(tc.typ, "store", map[string]any{})
		d := plan.Compare(withCost("dev", 1, gone), withCost("dev", 1))
		require.Len(t, d.Warnings, 1, tc.typ)
		assert.Equal(t, tc.kind+" `store` (`"+tc.typ+"`) is DELETED with its data", d.Warnings[0])
	}
}

// A replace-forcing input that is a list forces a replacement when one element changes too: moving an Aurora
// cluster to another zone, or a search domain to another subnet, is reported as data loss, not an update.
func TestReplacementByOneElementOfAList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, input, path, kind string
		before, after          map[string]any
	}{
		{"aws:rds/cluster:Cluster", "availabilityZones", "availabilityZones[1]", "database",
			map[string]any{"availabilityZones": []any{"us-east-1a", "us-east-1b"}},
			map[string]any{"availabilityZones": []any{"us-east-1a", "us-east-1c"}}},
		{"aws:opensearch/domain:Domain", "vpcOptions.subnetIds", "vpcOptions.subnetIds[0]", "search domain",
			map[string]any{"vpcOptions": map[string]any{"subnetIds": []any{"subnet-1", "subnet-2"}}},
			map[string]any{"vpcOptions": map[string]any{"subnetIds": []any{"subnet-9", "subnet-2"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			t.Parallel()
			d := plan.Compare(withCost("dev", 1, res(tc.typ, "store", tc.before)), withCost("dev", 1, res(tc.typ, "store", tc.after)))
			require.Len(t, d.Changed, 1)
			require.Len(t, d.Changed[0].Changes, 1)
			assert.Equal(t, tc.path, d.Changed[0].Changes[0].Path)
			assert.True(t, d.Changed[0].Replaces, "a changed element of %s forces a replacement", tc.input)
			require.Len(t, d.Warnings, 1)
			assert.Equal(t, tc.kind+" `store` (`"+tc.typ+"`) is REPLACED (data loss) by a change to `"+tc.path+"`", d.Warnings[0])
		})
	}
}

// Truncating a diff with no open <details> block adds no stray closing tag.
func TestTruncateOutsideDetailsClosesNothing(t *testing.T) {
	t.Parallel()
	md := "#### Policies\n\n" + strings.Repeat("| `prop` | `a` | `b` |\n", 500)
	out := plan.Truncate(md, 2000)
	assert.LessOrEqual(t, len(out), 2000)
	assert.Contains(t, out, "Output truncated")
	assert.NotContains(t, out, "</details>")
	assert.True(t, strings.HasPrefix(out, "#### Policies\n\n| `prop` | `a` | `b` |\n"))
}
