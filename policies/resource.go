package policies

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Resource is the neutral view every rule reads: what the engine knows about a
// resource before it is created. Adapters build it from the recording mock
// (plan.PolicyResources) and from the policy SDK's analyzer resources (policies/pack).
type Resource struct {
	Type, Name, URN string
	Parent          string // parent URN, "" when none
	Provider        string // URN of the explicit provider, "" for the default provider
	Protect         bool
	// Inputs keep secrets and computed (unknown at preview) values marked, so a
	// rule can tell a secret from a plain value and an unknown from an absent one.
	Inputs resource.PropertyMap
	// PropertyDeps maps a top-level input name to the URNs its value came from.
	// Stack rules join resources through it, never through id strings.
	PropertyDeps map[string][]string
}

// DependsOn reports whether the input prop of r was computed from target.
func (r Resource) DependsOn(prop string, target Resource) bool {
	for _, urn := range r.PropertyDeps[prop] {
		if urn == target.URN {
			return true
		}
	}
	return false
}

// State says whether a value is there and whether it is known at preview time.
type State int

const (
	// Absent: the input was not set (or set to null); AWS applies its default.
	Absent State = iota
	// Unknown: the value is computed and only known after an update.
	Unknown
	// Known: the value is there and can be judged.
	Known
)

// Value is one property value looked up in a resource's inputs. Secret is
// sticky: it is true when the value or anything around it on the path was secret.
type Value struct {
	State  State
	Secret bool
	pv     resource.PropertyValue
}

// Get looks up a path such as "defaultCacheBehavior.viewerProtocolPolicy" or
// "rules[0].statement" in the inputs.
func (r Resource) Get(path string) Value {
	return objectValue(r.Inputs).Path(path)
}

func objectValue(pm resource.PropertyMap) Value {
	return wrap(resource.NewProperty(pm), false)
}

// wrap unwraps secrets and outputs around pv, recording secrecy and unknowns.
func wrap(pv resource.PropertyValue, secret bool) Value {
	for {
		switch {
		case pv.IsSecret():
			secret = true
			pv = pv.SecretValue().Element
		case pv.IsOutput():
			o := pv.OutputValue()
			secret = secret || o.Secret
			if !o.Known {
				return Value{State: Unknown, Secret: secret}
			}
			pv = o.Element
		case pv.IsComputed():
			return Value{State: Unknown, Secret: secret}
		case pv.IsNull():
			return Value{State: Absent, Secret: secret}
		default:
			return Value{State: Known, Secret: secret, pv: pv}
		}
	}
}

// Path walks a dotted path with optional [n] indexes from v.
func (v Value) Path(path string) Value {
	cur := v
	for _, seg := range splitPath(path) {
		if cur.State != Known {
			return cur
		}
		if seg.index >= 0 {
			cur = cur.Index(seg.index)
		} else {
			cur = cur.Field(seg.name)
		}
	}
	return cur
}

type pathSeg struct {
	name  string
	index int
}

func splitPath(path string) []pathSeg {
	var segs []pathSeg
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			segs = append(segs, pathSeg{name: name, index: -1})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if err != nil {
				n = 1 << 30 // an unparsable index finds nothing
			}
			segs = append(segs, pathSeg{index: n})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return segs
}

// Field is the named property of an object value (Absent when v is not an object).
func (v Value) Field(name string) Value {
	if v.State != Known || !v.pv.IsObject() {
		return Value{State: v.absentOr(), Secret: v.Secret}
	}
	pv, ok := v.pv.ObjectValue()[resource.PropertyKey(name)]
	if !ok {
		return Value{State: Absent, Secret: v.Secret}
	}
	return wrap(pv, v.Secret)
}

// Index is the n-th element of an array value.
func (v Value) Index(n int) Value {
	items := v.Items()
	if n < 0 || n >= len(items) {
		return Value{State: v.absentOr(), Secret: v.Secret}
	}
	return items[n]
}

func (v Value) absentOr() State {
	if v.State == Unknown {
		return Unknown
	}
	return Absent
}

// Items are the elements of an array value (nil when v is not a known array).
func (v Value) Items() []Value {
	if v.State != Known || !v.pv.IsArray() {
		return nil
	}
	arr := v.pv.ArrayValue()
	out := make([]Value, len(arr))
	for i, pv := range arr {
		out[i] = wrap(pv, v.Secret)
	}
	return out
}

// Keys are the property names of a known object value.
func (v Value) Keys() []string {
	if v.State != Known || !v.pv.IsObject() {
		return nil
	}
	var keys []string
	for _, k := range v.pv.ObjectValue().StableKeys() {
		keys = append(keys, string(k))
	}
	return keys
}

// Bool is the value as a boolean; ok is false when it is not a known bool.
// Pulumi providers accept "true"/"false" strings, so those count too.
func (v Value) Bool() (b, ok bool) {
	if v.State != Known {
		return false, false
	}
	switch {
	case v.pv.IsBool():
		return v.pv.BoolValue(), true
	case v.pv.IsString():
		b, err := strconv.ParseBool(v.pv.StringValue())
		return b, err == nil
	}
	return false, false
}

// Str is the value as a string; ok is false when it is not a known string.
func (v Value) Str() (string, bool) {
	if v.State != Known || !v.pv.IsString() {
		return "", false
	}
	return v.pv.StringValue(), true
}

// Num is the value as a number (numeric strings count).
func (v Value) Num() (float64, bool) {
	if v.State != Known {
		return 0, false
	}
	switch {
	case v.pv.IsNumber():
		return v.pv.NumberValue(), true
	case v.pv.IsString():
		f, err := strconv.ParseFloat(v.pv.StringValue(), 64)
		return f, err == nil
	}
	return 0, false
}

// Strings are the known string elements of an array (a lone string counts as one).
// unknown is true when the array or one of its elements is not known yet.
func (v Value) Strings() (out []string, unknown bool) {
	if v.State == Unknown {
		return nil, true
	}
	if s, ok := v.Str(); ok {
		return []string{s}, false
	}
	for _, it := range v.Items() {
		if it.State == Unknown {
			unknown = true
			continue
		}
		if s, ok := it.Str(); ok {
			out = append(out, s)
		}
	}
	return out, unknown
}

// JSON decodes a JSON-string property (IAM policies, container definitions,
// bucket policies). An object value (already structured) is returned as is.
func (v Value) JSON() (any, error) {
	if v.State != Known {
		return nil, fmt.Errorf("value is not known")
	}
	if s, ok := v.Str(); ok {
		var out any
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return out, nil
	}
	return v.pv.Mappable(), nil
}
