package infra

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDockerignoreRules reads the repository's .dockerignore with Docker's rules: the last matching pattern
// decides, for a path or any of its parent directories.
func TestDockerignoreRules(t *testing.T) {
	t.Parallel()
	ignore, err := readDockerignore("../..", imageDockerfile)
	require.NoError(t, err)
	for _, in := range []string{"go.mod", "go.sum", "app", "app/cmd/shop/main.go", "app/postgres/migrations/001_init.sql",
		"internal/cost/prices.json", "site/site.go", "site/docs/catalog.png"} {
		assert.False(t, ignore.excludes(in), "%s is in the build context", in)
	}
	for _, out := range []string{".git/HEAD", "README.md", "components/data.go", "stacks/main.go", "app/Dockerfile",
		"app/cmd/shop/main_test.go", "app/shop/testdata/x.json", "internal/plan/testdata/a/b.json", "site/dist/index.html",
		"site/src/app.js", "site/e2e/run.go"} {
		assert.True(t, ignore.excludes(out), "%s is left out", out)
	}
	assert.False(t, ignore.mayInclude(".git"), "nothing under .git comes back in: the walk skips it")
	assert.True(t, ignore.mayInclude("site/dist"), "!site/ might: the walk enters it (and hashes nothing there)")

	for pattern, cases := range map[string]map[string]bool{
		"**/*.md":   {"a.md": true, "x/y/a.md": true, "a.mdx": false},
		"doc?/*.go": {"docs/a.go": true, "doc/a.go": false, "docs/x/a.go": false},
		"[a-c]*.go": {"b.go": true, "d.go": false},
		"[!a]*.go":  {"b.go": true, "a.go": false},
		"logs/**":   {"logs/a/b": true, "logs": false},
		"/build/":   {"build": true, "build/x": false},
	} {
		r, err := parseIgnoreRule(pattern)
		require.NoError(t, err)
		for p, want := range cases {
			assert.Equal(t, want, r.re.MatchString(p), "%s against %s (%s)", pattern, p, r.re)
		}
	}
}
