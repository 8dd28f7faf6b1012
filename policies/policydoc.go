package policies

import (
	"fmt"
	"strings"
)

// statement is one IAM policy statement, decoded from a policy JSON string.
type statement struct {
	Effect    string
	Actions   []string
	Resources []string
	// NotActions and NotResources invert the match: Allow with NotAction grants every action but these.
	NotActions   []string
	NotResources []string
	Principal    any
	Condition    map[string]any
}

// parseStatements decodes an IAM-style policy document value.
func parseStatements(v Value) ([]statement, error) {
	doc, err := v.JSON()
	if err != nil {
		return nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy document is not a JSON object")
	}
	var raw []any
	switch st := obj["Statement"].(type) {
	case []any:
		raw = st
	case map[string]any:
		raw = []any{st}
	default:
		return nil, fmt.Errorf("policy document has no Statement")
	}
	out := make([]statement, 0, len(raw))
	for _, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy statement is not an object")
		}
		cond, _ := m["Condition"].(map[string]any)
		effect, _ := m["Effect"].(string)
		out = append(out, statement{
			Effect:       effect,
			Actions:      anyStrings(m["Action"]),
			Resources:    anyStrings(m["Resource"]),
			NotActions:   anyStrings(m["NotAction"]),
			NotResources: anyStrings(m["NotResource"]),
			Principal:    m["Principal"],
			Condition:    cond,
		})
	}
	return out, nil
}

func anyStrings(x any) []string {
	switch t := x.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// publicPrincipal reports whether a statement's principal is everyone.
func (s statement) publicPrincipal() bool {
	switch p := s.Principal.(type) {
	case string:
		return p == "*"
	case map[string]any:
		for _, v := range p {
			for _, id := range anyStrings(v) {
				if id == "*" {
					return true
				}
			}
		}
	}
	return false
}

// deniesInsecureTransport reports whether s denies requests without TLS.
func (s statement) deniesInsecureTransport() bool {
	if !strings.EqualFold(s.Effect, "Deny") {
		return false
	}
	b, ok := s.Condition["Bool"].(map[string]any)
	if !ok {
		return false
	}
	for k, v := range b {
		if strings.EqualFold(k, "aws:SecureTransport") {
			for _, s := range append(anyStrings(v), fmt.Sprint(v)) {
				if strings.EqualFold(s, "false") {
					return true
				}
			}
		}
	}
	return false
}
