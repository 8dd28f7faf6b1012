package infra

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	ecrtypes "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/components"
)

// imageDockerfile is the service's Dockerfile, relative to the build context (the project root).
const imageDockerfile = "app/Dockerfile"

// OfflineImageTag is the tag of the stack-built image when the program runs without a project directory (the
// offline plan and the tests under the mock): there is no build context to hash. A real `pulumi up` always has
// one, the Pulumi CLI passes it; without it siteDir would not resolve either, so such a run fails before a push.
const OfflineImageTag = "offline-plan-unhashed"

// serviceImage is the configured pre-built image (the CI deploy path builds and pushes once, then deploys
// the same digest to every stack), or app/Dockerfile built and pushed to the stack's own ECR repository. The
// second result scopes the execution role's pull permission (nil: the component's account-wide default, for an
// image from a repository this stack does not manage).
//
// The repository exists whatever imageUri says. A stack that once built its own image holds images in it; if
// setting imageUri later removed the repository, that deploy would try to delete a non-empty repository, which
// ECR refuses unless ForceDelete (off in production-grade stacks). An empty repository costs nothing.
func serviceImage(ctx *pulumi.Context, cfg Config, opts ...pulumi.ResourceOption) (pulumi.StringOutput, pulumi.StringInput, error) {
	repo, err := ecr.NewRepository(ctx, "api-images", &ecr.RepositoryArgs{
		// Every build gets a tag of its own (imageTag), so a tag never has to move: make that a guarantee.
		ImageTagMutability:         pulumi.String("IMMUTABLE"),
		ImageScanningConfiguration: &ecrtypes.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
		ForceDelete:                pulumi.Bool(!cfg.ProtectStateful),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	if cfg.ImageUri != "" {
		var pull pulumi.StringInput
		if arn := RepositoryArn(repositoryOf(cfg.ImageUri)); arn != "" {
			pull = pulumi.String(arn)
		}
		return pulumi.String(cfg.ImageUri).ToStringOutput(), pull, nil
	}
	platform := "linux/arm64"
	if cfg.ApiArchitecture == components.ArchitectureX8664 {
		platform = "linux/amd64"
	}
	tag := OfflineImageTag
	if root := ctx.RootDirectory(); root != "" {
		if tag, err = contextTag(root, imageDockerfile, platform); err != nil {
			return pulumi.StringOutput{}, nil, fmt.Errorf("image tag: %w", err)
		}
	}
	// Pulumi runs the program in its main directory (stacks/), so the build context is the repository root.
	img, err := ecr.NewImage(ctx, "api-image", &ecr.ImageArgs{
		RepositoryUrl: repo.Url,
		Context:       pulumi.String(".."),
		Dockerfile:    pulumi.String("../" + imageDockerfile),
		Platform:      pulumi.String(platform),
		// Without a tag awsx tags every build of this context path, Dockerfile and stack alike
		// (`<sha1>-container`), so the second build of changed code would push an existing tag, which an
		// IMMUTABLE repository rejects.
		ImageTag: pulumi.String(tag),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return img.ImageUri, repo.Url.ApplyT(RepositoryArn).(pulumi.StringOutput), nil
}

// repositoryOf drops an image reference's digest or tag: repo@sha256:... or repo:tag -> repo.
func repositoryOf(image string) string {
	if repo, _, ok := strings.Cut(image, "@"); ok {
		return repo
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image[:i]
	}
	return image
}

// RepositoryArn derives an ECR repository's ARN from its URL
// (<account>.dkr.ecr.<region>.amazonaws.com/<name>); "" when url is not one. awsx's Repository exposes the
// URL directly, its underlying repository only as a resource reference.
func RepositoryArn(url string) string {
	host, name, ok := strings.Cut(url, "/")
	if !ok || name == "" {
		return ""
	}
	account, rest, ok := strings.Cut(host, ".dkr.ecr.")
	if !ok {
		return ""
	}
	region, suffix, ok := strings.Cut(rest, ".")
	if !ok || account == "" || region == "" {
		return ""
	}
	partition := "aws"
	if strings.HasSuffix(suffix, ".com.cn") {
		partition = "aws-cn"
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition, region, account, name)
}

// contextTag names an image after what its build can see: the Dockerfile, the platform, and the path, mode and
// content of every file of the build context at root that the .dockerignore lets through. Two builds share a
// tag only when they would build from the same inputs, so a deploy never pushes a different image under an
// existing tag, and an unchanged context keeps its tag (nothing is rebuilt or redeployed). Where the ignore
// rules are in doubt a file is hashed: a tag that changes too often costs a push, one that changes too rarely
// fails it.
func contextTag(root, dockerfile, platform string) (string, error) {
	df, err := os.ReadFile(filepath.Clean(filepath.Join(root, filepath.FromSlash(dockerfile))))
	if err != nil {
		return "", err
	}
	ignore, err := readDockerignore(root, dockerfile)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	field := func(parts ...string) {
		for _, p := range parts {
			_, _ = fmt.Fprintf(h, "%d:%s", len(p), p)
		}
	}
	field("dockerfile", string(df), "platform", platform)
	// Files are read through an os.Root, so a symlink swapped in during the walk cannot lead outside the
	// build context.
	ctxRoot, err := os.OpenRoot(root)
	if err != nil {
		return "", err
	}
	defer ctxRoot.Close()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if ignore.excludes(rel) {
			if d.IsDir() && !ignore.mayInclude(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := ctxRoot.Readlink(filepath.FromSlash(rel))
			if err != nil {
				return err
			}
			field("link", rel, target)
		case info.Mode().IsRegular():
			b, err := ctxRoot.ReadFile(filepath.FromSlash(rel))
			if err != nil {
				return err
			}
			field("file", rel, info.Mode().Perm().String(), string(b))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return "ctx-" + hex.EncodeToString(h.Sum(nil))[:24], nil
}

// dockerignore is a parsed .dockerignore: the last pattern that matches a path or one of its parent
// directories decides, and a pattern starting with "!" lets a path back in (Docker's rules).
type dockerignore []ignoreRule

type ignoreRule struct {
	include bool           // a "!" pattern
	literal string         // the pattern up to its first wildcard, to tell whether it can match below a directory
	re      *regexp.Regexp // the whole pattern
}

// readDockerignore reads <dockerfile>.dockerignore if there is one (BuildKit prefers it), else the context's
// .dockerignore; no file ignores nothing.
func readDockerignore(root, dockerfile string) (dockerignore, error) {
	var f *os.File
	var err error
	for _, name := range []string{dockerfile + ".dockerignore", ".dockerignore"} {
		if f, err = os.Open(filepath.Clean(filepath.Join(root, filepath.FromSlash(name)))); err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if f == nil {
		return nil, nil
	}
	defer func() { _ = f.Close() }()
	var rules dockerignore
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := parseIgnoreRule(line)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, sc.Err()
}

// parseIgnoreRule reads one .dockerignore line (not blank, not a comment).
func parseIgnoreRule(line string) (ignoreRule, error) {
	r := ignoreRule{}
	if rest, ok := strings.CutPrefix(line, "!"); ok {
		r.include, line = true, strings.TrimSpace(rest)
	}
	pattern := strings.TrimPrefix(path.Clean(filepath.ToSlash(line)), "/")
	re, err := regexp.Compile(ignoreRegexp(pattern))
	if err != nil {
		return r, fmt.Errorf(".dockerignore pattern %q: %w", line, err)
	}
	r.re = re
	r.literal, _, _ = strings.Cut(pattern, "*")
	for _, meta := range "?[\\" {
		r.literal, _, _ = strings.Cut(r.literal, string(meta))
	}
	return r, nil
}

// ignoreRegexp translates a .dockerignore pattern: "**" spans any number of directories, "*" and "?" stay
// within one, "[...]" is a character class.
func ignoreRegexp(pattern string) string {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '*' && strings.HasPrefix(pattern[i:], "**/"):
			b.WriteString("(.*/)?")
			i += 2
		case c == '*' && strings.HasPrefix(pattern[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[' && strings.IndexByte(pattern[i:], ']') > 1:
			class := pattern[i+1 : i+strings.IndexByte(pattern[i:], ']')]
			if rest, ok := strings.CutPrefix(class, "!"); ok {
				class = "^" + rest
			}
			b.WriteString("[" + class + "]")
			i += len(class) + 1
		case c == '\\' && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return b.String()
}

// excludes reports whether Docker leaves rel (a slash-separated path below the context) out of the context.
func (d dockerignore) excludes(rel string) bool {
	excluded := false
	for _, r := range d {
		if r.matches(rel) {
			excluded = !r.include
		}
	}
	return excluded
}

func (r ignoreRule) matches(rel string) bool {
	for p := rel; ; {
		if r.re.MatchString(p) {
			return true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// mayInclude reports whether some "!" pattern could let a path below the excluded directory dir back in, so
// the walk must enter it.
func (d dockerignore) mayInclude(dir string) bool {
	for _, r := range d {
		if r.include && (strings.HasPrefix(r.literal, dir+"/") || strings.HasPrefix(dir+"/", r.literal)) {
			return true
		}
	}
	return false
}
