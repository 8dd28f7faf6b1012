// Command build writes the storefront to site/dist (run from the repository
// root: `go run ./site/build`, which is `make site`). It fails when the build
// is over the performance budget.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/shopstack/shopstack/site/sitebuild"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "site build:", err)
		os.Exit(1)
	}
}

func run() error {
	src := flag.String("src", "site/src", "source folder")
	out := flag.String("out", "site/dist", "output folder (replaced)")
	flag.Parse()

	res, err := sitebuild.Build(sitebuild.Options{SrcDir: *src, OutDir: *out})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(res.Files))
	for name := range res.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := res.Files[name]
		fmt.Printf("%-40s %7d B  %6d B gzip\n", name, f.Size, f.Gzip)
	}
	u := res.Usage()
	b := sitebuild.DefaultBudget
	fmt.Printf("budget (gzip): JS %d/%d, largest script %d/%d, CSS %d/%d, critical path %d/%d\n",
		u.TotalJS, b.TotalJS, u.MaxScript, b.MaxScript, u.TotalCSS, b.TotalCSS, u.CriticalPath, b.CriticalPath)
	return b.Check(u)
}
