// Command plan prints the offline plan of a stack (its real Pulumi program under the recording mock), rewrites
// the golden plans, or renders the markdown diff of two plan files.
//
//	go run ./plan/cmd/plan -stack dev -format text|json [-site-files] [-lambda-archive ZIP]
//	go run ./plan/cmd/plan -update
//	go run ./plan/cmd/plan diff [-max-bytes N] [-policies ROOT] [-site-files] OLD.json NEW.json [OLD2.json NEW2.json ...]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shopstack/shopstack/plan"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "plan:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "diff" {
		return diff(args[1:], stdout)
	}
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	stack := fs.String("stack", "dev", "stack to plan (a Pulumi.<stack>.yaml must exist)")
	format := fs.String("format", "text", "text or json")
	update := fs.Bool("update", false, "rewrite the golden plans of every stack (plan/testdata/plan.<stack>.json)")
	root := fs.String("root", ".", "repository root (where Pulumi.yaml is)")
	siteDir := fs.String("site", "", "built storefront to upload, relative to -root (default: the stack's siteDir, site/dist)")
	archive := fs.String("lambda-archive", "", "function zip of an apiCompute lambda stack, relative to -root (default: the stack's lambdaArchive, bin/lambda/shop.zip)")
	siteFiles := fs.Bool("site-files", false, "list every uploaded site file in the text (default: a summary per site; the JSON has them all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (usage: plan [-stack S] [-format text|json] [-site-files] | -update | diff OLD NEW)", fs.Args())
	}
	if *update {
		return updateGoldens(*root, stdout)
	}
	switch *format {
	case "json":
		p, err := plan.Load(*root, *stack, plan.Options{SiteDir: *siteDir, LambdaArchive: *archive})
		if err != nil {
			return err
		}
		b, err := p.JSON()
		if err != nil {
			return err
		}
		_, err = stdout.Write(b)
		return err
	case "text":
		p, err := withPolicies(*root, *stack, plan.Options{SiteDir: *siteDir, LambdaArchive: *archive})
		if err != nil {
			return err
		}
		p.SiteFiles = *siteFiles
		return p.Text(stdout)
	default:
		return fmt.Errorf("-format %q: want text or json", *format)
	}
}

// withPolicies plans the stack and appends the policy report (package policies) as a section.
func withPolicies(root, stack string, opts plan.Options) (*plan.Plan, error) {
	rec, err := plan.RecordStack(root, stack, opts)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	resources := rec.Recorder.Resources()
	p, err := plan.FromResources(stack, abs, resources)
	if err != nil {
		return nil, err
	}
	report, err := plan.RunPolicies(stack, rec.Config.Values, resources, &p.Cost.MonthlyUSD)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	p.Sections = append(p.Sections, plan.Section{Title: "Policies", Text: report.Text(), Markdown: report.Markdown()})
	return p, nil
}

func updateGoldens(root string, stdout io.Writer) error {
	stacks, err := plan.Stacks(root)
	if err != nil {
		return err
	}
	if len(stacks) == 0 {
		return errors.New("no Pulumi.<stack>.yaml in " + root)
	}
	for _, s := range stacks {
		p, err := plan.Load(root, s, plan.GoldenOptions)
		if err != nil {
			return err
		}
		b, err := p.JSON()
		if err != nil {
			return err
		}
		path := plan.GoldenPath(root, s)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return fmt.Errorf("write golden: %w", err)
		}
		fmt.Fprintf(stdout, "wrote %s (%d resources, $%.2f/month idle)\n", path, len(p.Resources), p.Cost.MonthlyUSD)
	}
	return nil
}

func diff(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("plan diff", flag.ContinueOnError)
	maxBytes := fs.Int("max-bytes", 0, "truncate the whole markdown (every stack) to this many bytes (0: no limit; GitHub comments take 65536)")
	policyRoot := fs.String("policies", "", "repository root to run the policy pack on NEW's stack from (the working tree), appended to the diff")
	siteFiles := fs.Bool("site-files", false, "list every added, removed or changed site file (default: a summary per site)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.NArg()%2 != 0 {
		return errors.New("usage: plan diff [-max-bytes N] [-policies ROOT] [-site-files] OLD.json NEW.json [OLD2.json NEW2.json ...]")
	}
	var parts []string
	for i := 0; i < fs.NArg(); i += 2 {
		md, err := diffOne(fs.Arg(i), fs.Arg(i+1), *policyRoot, *siteFiles)
		if err != nil {
			return err
		}
		parts = append(parts, md)
	}
	out := strings.Join(parts, "\n")
	if *maxBytes > 0 && len(out) > *maxBytes {
		fitParts(parts, *maxBytes-(len(parts)-1))
		out = strings.Join(parts, "\n")
	}
	_, err := io.WriteString(stdout, out)
	return err
}

// fitParts cuts parts to a total of at most budget bytes. One comment holds every stack, so none may crowd out
// another: shortest first, a part that fits in an equal share of what is left is kept whole, and what it does
// not use goes to the longer ones.
func fitParts(parts []string, budget int) {
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(parts[order[a]]) < len(parts[order[b]]) })
	for n, i := range order {
		share := budget / (len(parts) - n)
		parts[i] = plan.Truncate(parts[i], share)
		budget -= len(parts[i])
	}
}

// diffOne renders the markdown diff of one stack's plans; a missing OLD is a stack new in this change.
func diffOne(oldPath, newPath, policyRoot string, siteFiles bool) (string, error) {
	next, err := readPlan(newPath)
	if err != nil {
		return "", err
	}
	old, err := readPlan(oldPath)
	if errors.Is(err, iofs.ErrNotExist) {
		old = &plan.Plan{Stack: next.Stack} // a stack new in this change: everything is added
	} else if err != nil {
		return "", err
	}
	if old.Stack != next.Stack {
		return "", fmt.Errorf("%s is stack %q but %s is stack %q", oldPath, old.Stack, newPath, next.Stack)
	}
	var sections []plan.Section
	if policyRoot != "" {
		p, err := withPolicies(policyRoot, next.Stack, plan.GoldenOptions)
		if err != nil {
			return "", err
		}
		sections = p.Sections
	}
	d := plan.Compare(old, next)
	d.SiteFiles = siteFiles
	return d.Markdown(sections...), nil
}

// readPlan reads a plan file written by `plan -format json` or `plan -update`.
func readPlan(path string) (*plan.Plan, error) {
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return plan.Parse(b)
}
