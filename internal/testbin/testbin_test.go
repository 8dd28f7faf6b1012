package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A script tool is built once: the second Ensure finds the binary and does not run the script.
func TestScriptToolIsBuiltOnce(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	scripts := t.TempDir()
	counter := filepath.Join(scripts, "runs")
	script := filepath.Join(scripts, "build.sh")
	body := "#!/bin/sh\necho run >> " + counter + "\nprintf '#!/bin/sh\\necho hello\\n' > \"$1\"\nchmod +x \"$1\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(root, script)
	if err != nil {
		t.Fatal(err)
	}
	tool := Tool{Name: "hello", Script: rel, Version: filepath.Base(scripts)}
	t.Cleanup(func() { os.RemoveAll(filepath.Join(cacheDir(root), cacheKey(tool))) })
	bin := Path(t, tool)
	if Path(t, tool) != bin {
		t.Fatal("the second call returned another path")
	}
	out, err := exec.Command(bin).Output()
	if err != nil || strings.TrimSpace(string(out)) != "hello" {
		t.Fatalf("built tool: %q, %v", out, err)
	}
	runs, _ := os.ReadFile(counter)
	if n := strings.Count(string(runs), "run"); n != 1 {
		t.Fatalf("the build script ran %d times, want 1", n)
	}
}

func TestToolNeedsExactlyOneRecipe(t *testing.T) {
	for _, tool := range []Tool{{Name: "x"}, {Name: "x", Package: "a@v1", Script: "b"}, {Package: "a@v1"}} {
		if _, err := Ensure(tool); err == nil {
			t.Errorf("Ensure(%+v) accepted an invalid tool", tool)
		}
	}
}

func TestCacheKeyFollowsVersion(t *testing.T) {
	a := cacheKey(Tool{Name: "stripe-mock", Package: "github.com/stripe/stripe-mock@v0.203.0"})
	b := cacheKey(Tool{Name: "stripe-mock", Package: "github.com/stripe/stripe-mock@v0.204.0"})
	if a == b || !strings.Contains(a, "v0.203.0") {
		t.Fatalf("cache keys %q and %q", a, b)
	}
}
