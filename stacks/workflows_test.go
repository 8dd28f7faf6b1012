package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
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

// workflow is the part of a GitHub Actions workflow the deploy checks read.
type workflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		If    string `yaml:"if"`
		Needs any    `yaml:"needs"`
		Uses  string `yaml:"uses"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

func needsOf(v any) []string {
	switch n := v.(type) {
	case string:
		return []string{n}
	case []any:
		var out []string
		for _, x := range n {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// TestDeployRunsOnlyTestedMain: every job of deploy.yml that updates a stack depends, directly or through
// its needs, on a job running ci.yml (the same `make test` as a pull request), and on a job that runs only
// for refs/heads/main, so neither a red main nor a workflow_dispatch from a feature branch reaches AWS.
func TestDeployRunsOnlyTestedMain(t *testing.T) {
	w := readWorkflow(t, "deploy.yml")
	if _, ok := readWorkflow(t, "ci.yml").On["workflow_call"]; !ok {
		t.Fatal("ci.yml has no workflow_call trigger: deploy.yml cannot run the tests first")
	}
	var ancestors func(job string, seen map[string]bool)
	ancestors = func(job string, seen map[string]bool) {
		for _, n := range needsOf(w.Jobs[job].Needs) {
			if !seen[n] {
				seen[n] = true
				ancestors(n, seen)
			}
		}
	}
	deploys := 0
	for name, job := range w.Jobs {
		if !strings.HasSuffix(job.Uses, "/pulumi-up.yml") {
			continue
		}
		deploys++
		seen := map[string]bool{name: true}
		ancestors(name, seen)
		tested, mainOnly := false, false
		for a := range seen {
			if strings.HasSuffix(w.Jobs[a].Uses, "/ci.yml") {
				tested = true
			}
			if strings.Contains(w.Jobs[a].If, "github.ref == 'refs/heads/main'") {
				mainOnly = true
			}
		}
		if !tested {
			t.Errorf("deploy job %s does not need the ci.yml tests", name)
		}
		if !mainOnly {
			t.Errorf("deploy job %s can run from a branch other than main (no `if: github.ref == 'refs/heads/main'` on it or its needs)", name)
		}
	}
	if deploys < 2 {
		t.Errorf("deploy.yml updates %d stacks through pulumi-up.yml, want dev and prod", deploys)
	}
}

// TestPreviewPostsOneBoundedComment: the offline plan diff of every stack is rendered by one command under a
// total byte budget below GitHub's 65536-character comment limit, and the comment is found by its marker and
// edited (PATCH), a new one being posted only when none exists.
func TestPreviewPostsOneBoundedComment(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", ".github", "workflows", "preview.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	for _, step := range w.Jobs["offline-plan"].Steps {
		script.WriteString(step.Run + "\n")
	}
	s := script.String()
	if n := strings.Count(s, "./plan/cmd/plan diff"); n != 1 {
		t.Errorf("the offline-plan job runs `plan diff` %d times, want once for every stack (one byte budget)", n)
	}
	if !strings.Contains(s, `-max-bytes "$MAX_PLAN_BYTES"`) {
		t.Error("plan diff is not bounded by MAX_PLAN_BYTES")
	}
	var budget int
	if _, err := fmt.Sscan(w.Env["MAX_PLAN_BYTES"], &budget); err != nil || budget <= 0 || budget > 65000 {
		t.Errorf("MAX_PLAN_BYTES = %q: want a positive number leaving room for the header under 65536", w.Env["MAX_PLAN_BYTES"])
	}
	for _, want := range []string{`startswith(\"$COMMENT_MARKER\")`, "--method PATCH", "--method POST"} {
		if !strings.Contains(s, want) {
			t.Errorf("the comment step lacks %s (find the marked comment and edit it)", want)
		}
	}
	if strings.Index(s, "--method PATCH") > strings.Index(s, "--method POST") {
		t.Error("POST comes before PATCH: the step must edit an existing comment first")
	}
}

// workflowSteps is a workflow's jobs with the step fields the image checks read.
type workflowSteps struct {
	Jobs map[string]struct {
		Uses  string            `yaml:"uses"`
		With  map[string]string `yaml:"with"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflowSteps(t *testing.T, name string) workflowSteps {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflowSteps
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

// TestPreviewsAndDeploysPassTheImage: Pulumi.<stack>.yaml has no imageUri, and with none the program plans a
// local Docker build. A deploy always passes the image deploy.yml built (the same digest to dev and prod), so
// every `pulumi preview` must pass one too, or the preview shows a build and a resource set no deploy runs.
func TestPreviewsAndDeploysPassTheImage(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		b, err := os.ReadFile(filepath.Join("..", "Pulumi."+stack+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "imageUri") {
			t.Errorf("Pulumi.%s.yaml sets imageUri: the workflows pass it, so previews and deploys agree", stack)
		}
	}

	deploy := readWorkflowSteps(t, "deploy.yml")
	ups := 0
	for name, job := range deploy.Jobs {
		if !strings.HasSuffix(job.Uses, "/pulumi-up.yml") {
			continue
		}
		ups++
		if got := job.With["image-uri"]; got != "${{ needs.image.outputs.uri }}" {
			t.Errorf("deploy job %s passes image-uri %q, want the one image the image job built", name, got)
		}
	}
	if ups < 2 {
		t.Errorf("deploy.yml runs pulumi-up.yml %d times, want dev and prod", ups)
	}

	up := readWorkflowSteps(t, "pulumi-up.yml")
	upSet := false
	for _, job := range up.Jobs {
		for _, step := range job.Steps {
			i := strings.Index(step.Run, "pulumi up")
			if i < 0 {
				continue
			}
			set := strings.Index(step.Run, `imageUri "$IMAGE_URI"`)
			upSet = set >= 0 && set < i && step.Env["IMAGE_URI"] == "${{ inputs.image-uri }}"
		}
	}
	if !upSet {
		t.Error("pulumi-up.yml does not set imageUri from inputs.image-uri before `pulumi up`")
	}

	preview := readWorkflowSteps(t, "preview.yml")
	previews := 0
	for name, job := range preview.Jobs {
		source := ""
		for _, step := range job.Steps {
			if step.ID == "image" {
				source = step.Run
			}
			if strings.HasPrefix(step.Uses, "pulumi/actions@") && step.With["command"] == "preview" {
				previews++
				cm := step.With["config-map"]
				if !strings.Contains(cm, "imageUri") || !strings.Contains(cm, "${{ steps.image.outputs.uri }}") {
					t.Errorf("preview.yml job %s previews without imageUri (config-map %q)", name, cm)
				}
				if !strings.Contains(source, "pulumi stack output imageUri") {
					t.Errorf("preview.yml job %s: the image step before the preview does not read the stack's imageUri output", name)
				}
			}
			if strings.Contains(step.Run, "pulumi preview") {
				t.Errorf("preview.yml job %s runs `pulumi preview` outside the checked pulumi/actions step", name)
			}
		}
	}
	if previews == 0 {
		t.Error("preview.yml has no pulumi preview step")
	}
}
