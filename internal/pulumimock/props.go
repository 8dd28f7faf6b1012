package pulumimock

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Markers that Plain puts in place of values a reader must not (or cannot) see.
const (
	SecretMarker  = "[secret]"
	UnknownMarker = "[unknown]"
)

// Get returns the input at path ("a.b[0].c"); a null value when any step is missing.
// Secrets are unwrapped: use IsSecret to assert that an input is one.
func (r Resource) Get(path string) resource.PropertyValue { return Lookup(r.Inputs, path) }

// Out returns the output at path, like Get.
func (r Resource) Out(path string) resource.PropertyValue { return Lookup(r.Outputs, path) }

// Has reports whether the input at path is present and not null.
func (r Resource) Has(path string) bool { return !r.Get(path).IsNull() }

// Str returns the input at path as a string ("" when absent or not a string).
func (r Resource) Str(path string) string {
	v := r.Get(path)
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// Bool returns the input at path as a bool (false when absent).
func (r Resource) Bool(path string) bool {
	v := r.Get(path)
	return v.IsBool() && v.BoolValue()
}

// Num returns the input at path as a number (0 when absent).
func (r Resource) Num(path string) float64 {
	v := r.Get(path)
	if v.IsNumber() {
		return v.NumberValue()
	}
	return 0
}

// Plain returns the input at path as plain Go values (see Plain), secrets shown.
func (r Resource) Plain(path string) any { return plainValue(r.Get(path), false) }

// IsSecret reports whether the input at path was passed as a secret.
func (r Resource) IsSecret(path string) bool {
	v, ok := lookup(r.Inputs, path)
	return ok && (v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret))
}

// DependsOn reports whether input property prop depends on the resource with URN urn.
func (r Resource) DependsOn(prop, urn string) bool {
	for _, u := range r.PropertyDeps[prop] {
		if u == urn {
			return true
		}
	}
	return false
}

// Lookup follows path ("a.b[0].c") through pm, unwrapping secrets and known outputs.
func Lookup(pm resource.PropertyMap, path string) resource.PropertyValue {
	v, ok := lookup(pm, path)
	if !ok {
		return resource.NewNullProperty()
	}
	return unwrap(v)
}

func lookup(pm resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	cur := resource.NewObjectProperty(pm)
	for _, step := range splitPath(path) {
		cur = unwrap(cur)
		if idx, err := strconv.Atoi(step); err == nil && cur.IsArray() {
			arr := cur.ArrayValue()
			if idx < 0 || idx >= len(arr) {
				return resource.PropertyValue{}, false
			}
			cur = arr[idx]
			continue
		}
		if !cur.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := cur.ObjectValue()[resource.PropertyKey(step)]
		if !ok {
			return resource.PropertyValue{}, false
		}
		cur = next
	}
	return cur, true
}

// splitPath turns "a.b[0].c" into [a b 0 c].
func splitPath(path string) []string {
	var out []string
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part, ']')
			if j < i {
				out = append(out, part[i:])
				break
			}
			out = append(out, part[i+1:j])
			part = part[j+1:]
		}
	}
	return out
}

func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

// Plain converts a property map to plain Go values (string, float64, bool, nil,
// []any, map[string]any). Unknown values become UnknownMarker; with
// redactSecrets, secrets become SecretMarker, so the result is safe to print.
func Plain(pm resource.PropertyMap, redactSecrets bool) map[string]any {
	out := make(map[string]any, len(pm))
	for k, v := range pm {
		out[string(k)] = plainValue(v, redactSecrets)
	}
	return out
}

func plainValue(v resource.PropertyValue, redact bool) any {
	switch {
	case v.IsSecret():
		if redact {
			return SecretMarker
		}
		return plainValue(v.SecretValue().Element, redact)
	case v.IsComputed():
		return UnknownMarker
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret && redact {
			return SecretMarker
		}
		if !o.Known {
			return UnknownMarker
		}
		return plainValue(o.Element, redact)
	case v.IsNull():
		return nil
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsBool():
		return v.BoolValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plainValue(e, redact)
		}
		return out
	case v.IsObject():
		return Plain(v.ObjectValue(), redact)
	case v.IsAsset():
		a := v.AssetValue()
		switch {
		case a.Path != "":
			return map[string]any{"asset": "file", "path": a.Path, "hash": a.Hash}
		case a.URI != "":
			return map[string]any{"asset": "uri", "uri": a.URI}
		}
		return map[string]any{"asset": "text", "hash": a.Hash}
	case v.IsArchive():
		a := v.ArchiveValue()
		return map[string]any{"archive": a.Path, "hash": a.Hash}
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		return map[string]any{"urn": string(ref.URN)}
	}
	return v.String()
}

func sortStrings(s []string) { sort.Strings(s) }
