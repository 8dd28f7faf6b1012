// Package testbin provides the test-only servers (an S3 stand-in, stripe-mock, the Lambda
// Runtime Interface Emulator, a search server) as binaries built once into the repository's
// git-ignored cache, .cache/bin (or $SHOPSTACK_TESTBIN_DIR), and reused by every later run.
//
// A tool is built by `go install <module>@<version>` (pinned, so the cache is keyed by version)
// or by a script of the repository's own (for a tool that needs patching to build). Builds are
// serialised across test processes by a lock file, so parallel test binaries build a tool once.
// There is no skip path: a tool that cannot be built fails the test and says why.
package testbin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Tool names a test server and how to build it.
type Tool struct {
	// Name is the binary's name in the cache (and the name `go install` gives it).
	Name string
	// Package is the `go install` argument, module path with a pinned version
	// (e.g. github.com/stripe/stripe-mock@v0.203.0). The version is part of the cache key.
	Package string
	// Script, instead of Package, is a build script under the repository root, called with
	// the destination binary path as its only argument.
	Script string
	// Version keys the cache for a Script tool (bump it when the script changes).
	Version string
}

// Path returns the path of t's binary, building it first if the cache lacks it.
func Path(tb testing.TB, t Tool) string {
	tb.Helper()
	p, err := Ensure(t)
	if err != nil {
		tb.Fatalf("testbin: %s: %v", t.Name, err)
	}
	return p
}

// Ensure is Path without a testing.TB, for TestMain and command-line tools.
func Ensure(t Tool) (string, error) {
	if t.Name == "" || (t.Package == "") == (t.Script == "") {
		return "", errors.New("a tool needs a name and exactly one of Package or Script")
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir(root), cacheKey(t))
	bin := filepath.Join(dir, t.Name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	unlock, err := lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil { // built by another process while we waited
		return bin, nil
	}
	if err := build(root, dir, bin, t); err != nil {
		return "", err
	}
	return bin, nil
}

// CacheEnv names another cache directory than the repository's .cache/bin: .ci/run points it at
// the machine's user cache, so a fresh clone reuses the servers an earlier run built.
const CacheEnv = "SHOPSTACK_TESTBIN_DIR"

func cacheDir(root string) string {
	if d := os.Getenv(CacheEnv); d != "" {
		return d
	}
	return filepath.Join(root, ".cache", "bin")
}

// cacheKey is a directory name per tool version, so a version bump rebuilds.
func cacheKey(t Tool) string {
	v := t.Version
	if t.Package != "" {
		if _, after, ok := strings.Cut(t.Package, "@"); ok {
			v = after
		}
	}
	if v == "" {
		v = "unversioned"
	}
	return t.Name + "@" + strings.NewReplacer("/", "_", ":", "_").Replace(v)
}

func build(root, dir, bin string, t Tool) error {
	var cmd *exec.Cmd
	if t.Package != "" {
		tmp, err := os.MkdirTemp(dir, "gobin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cmd = exec.CommandContext(context.Background(), "go", "install", t.Package) //nolint:gosec // the package is a constant of the calling test, pinned by version
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
		cmd.Dir = os.TempDir() // outside the module, so go install uses the tool's own go.mod
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go install %s: %w\n%s", t.Package, err, out)
		}
		return os.Rename(filepath.Join(tmp, t.Name), bin)
	}
	cmd = exec.CommandContext(context.Background(), filepath.Join(root, t.Script), bin) //nolint:gosec // a build script of this repository, named by the calling test
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", t.Script, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s did not write %s", t.Script, bin)
	}
	return nil
}

// lock takes an exclusive flock on path, waiting for a build in another process.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600) //nolint:gosec // the lock file in the repository's own cache
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// RepoRoot is the directory holding go.mod, found from the working directory upwards.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
