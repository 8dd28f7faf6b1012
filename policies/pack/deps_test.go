package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPackLinksNoTestCode: the pack is the binary the Pulumi CLI runs on every preview and update, so it links
// the rules and the policy SDK only, never the recording mock or package testing (which the mock imports).
func TestPackLinksNoTestCode(t *testing.T) {
	t.Parallel()
	// `go test` puts its own go command first on PATH, so this lists the pack's dependencies with the same
	// toolchain and module graph as the test build.
	cmd := exec.Command("go", "list", "-deps", ".")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list -deps: %s", stderr.String())
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/shopstack/shopstack/policies", "the listing is the pack's")
	for _, dep := range deps {
		if dep == "testing" || strings.HasSuffix(dep, "/internal/pulumimock") {
			t.Errorf("policies/pack links %s", dep)
		}
	}
}
