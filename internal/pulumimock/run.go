package pulumimock

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// RunOptions describe one program run.
type RunOptions struct {
	Project string            // default "shopstack"
	Stack   string            // default "test"
	Config  map[string]string // keys "project:key"; a bare "key" is put in Project's namespace
	// SecretKeys lists the Config keys (as given in Config) that are secrets.
	SecretKeys []string
	// Preview runs as `pulumi preview` does: what the provider computes stays
	// unknown (except random:* results, see outputsFor).
	Preview bool
	// RootDirectory is the project directory (where Pulumi.yaml is) the program sees as ctx.RootDirectory().
	// Default "": the offline plan runs a program without one.
	RootDirectory string
}

// RunProgram runs fn against rec as the engine would, without any testing dependency
// (the offline plan uses it). It returns the program's error, if any.
func RunProgram(rec *Recorder, opts RunOptions, fn pulumi.RunFunc) error {
	if opts.Project == "" {
		opts.Project = "shopstack"
	}
	if opts.Stack == "" {
		opts.Stack = "test"
	}
	rec.setRun(opts.Project, opts.Stack, opts.Preview)

	qualify := func(k string) string {
		if strings.Contains(k, ":") {
			return k
		}
		return opts.Project + ":" + k
	}
	config := make(map[string]string, len(opts.Config))
	for k, v := range opts.Config {
		config[qualify(k)] = v
	}
	secretKeys := make([]string, 0, len(opts.SecretKeys))
	for _, k := range opts.SecretKeys {
		secretKeys = append(secretKeys, qualify(k))
	}

	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
		Project:          opts.Project,
		RootDirectory:    opts.RootDirectory,
		Stack:            opts.Stack,
		Config:           config,
		ConfigSecretKeys: secretKeys,
		DryRun:           opts.Preview,
		Parallel:         1,
		Mocks:            rec,
	})
	if err != nil {
		return fmt.Errorf("pulumimock: new context: %w", err)
	}
	return pulumi.RunWithContext(ctx, fn)
}

// RunOption configures Run.
type RunOption func(*runConfig)

type runConfig struct {
	run     RunOptions
	recOpts []Option
}

// WithConfig sets one config value ("key" or "project:key").
func WithConfig(key, value string) RunOption {
	return func(c *runConfig) {
		if c.run.Config == nil {
			c.run.Config = map[string]string{}
		}
		c.run.Config[key] = value
	}
}

// WithSecretConfig sets one secret config value.
func WithSecretConfig(key, value string) RunOption {
	return func(c *runConfig) {
		WithConfig(key, value)(c)
		c.run.SecretKeys = append(c.run.SecretKeys, key)
	}
}

// WithStack sets the stack name (default "test").
func WithStack(stack string) RunOption { return func(c *runConfig) { c.run.Stack = stack } }

// WithProject sets the project name (default "shopstack").
func WithProject(project string) RunOption { return func(c *runConfig) { c.run.Project = project } }

// WithRootDirectory sets the project directory the program sees (ctx.RootDirectory()).
func WithRootDirectory(dir string) RunOption { return func(c *runConfig) { c.run.RootDirectory = dir } }

// WithPreview runs the program as a preview (computed outputs unknown).
func WithPreview() RunOption { return func(c *runConfig) { c.run.Preview = true } }

// WithRecorderOptions passes options to New (region, account, AZs).
func WithRecorderOptions(opts ...Option) RunOption {
	return func(c *runConfig) { c.recOpts = append(c.recOpts, opts...) }
}

// Run runs fn under a fresh recorder and fails t if the program fails.
func Run(t testing.TB, fn pulumi.RunFunc, opts ...RunOption) *Recorder {
	t.Helper()
	rec, err := RunErr(fn, opts...)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return rec
}

// RunErr runs fn under a fresh recorder and returns its error, for tests that
// expect the program to fail (validation errors).
func RunErr(fn pulumi.RunFunc, opts ...RunOption) (*Recorder, error) {
	var c runConfig
	for _, o := range opts {
		o(&c)
	}
	rec := New(c.recOpts...)
	return rec, RunProgram(rec, c.run, fn)
}

// Resolved is an awaited output.
type Resolved struct {
	Value  any
	Known  bool
	Secret bool
}

// AwaitErr waits (up to 10 s) for o and returns its value and flags.
func AwaitErr(o pulumi.Output) (Resolved, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := internals.UnsafeAwaitOutput(ctx, o)
	if err != nil {
		return Resolved{}, err
	}
	return Resolved{Value: res.Value, Known: res.Known, Secret: res.Secret}, nil
}

// Await returns o's value as T, failing t when it errors, is unknown or is not a T.
// Named string types (pulumi.ID, pulumi.URN) convert to string and back.
func Await[T any](t testing.TB, o pulumi.Output) T {
	t.Helper()
	r, err := AwaitErr(o)
	if err != nil {
		t.Fatalf("await %T: %v", o, err)
	}
	if !r.Known {
		t.Fatalf("await %T: value is unknown", o)
	}
	v, err := convert[T](r.Value)
	if err != nil {
		t.Fatalf("await %T: %v", o, err)
	}
	return v
}

// AwaitSecret is Await for an output that must be secret: it fails t when it is not.
func AwaitSecret[T any](t testing.TB, o pulumi.Output) T {
	t.Helper()
	r, err := AwaitErr(o)
	if err != nil {
		t.Fatalf("await %T: %v", o, err)
	}
	if !r.Secret {
		t.Fatalf("await %T: value is not secret", o)
	}
	v, err := convert[T](r.Value)
	if err != nil {
		t.Fatalf("await %T: %v", o, err)
	}
	return v
}

func convert[T any](v any) (T, error) {
	var zero T
	if v == nil {
		return zero, nil
	}
	if x, ok := v.(T); ok {
		return x, nil
	}
	rv, want := reflect.ValueOf(v), reflect.TypeOf(zero)
	if want != nil && rv.Type().ConvertibleTo(want) &&
		rv.Kind() == want.Kind() {
		return rv.Convert(want).Interface().(T), nil
	}
	if want != nil && rv.Kind() == reflect.Slice && want.Kind() == reflect.Slice {
		out := reflect.MakeSlice(want, rv.Len(), rv.Len())
		for i := range rv.Len() {
			e := rv.Index(i)
			if e.Kind() == reflect.Interface {
				e = e.Elem()
			}
			if !e.IsValid() || !e.Type().ConvertibleTo(want.Elem()) || e.Kind() != want.Elem().Kind() {
				return zero, fmt.Errorf("element %d is %v, want %v", i, e.Type(), want.Elem())
			}
			out.Index(i).Set(e.Convert(want.Elem()))
		}
		return out.Interface().(T), nil
	}
	return zero, fmt.Errorf("value is %T, want %v", v, want)
}
