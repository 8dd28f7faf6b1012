package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// actionlint runs the pinned actionlint (go.mod's tool directive) on files from the repository root.
func actionlint(t *testing.T, files ...string) (string, error) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	cmd := exec.Command(goBin, append([]string{"tool", "actionlint", "-no-color"}, files...)...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestWorkflowsPassActionlint(t *testing.T) {
	files, err := filepath.Glob("../.github/workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"ci.yml": false, "preview.yml": false, "deploy.yml": false}
	var rel []string
	for _, f := range files {
		want[filepath.Base(f)] = true
		rel = append(rel, strings.TrimPrefix(filepath.ToSlash(f), "../"))
	}
	for name, found := range want {
		if !found {
			t.Errorf("workflow %s is missing", name)
		}
	}
	if out, err := actionlint(t, rel...); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
}

// TestActionlintCatchesErrors keeps the check above honest: a broken workflow must fail it.
func TestActionlintCatchesErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	broken := "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nonexistent_context_key }}\n        uses: actions/checkout@v4\n"
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := actionlint(t, bad)
	if err == nil {
		t.Fatalf("actionlint accepted a broken workflow:\n%s", out)
	}
	if !strings.Contains(out, "bad.yml") {
		t.Fatalf("actionlint output does not name the file:\n%s", out)
	}
}
