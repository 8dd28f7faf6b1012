package components

import (
	"slices"
	"strings"
)

// AddCSPSources adds sources to one directive of a Content-Security-Policy. A directive the policy lacks is
// created from default-src's sources first, so whatever the policy allowed there stays allowed; a source the
// directive has already is not repeated, and every other directive is left as it was.
func AddCSPSources(csp, directive string, sources ...string) string {
	var names []string
	dirs := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		names = append(names, f[0])
		dirs[f[0]] = f[1:]
	}
	if _, ok := dirs[directive]; !ok {
		names = append(names, directive)
		dirs[directive] = slices.Clone(dirs["default-src"])
	}
	for _, s := range sources {
		if !slices.Contains(dirs[directive], s) {
			dirs[directive] = append(dirs[directive], s)
		}
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.Join(append([]string{n}, dirs[n]...), " ")
	}
	return strings.Join(out, "; ")
}
