package pulumimock

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/shopstack/shopstack/internal/awstype"
)

// A kind is what the mock knows of one resource type.
type kind struct {
	// name is the input holding the resource's AWS name, which the provider autonames
	// (`<logical name>-<7 hex>`) when the program leaves it out; "" when the type has no name of its own.
	name string
	// ec2 is the prefix of an EC2-style id (`vpc-`); ec2Arn the resource part of its ARN, "" when EC2 gives
	// such resources none.
	ec2, ec2Arn string
	// compute adds what AWS computes on create.
	compute func(*fill)
}

// kinds are the resource types the mock answers, by canonical token (awstype.Canonical), one table per
// area of AWS. A type not listed gets an id, an ARN and nothing else.
var kinds = merge(networkKinds, edgeKinds, computeKinds, dataKinds, accountKinds)

func merge(tables ...map[string]kind) map[string]kind {
	out := map[string]kind{}
	for _, t := range tables {
		for typ, k := range t {
			if _, dup := out[typ]; dup {
				panic("pulumimock: " + typ + " is in two kind tables")
			}
			out[typ] = k
		}
	}
	return out
}

// fill is one resource's outputs being computed. Outputs start as the inputs (the provider echoes them);
// set never overwrites what the program gave.
type fill struct {
	outs
	res          Resource
	h            string // the URN's hash, from which every made-up value derives
	region, acct string
	name         string // the physical name, "" when the type has none
	id           string // the id the mock returns
}

// arn sets arn:aws:<service>:<region>:<account>:<rest>, without the region for IAM and CloudFront.
func (f *fill) arn(service, rest string) {
	region := f.region
	if service == "iam" || service == "cloudfront" {
		region = ""
	}
	f.set("arn", fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, f.acct, rest))
}

// idIsArn makes the ARN the id, as the provider does for ELB, ECS, Secrets Manager and SNS resources.
func (f *fill) idIsArn() { f.id = f.str("arn") }

// uuid is a placeholder UUID derived from the URN.
func (f *fill) uuid() string { return mockUUID(f.h) }

// arnNamed is a compute that only sets the ARN arn:aws:<service>:...:<prefix><physical name>.
func arnNamed(service, prefix string) func(*fill) {
	return func(f *fill) { f.arn(service, prefix+f.name) }
}

// outputsFor computes the id and outputs of a resource. In a preview what AWS computes stays unknown, as it
// would against a real engine.
func (r *Recorder) outputsFor(res Resource, importID string) (string, resource.PropertyMap) {
	out := res.Inputs.Copy()
	typ := awstype.Canonical(res.Type)
	if remote, ok := remoteOutputs[typ]; ok {
		if !r.preview {
			remote(r, res, outs{pm: out})
		}
		return "", out
	}
	if !res.Custom || strings.HasPrefix(res.Type, "pulumi:providers:") {
		return "", out
	}
	// In a preview a create's computed outputs are unknown. random:* results are
	// the exception: programs pass them on as secrets, and the SDK's mock
	// monitor cannot carry a secret whose value is unknown.
	if r.preview && importID == "" && !strings.HasPrefix(res.Type, "random:") {
		return "", out
	}
	k := kinds[typ]
	f := &fill{outs: outs{pm: out}, res: res, h: hash(res.URN), region: r.regionOf(res), acct: r.accountID}
	f.nameAndID(k, importID)
	if k.compute != nil {
		k.compute(f)
	}
	f.finish()
	return f.id, out
}

// nameAndID autonames the resource if it has a name the program left out, and gives it the id AWS would:
// an EC2-style id, else its name, else a made-up one.
func (f *fill) nameAndID(k kind, importID string) {
	if k.name != "" {
		f.name = f.str(k.name)
		if f.name == "" && !f.has(k.name) {
			f.name = f.res.Name + "-" + f.h[:7]
			f.set(k.name, f.name)
		}
	}
	f.id = importID
	if k.ec2 != "" {
		if f.id == "" {
			f.id = k.ec2 + mockID(f.h, 10)
		}
		if k.ec2Arn != "" {
			f.arn("ec2", k.ec2Arn+"/"+f.id)
		}
		f.set("ownerId", f.acct)
	}
	if f.id == "" {
		f.id = f.name
	}
	if f.id == "" {
		f.id = f.fallbackID()
	}
}

