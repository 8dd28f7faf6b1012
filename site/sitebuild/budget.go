package sitebuild

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Budget is the performance budget, in gzip bytes.
type Budget struct {
	TotalJS   int // all scripts together
	MaxScript int // any one script
	TotalCSS  int // all stylesheets together
	// CriticalPath is what the catalog page (index.html) needs before it can
	// render: the page, its stylesheets, its scripts and their static imports.
	// Product images are not counted.
	CriticalPath int
}

// DefaultBudget is the storefront's budget (issue 4).
var DefaultBudget = Budget{TotalJS: 50 << 10, MaxScript: 10 << 10, TotalCSS: 20 << 10, CriticalPath: 100 << 10}

// Usage is what a build spends against a budget.
type Usage struct {
	TotalJS, MaxScript, TotalCSS, CriticalPath int
	// Largest is the biggest script, Critical the files on the critical path.
	Largest  string
	Critical []string
}

// Usage measures the build.
func (r *Result) Usage() Usage {
	var u Usage
	for name, f := range r.Files {
		switch path.Ext(name) {
		case ".js":
			u.TotalJS += f.Gzip
			if f.Gzip > u.MaxScript {
				u.MaxScript, u.Largest = f.Gzip, name
			}
		case ".css":
			u.TotalCSS += f.Gzip
		}
	}
	seen := map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		f, ok := r.Files[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		if ext := path.Ext(name); ext == ".html" || ext == ".js" || ext == ".css" {
			u.CriticalPath += f.Gzip
			u.Critical = append(u.Critical, name)
		}
		for _, imp := range f.Imports {
			walk(imp)
		}
	}
	walk("index.html")
	sort.Strings(u.Critical)
	return u
}

// Check returns an error naming every limit the build exceeds.
func (b Budget) Check(u Usage) error {
	var errs []error
	over := func(what string, got, limit int) {
		if got > limit {
			errs = append(errs, fmt.Errorf("%s is %d bytes gzip, over the budget of %d", what, got, limit))
		}
	}
	over("total JavaScript", u.TotalJS, b.TotalJS)
	over("the largest script ("+u.Largest+")", u.MaxScript, b.MaxScript)
	over("total CSS", u.TotalCSS, b.TotalCSS)
	over("the catalog page's critical path ("+strings.Join(u.Critical, ", ")+")", u.CriticalPath, b.CriticalPath)
	return errors.Join(errs...)
}
