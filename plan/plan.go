// Package plan runs a stack's real Pulumi program offline, under the recording mock and with that stack's
// config file, and turns what it registers into a reviewable plan: the resource tree with inputs (secrets
// redacted), the idle monthly cost, a text and a JSON rendering, and a markdown diff of two plans.
package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shopstack/shopstack/internal/cost"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/stacks/infra"
)

// Plan is one stack's offline plan. Its JSON form is the golden file format.
type Plan struct {
	Stack     string     `json:"stack"`
	Resources []Resource `json:"resources"`
	Cost      Cost       `json:"cost"`
	// Sections are extra reports appended to the text and markdown renderings (e.g. the policy report);
	// they are not part of the JSON.
	Sections []Section `json:"-"`
	// SiteFiles makes the text rendering list every file a StaticSite uploads instead of summarising them.
	SiteFiles bool `json:"-"`
}

// Resource is one registered resource.
type Resource struct {
	URN    string         `json:"urn"`
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	Parent string         `json:"parent"`
	Inputs map[string]any `json:"inputs"`
	// Protect is Pulumi's protect option: a protected resource cannot be deleted or replaced by `pulumi up`.
	Protect bool `json:"protect,omitempty"`
	// PluginVersion is the plugin version an explicit provider was registered with: the SDK's own, or a
	// second plugin for a resource the pinned SDK lacks (components.FlatRateProviderVersion).
	PluginVersion string `json:"plugin_version,omitempty"`
	// Bytes is the size of the file the resource uploads (a file asset "source", as a site's objects have): the
	// upload's size, and a change of content under the same name, which the asset's path alone would hide.
	Bytes int64 `json:"bytes,omitempty"`
}

// Cost is the idle monthly cost.
type Cost struct {
	MonthlyUSD float64     `json:"monthly_usd"`
	Items      []cost.Item `json:"items"`
}

// Section is an extra report for the renderings.
type Section struct {
	Title    string
	Text     string // for the text rendering
	Markdown string // for the plan-diff comment
}

// Options tune a run.
type Options struct {
	// SiteDir overrides the stack's siteDir (relative to the repository root). The goldens use a small fixed
	// site so they change with the infrastructure, not with every storefront build.
	SiteDir string
	// LambdaArchive overrides the stack's lambdaArchive (relative to the repository root): the goldens use a
	// small fixed zip, so they do not change with every build of the shop.
	LambdaArchive string
}

// Recording is one offline run of a stack's program.
type Recording struct {
	Stack    string
	Config   StackConfig // the effective configuration the program ran with
	Recorder *pulumimock.Recorder
}

// Record runs the stack's program under a fresh recording mock with the stack's effective configuration
// (Pulumi.yaml defaults overlaid with Pulumi.<stack>.yaml) and returns the recorder.
func Record(repoRoot, stack string, opts ...Options) (*pulumimock.Recorder, error) {
	r, err := RecordStack(repoRoot, stack, opts...)
	if err != nil {
		return nil, err
	}
	return r.Recorder, nil
}

// RecordStack is Record that also returns the configuration the program ran with.
func RecordStack(repoRoot, stack string, opts ...Options) (*Recording, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	sc, err := ReadStackConfig(root, stack)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	siteKey := infra.Project + ":siteDir"
	if o.SiteDir != "" {
		sc.Values[siteKey] = o.SiteDir
	}
	// Pulumi resolves the program's relative paths against the project root; the mock has no root, so the
	// plan makes the path absolute (and Load makes it relative again in the rendering).
	if d := sc.Values[siteKey]; d != "" && !filepath.IsAbs(d) {
		sc.Values[siteKey] = filepath.Join(root, d)
	}
	archiveKey := infra.Project + ":lambdaArchive"
	if o.LambdaArchive != "" {
		sc.Values[archiveKey] = o.LambdaArchive
	}
	if d := sc.Values[archiveKey]; d != "" && !filepath.IsAbs(d) {
		sc.Values[archiveKey] = filepath.Join(root, d)
	}
	region := sc.Values["aws:region"]
	var recOpts []pulumimock.Option
	if region != "" {
		recOpts = append(recOpts, pulumimock.WithRegion(region))
	}
	rec := pulumimock.New(recOpts...)
	err = pulumimock.RunProgram(rec, pulumimock.RunOptions{
		Project:    infra.Project,
		Stack:      stack,
		Config:     sc.Values,
		SecretKeys: sc.SecretKeys,
	}, infra.Program)
	if err != nil {
		return nil, fmt.Errorf("plan: stack %s: %w", stack, err)
	}
	return &Recording{Stack: stack, Config: sc, Recorder: rec}, nil
}