// fallbackID is the id of a resource that has neither an EC2-style id nor a name.
func (f *fill) fallbackID() string { return "mock-" + f.res.Name + "-" + f.h[:7] }

// finish adds what every AWS resource has: an ARN (unless its module has none worth inventing), tagsAll,
// and the id.
func (f *fill) finish() {
	mod, member := splitToken(f.res.Type)
	if !f.has("arn") && strings.HasPrefix(f.res.Type, "aws:") && !noArn[mod] {
		f.set("arn", fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", mod, f.region, f.acct, strings.ToLower(member), f.id))
	}
	if !f.has("tagsAll") && f.has("tags") {
		f.pm["tagsAll"] = f.pm["tags"]
	}
	f.set("id", f.id)
}

// The placeholder forms of the package comment. mockID is the made-up part of a value: "mock-" and n hex
// digits of h.
func mockID(h string, n int) string { return "mock-" + h[:n] }

// mockIDUpper is mockID for the formats AWS writes in upper case, where it follows their prefix
// (EMOCK…, AROAMOCK…).
func mockIDUpper(h string, n int) string { return "MOCK" + strings.ToUpper(h[:n]) }

// mockUUID keeps a UUID's 8-4-4-4-12 shape, its first group starting with "mock".
func mockUUID(h string) string {
	return fmt.Sprintf("mock%s-%s-%s-%s-%s", h[:4], h[4:8], h[8:12], h[12:16], h[16:28])
}

// secretSuffix stands for the six random characters Secrets Manager appends to a secret's name in its ARN.
func secretSuffix(h string) string { return "-mock" + h[:2] }

// noArn lists the modules whose generic resources carry no ARN worth inventing.
var noArn = map[string]bool{"index": true, "route53": true}

// regionOf returns the region of the resource's explicit provider, if it set one.
func (r *Recorder) regionOf(res Resource) string {
	if res.Provider != "" {
		urn, _, _ := strings.Cut(res.Provider, "::")
		if p, ok := r.resources[urn]; ok {
			if v, ok := p.Inputs["region"]; ok && v.IsString() {
				return v.StringValue()
			}
		}
	}
	return r.region
}

func splitToken(tok string) (mod, member string) {
	parts := strings.Split(tok, ":")
	if len(parts) != 3 {
		return "", tok
	}
	mod, _, _ = strings.Cut(parts[1], "/")
	return mod, parts[2]
}

// shortRegion is ElastiCache's region abbreviation (us-east-1 -> use1).
func shortRegion(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	return parts[0] + parts[1][:1] + parts[2]
}

func digits(h string, n int) int {
	v := 0
	for i := 0; i < n && i < len(h); i++ {
		v = v*10 + int(h[i])%10
	}
	return v
}

func randomText(h string, n int) string {
	for len(h) < n {
		h += hash(h)
	}
	return h[:n]
}

// outs edits an output map without overwriting what the program set.
type outs struct{ pm resource.PropertyMap }

func (o outs) has(k string) bool { _, ok := o.pm[resource.PropertyKey(k)]; return ok }

func (o outs) set(k string, v any) {
	if !o.has(k) {
		o.pm[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
	}
}

func (o outs) setSecret(k string, v any) {
	if !o.has(k) {
		o.pm[resource.PropertyKey(k)] = resource.MakeSecret(resource.NewPropertyValue(v))
	}
}

func (o outs) str(k string) string {
	v, ok := o.pm[resource.PropertyKey(k)]
	if ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

func (o outs) bool(k string) bool {
	v, ok := o.pm[resource.PropertyKey(k)]
	return ok && v.IsBool() && v.BoolValue()
}

func (o outs) num(k string, def int) int {
	v, ok := o.pm[resource.PropertyKey(k)]
	if ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}
