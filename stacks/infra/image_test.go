package infra_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/stacks/infra"
)

// TestImageRepositoryTagsAreImmutable: a tag names the image that was scanned and deployed, for good (ECR.2).
func TestImageRepositoryTagsAreImmutable(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		rec := record(t, stack)
		assert.Equal(t, "IMMUTABLE", only(t, rec, "awsx:ecr:Repository").Str("imageTagMutability"), stack)
		assert.True(t, only(t, rec, "awsx:ecr:Repository").Bool("imageScanningConfiguration.scanOnPush"), stack)
		// Under the mock there is no project directory, hence no build context to hash.
		assert.Equal(t, infra.OfflineImageTag, only(t, rec, "awsx:ecr:Image").Str("imageTag"), stack)
	}
}

// TestImageTagFollowsTheBuildContext runs the program in a project directory: the stack-built image's tag
// changes exactly when what the Docker build sees changes, so no deploy pushes a second image under a tag the
// immutable repository already holds, and an unchanged build keeps its tag (no rebuild, no task replacement).
func TestImageTagFollowsTheBuildContext(t *testing.T) {
	t.Parallel()
	dockerignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write(".dockerignore", string(dockerignore))
	write("app/Dockerfile", "FROM scratch\n")
	write("go.mod", "module example.com/shop\n")
	write("app/cmd/shop/main.go", "package main\n")
	write("app/cmd/shop/main_test.go", "package main\n")
	write("app/shop/testdata/fixture.json", "{}\n")
	write("components/data.go", "package components\n")
	write("README.md", "# shop\n")
	tag := func(stack string) string {
		t.Helper()
		rec := recordRun(t, stack, func(map[string]string) {}, []pulumimock.RunOption{pulumimock.WithRootDirectory(dir)})
		return only(t, rec, "awsx:ecr:Image").Str("imageTag")
	}

	first := tag("prod")
	assert.Regexp(t, `^ctx-[0-9a-f]{24}$`, first)
	assert.Equal(t, first, tag("prod"), "the same context, the same tag")
	assert.NotEqual(t, first, tag("dev"), "another platform (dev builds linux/amd64) is another image")

	for _, ignored := range []string{"README.md", "components/data.go", "app/cmd/shop/main_test.go", "app/shop/testdata/fixture.json"} {
		write(ignored, "changed\n")
		assert.Equal(t, first, tag("prod"), "%s is not in the build context (.dockerignore)", ignored)
	}

	write("app/cmd/shop/main.go", "package main\n\nfunc main() {}\n")
	second := tag("prod")
	assert.NotEqual(t, first, second, "a source change is a new image, pushed under a new tag")
	require.NoError(t, os.Chmod(filepath.Join(dir, "app", "cmd", "shop", "main.go"), 0o755))
	third := tag("prod")
	assert.NotEqual(t, second, third, "a mode change reaches the image too")
	write("app/Dockerfile", "FROM scratch\nUSER 65532\n")
	assert.NotEqual(t, third, tag("prod"), "so does a Dockerfile change, though the Dockerfile itself is ignored")
}
