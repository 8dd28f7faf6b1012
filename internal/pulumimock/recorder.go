// Package pulumimock is the shared recording mock for Pulumi programs: it answers
// the resource monitor like a plausible AWS account would, records every resource
// and invoke, and offers helpers so tests read top to bottom instead of living
// inside ApplyT callbacks. Components tests, the stack tests, the offline plan
// and the policy tests all run programs through it.
//
//	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
//		net, err = components.NewNetwork(ctx, "net", nil)
//		return err
//	}, pulumimock.WithConfig("aws:region", "us-east-1"))
//	vpc := rec.Must(t, "aws:ec2/vpc:Vpc", "net-vpc")
//	assert.True(t, vpc.Bool("enableDnsHostnames"))
//	assert.Equal(t, vpc.ID, pulumimock.Await[string](t, net.VpcId))
//
// Outputs are deterministic (derived from the URN), so golden plans are stable.
// Preview (WithPreview) leaves what the provider computes unknown; Plain renders
// inputs or outputs for printing with secrets redacted and unknowns marked.
//
// Placeholders: where AWS would make a value up (an id, the unique part of an
// ARN or a hostname, a UUID, a token), the mock's value says "mock", so nothing
// in a plan or a test reads as a real resource. The made-up part is "mock-" and
// hex digits inside whatever AWS's format puts around it (vpc-mock-1a2b3c4d5e,
// loadbalancer/app/<name>/mock-…, mock-….cloudfront.net), "MOCK" after the
// prefix of a format AWS writes in upper case (EMOCK…, AROAMOCK…, ZMOCK…), and
// the first group of a UUID (mock1a2b-…). These keep their AWS shape:
//
//   - the account, 123456789012, and every AMI, ami-0abcdef1234567890: AWS's
//     documentation examples, recognisable as such, in formats programs check;
//   - autonames, <logical name>-<7 hex>: the provider's own rule, so a plan
//     shows names within AWS's limits;
//   - what AWS publishes (managed policy and prefix list ids, service hosted
//     zones, the ELB log account), answered as AWS does, and addresses, which
//     are private (10.0.0.0/16) or documentation ones (203.0.113.0/24);
//   - random's results: secrets of the length and alphabet the program asked for.
package pulumimock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource is one registered (or read) resource as the engine would have seen it.
type Resource struct {
	Type, Name, URN, ID, Parent string // Parent is the parent URN ("" when none)
	Custom                      bool
	Provider                    string // provider reference, "" for the default provider
	Protect                     bool
	Inputs                      resource.PropertyMap // may hold secrets and computed values
	Outputs                     resource.PropertyMap // what the mock returned
	PropertyDeps                map[string][]string  // input property name -> URNs it depends on
	Dependencies                []string             // URNs from DependsOn and input dependencies
	Aliases                     []string             // alias URNs or alias specs rendered as text
	ReplaceOnChanges            []string             // property paths whose change replaces the resource
	DeleteBeforeReplace         bool                 // replaced by deleting it first (false: create the new one first)
	IgnoreChanges               []string             // input properties whose changes the engine ignores
	RetainOnDelete              bool                 // left in AWS when the stack deletes it
	Version                     string               // the provider plugin version asked for ("" for the SDK's own)
}

// Invoke is one data-source call (e.g. aws:index/getRegion:getRegion).
type Invoke struct {
	Token string
	Args  resource.PropertyMap
}

// Recorder implements pulumi.MockResourceMonitor. It is safe for concurrent use.
type Recorder struct {
	region    string
	accountID string
	azs       []string

	mu        sync.Mutex
	project   string
	stack     string
	preview   bool
	resources map[string]Resource
	invokes   []Invoke
}

var _ pulumi.MockResourceMonitor = (*Recorder)(nil)

// Option configures a Recorder.
type Option func(*Recorder)

// WithRegion sets the region answered by getRegion and used in ARNs (default us-east-1).
func WithRegion(region string) Option { return func(r *Recorder) { r.region = region } }

// WithAccountID sets the account id used in ARNs and getCallerIdentity (default 123456789012).
func WithAccountID(id string) Option { return func(r *Recorder) { r.accountID = id } }

// WithAZs sets the availability zones answered by getAvailabilityZones
// (default the region's a, b, c).
func WithAZs(azs ...string) Option { return func(r *Recorder) { r.azs = azs } }

// New returns an empty recorder.
func New(opts ...Option) *Recorder {
	r := &Recorder{
		region:    "us-east-1",
		accountID: "123456789012",
		project:   "shopstack",
		stack:     "test",
		resources: map[string]Resource{},
	}
	for _, o := range opts {
		o(r)
	}
	if len(r.azs) == 0 {
		r.azs = []string{r.region + "a", r.region + "b", r.region + "c"}
	}
	return r
}

// Region is the region the recorder answers with.
func (r *Recorder) Region() string { return r.region }