// Load runs the stack's program offline (see Record) and builds its plan.
func Load(repoRoot, stack string, opts ...Options) (*Plan, error) {
	rec, err := Record(repoRoot, stack, opts...)
	if err != nil {
		return nil, err
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return FromResources(stack, root, rec.Resources())
}

// FromResources builds a plan from recorded resources. Absolute paths under repoRoot become relative, so a
// plan is the same on every machine.
func FromResources(stack, repoRoot string, recorded []pulumimock.Resource) (*Plan, error) {
	table, err := cost.Prices()
	if err != nil {
		return nil, err
	}
	p := &Plan{Stack: stack, Resources: []Resource{}}
	var priced []cost.Resource
	for _, r := range recorded {
		if r.Type == "pulumi:pulumi:Stack" {
			continue
		}
		plain := pulumimock.Plain(r.Inputs, true)
		size, err := fileAssetBytes(plain, repoRoot)
		if err != nil {
			return nil, fmt.Errorf("plan: stack %s: %s: %w", stack, r.Name, err)
		}
		in := relativize(plain, repoRoot).(map[string]any)
		for k := range in {
			if strings.HasPrefix(k, "__") {
				delete(in, k)
			}
		}
		res := Resource{URN: r.URN, Type: r.Type, Name: r.Name, Parent: parentOf(r.Parent), Inputs: in, Protect: r.Protect,
			Bytes: size}
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			res.PluginVersion = r.Version
		}
		p.Resources = append(p.Resources, res)
		priced = append(priced, cost.Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, Inputs: in,
			Outputs: pulumimock.Plain(r.Outputs, true),
		})
	}
	sort.SliceStable(p.Resources, func(i, j int) bool { return p.Resources[i].URN < p.Resources[j].URN })
	sort.SliceStable(priced, func(i, j int) bool { return priced[i].URN < priced[j].URN })
	est := table.Estimate(priced)
	if len(est.Unpriced) > 0 {
		return nil, fmt.Errorf("plan: stack %s: resource types missing from the price table (internal/cost): %s",
			stack, strings.Join(est.Unpriced, ", "))
	}
	p.Cost = Cost{MonthlyUSD: est.MonthlyUSD, Items: est.Items}
	return p, nil
}

// parentOf drops the stack as a parent: top-level resources have parent "".
func parentOf(urn string) string {
	if strings.HasSuffix(urn, "::pulumi:pulumi:Stack") || strings.Contains(urn, "::pulumi:pulumi:Stack::") {
		return ""
	}
	return urn
}

// fileAssetBytes is the size of the file asset in inputs["source"], 0 when there is none. The mock leaves an
// asset's hash empty, so the size is what tells two versions of a file apart.
func fileAssetBytes(inputs any, repoRoot string) (int64, error) {
	in, _ := inputs.(map[string]any)
	src, _ := in["source"].(map[string]any)
	path, _ := src["path"].(string)
	if src["asset"] != "file" || path == "" {
		return 0, nil
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(repoRoot, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("source asset: %w", err)
	}
	return fi.Size(), nil
}

func relativize(v any, root string) any {
	switch x := v.(type) {
	case string:
		if rel, ok := strings.CutPrefix(x, root+string(filepath.Separator)); ok {
			return filepath.ToSlash(rel)
		}
		return x
	case []any:
		for i := range x {
			x[i] = relativize(x[i], root)
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = relativize(x[k], root)
		}
		return x
	}
	return v
}

// Children returns the plan's resources whose parent is urn ("" for the top level), in URN order.
func (p *Plan) Children(urn string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

// CostOf returns the cost item of urn.
func (p *Plan) CostOf(urn string) (cost.Item, bool) {
	for _, it := range p.Cost.Items {
		if it.URN == urn {
			return it, true
		}
	}
	return cost.Item{}, false
}

// Stacks lists the stacks that have a Pulumi.<stack>.yaml in repoRoot, sorted.
func Stacks(repoRoot string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(repoRoot, "Pulumi.*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	var stacks []string
	for _, m := range matches {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml")
		stacks = append(stacks, name)
	}
	sort.Strings(stacks)
	return stacks, nil
}

// GoldenPath is where the committed golden plan of stack lives.
func GoldenPath(repoRoot, stack string) string {
	return filepath.Join(repoRoot, "plan", "testdata", "plan."+stack+".json")
}

// GoldenOptions are the options the golden plans are generated with: a small fixed site instead of the
// storefront build, whose content-hashed file names change with every edit of the site, and a fixed zip
// instead of the function's build.
var GoldenOptions = Options{SiteDir: "plan/testdata/site", LambdaArchive: "plan/testdata/lambda.zip"}