// AccountID is the account id the recorder answers with.
func (r *Recorder) AccountID() string { return r.accountID }

// setRun records the project and stack (they are part of every URN) and whether
// this is a preview, in which outputs the provider computes stay unknown.
func (r *Recorder) setRun(project, stack string, preview bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.project, r.stack, r.preview = project, stack, preview
}

// urn reproduces the URN the SDK's mock monitor assigns, so Parent fields line up.
func (r *Recorder) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.stack), tokens.PackageName(r.project), parentType,
		tokens.Type(typ), name))
}

var keepAll = plugin.MarshalOptions{KeepSecrets: true, KeepResources: true, KeepUnknowns: true}

// NewResource records a registered or read resource and returns plausible outputs.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	res := Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Provider: args.Provider,
		Inputs:   args.Inputs,
	}
	var parent string
	switch {
	case args.RegisterRPC != nil:
		rpc := args.RegisterRPC
		parent = rpc.GetParent()
		// The SDK's mock monitor drops unknown inputs; read them again so a
		// preview shows what is not known yet.
		if in, err := plugin.UnmarshalProperties(rpc.GetObject(), keepAll); err == nil {
			res.Inputs = in
		}
		res.Protect = rpc.GetProtect()
		res.Version = rpc.GetVersion()
		res.IgnoreChanges = slices.Clone(rpc.GetIgnoreChanges())
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.Dependencies = slices.Clone(rpc.GetDependencies())
		res.PropertyDeps = map[string][]string{}
		for k, v := range rpc.GetPropertyDependencies() {
			res.PropertyDeps[k] = slices.Clone(v.GetUrns())
		}
		res.ReplaceOnChanges = slices.Clone(rpc.GetReplaceOnChanges())
		res.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		res.Aliases = slices.Clone(rpc.GetAliasURNs())
		for _, a := range rpc.GetAliases() {
			res.Aliases = append(res.Aliases, a.String())
		}
	case args.ReadRPC != nil:
		parent = args.ReadRPC.GetParent()
		if in, err := plugin.UnmarshalProperties(args.ReadRPC.GetProperties(), keepAll); err == nil {
			res.Inputs = in
		}
		res.Custom = true
	}
	if parent != "" && resource.URN(parent).QualifiedType() != resource.RootStackType {
		res.Parent = parent
	}
	res.URN = r.urn(parent, args.TypeToken, args.Name)

	if _, dup := r.resources[res.URN]; dup {
		// The engine refuses a second resource with the same URN; so do we, so
		// tests catch two component instances whose children collide.
		return "", nil, errorf("duplicate resource URN %s", res.URN)
	}
	id, outputs := r.outputsFor(res, args.ID)
	res.ID = id
	res.Outputs = outputs
	r.resources[res.URN] = res
	return id, outputs, nil
}

// Call answers an invoke and records it.
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invokes = append(r.invokes, Invoke{Token: args.Token, Args: args.Args})
	return r.answer(args.Token, args.Args)
}

// Resources returns every recorded resource, sorted by URN.
func (r *Recorder) Resources() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Resource, 0, len(r.resources))
	for _, res := range r.resources {
		out = append(out, res)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// ByType returns the resources whose type is any of tokens, sorted by URN.
func (r *Recorder) ByType(tokens ...string) []Resource {
	var out []Resource
	for _, res := range r.Resources() {
		if slices.Contains(tokens, res.Type) {
			out = append(out, res)
		}
	}
	return out
}

// Find returns the resource with this type and logical name.
func (r *Recorder) Find(typ, name string) (Resource, bool) {
	for _, res := range r.Resources() {
		if res.Type == typ && res.Name == name {
			return res, true
		}
	}
	return Resource{}, false
}

// Must returns the resource with this type and name, or fails t listing what exists.
func (r *Recorder) Must(t testing.TB, typ, name string) Resource {
	t.Helper()
	res, ok := r.Find(typ, name)
	if !ok {
		var have []string
		for _, x := range r.Resources() {
			have = append(have, x.Type+" "+x.Name)
		}
		t.Fatalf("no resource %s %q; recorded:\n  %s", typ, name, strings.Join(have, "\n  "))
	}
	return res
}

// Children returns the resources whose parent is parentURN, sorted by URN.
func (r *Recorder) Children(parentURN string) []Resource {
	var out []Resource
	for _, res := range r.Resources() {
		if res.Parent == parentURN {
			out = append(out, res)
		}
	}
	return out
}

// Invokes returns every recorded invoke in call order.
func (r *Recorder) Invokes() []Invoke {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.invokes)
}

// hash is a short deterministic suffix, so ids and autonames are stable across runs
// (the offline plan's golden files depend on it).
func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

func errorf(format string, args ...any) error { return fmt.Errorf("pulumimock: "+format, args...) }
