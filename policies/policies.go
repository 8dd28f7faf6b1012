// Package policies holds the shopstack guardrails as pure Go rules over a
// neutral resource view: per-resource rules and stack rules that join resources
// through URNs and property dependencies. The same rules run in `go test`
// against every stack under the recording mock, in `make plan`, and in the
// Pulumi CLI through the policy pack in policies/pack.
package policies

import (
	"fmt"
	"slices"
	"strings"
)

// Level is a rule's enforcement level.
type Level string

const (
	// Mandatory violations fail the tests and block `pulumi up` through the pack.
	Mandatory Level = "mandatory"
	// Advisory findings are reported and never block.
	Advisory Level = "advisory"
)

// Outcome says what a finding is.
type Outcome string

const (
	// Violation: the resource breaks the rule.
	Violation Outcome = "violation"
	// CannotEvaluate: a value the rule needs is unknown at preview time. Always
	// advisory, never a silent pass.
	CannotEvaluate Outcome = "cannot-evaluate"
)

// Rule is one guardrail. Exactly one of Check (per resource, for Types) and
// CheckStack (over all resources) is set.
type Rule struct {
	ID        string // stable id, e.g. "s3-public-access-block"
	Title     string
	Rationale string
	Control   string // AWS Foundational Security Best Practices control id, "" when none maps
	Level     Level
	// ProductionOnly: mandatory only in production-grade stacks, advisory elsewhere.
	ProductionOnly bool
	Types          Tokens
	Check          func(c *Check, r Resource)
	CheckStack     func(c *Check, s *Stack)
}

// LevelIn is the rule's enforcement level for a stack with these settings.
func (r *Rule) LevelIn(s Settings) Level {
	if r.ProductionOnly && !s.ProductionGrade {
		return Advisory
	}
	return r.Level
}

// Finding is one violation or cannot-evaluate result.
type Finding struct {
	Rule    string  `json:"rule"`
	Control string  `json:"control,omitempty"`
	Title   string  `json:"title"`
	Level   Level   `json:"level"`
	Outcome Outcome `json:"outcome"`
	URN     string  `json:"urn"`
	Type    string  `json:"type"`
	Name    string  `json:"name"`
	Message string  `json:"message"`
}

// Check collects the findings of one rule.
type Check struct {
	Rule     *Rule
	Settings Settings
	findings []Finding
}

// Fail records a violation on r.
func (c *Check) Fail(r Resource, format string, args ...any) {
	c.add(r, Violation, c.Rule.LevelIn(c.Settings), fmt.Sprintf(format, args...))
}

// Advise records an advisory violation on r, whatever the rule's level: for a
// weaker case of a mandatory rule (e.g. a listener that cannot redirect because
// the stack has no certificate).
func (c *Check) Advise(r Resource, format string, args ...any) {
	c.add(r, Violation, Advisory, fmt.Sprintf(format, args...))
}

// Unknown records that path on r cannot be evaluated before the update.
func (c *Check) Unknown(r Resource, path string) {
	c.add(r, CannotEvaluate, Advisory, fmt.Sprintf("cannot evaluate: %s is unknown until the update", path))
}

func (c *Check) add(r Resource, o Outcome, l Level, msg string) {
	c.findings = append(c.findings, Finding{
		Rule: c.Rule.ID, Control: c.Rule.Control, Title: c.Rule.Title, Level: l, Outcome: o,
		URN: r.URN, Type: r.Type, Name: r.Name, Message: msg,
	})
}

// Bool requires the boolean at path to equal want; absent means dflt (the AWS
// default). what names the setting in the message.
func (c *Check) Bool(r Resource, path string, want, dflt bool, what string) {
	v := r.Get(path)
	switch v.State {
	case Unknown:
		c.Unknown(r, path)
	case Absent:
		if dflt != want {
			c.Fail(r, "%s: %s is not set and AWS defaults it to %v", what, path, dflt)
		}
	case Known:
		b, ok := v.Bool()
		if !ok {
			c.Fail(r, "%s: %s is not a boolean", what, path)
		} else if b != want {
			c.Fail(r, "%s: %s is %v", what, path, b)
		}
	}
}

// Settings are the per-stack inputs of the rules, read from Pulumi.<stack>.yaml.
type Settings struct {
	Stack string
	// ProductionGrade makes the ProductionOnly rules mandatory.
	ProductionGrade bool
	// BudgetUSD is the idle monthly budget; 0 means none configured.
	BudgetUSD float64
	// IdleCostUSD is the stack's estimated idle monthly cost, filled by the
	// caller from the cost model; nil means not estimated (cannot evaluate).
	IdleCostUSD *float64
	// RequiredTags must be on every taggable resource (own tags or provider default tags).
	RequiredTags []string
	// DefaultTags are the default provider's tags (stack config aws:defaultTags).
	DefaultTags map[string]string
	// MaxInstanceSize is the largest instance size allowed (e.g. "xlarge").
	MaxInstanceSize string
}

// DefaultRequiredTags are the tag keys every stack applies through the AWS provider.
var DefaultRequiredTags = []string{"project", "stack", "managed-by"}

// Stack is the set of resources a stack rule sees.
type Stack struct {
	Resources []Resource
	byURN     map[string]Resource
}

// NewStack indexes resources by URN.
func NewStack(resources []Resource) *Stack {
	s := &Stack{Resources: resources, byURN: make(map[string]Resource, len(resources))}
	for _, r := range resources {
		s.byURN[r.URN] = r
	}
	return s
}

// ByURN finds a resource.
func (s *Stack) ByURN(urn string) (Resource, bool) {
	r, ok := s.byURN[urn]
	return r, ok
}

// Of are the resources whose type is in t.
func (s *Stack) Of(t Tokens) []Resource {
	var out []Resource
	for _, r := range s.Resources {
		if t.Has(r.Type) {
			out = append(out, r)
		}
	}
	return out
}

// Referencing are the resources of types t whose input prop came from target.
func (s *Stack) Referencing(target Resource, t Tokens, prop string) []Resource {
	var out []Resource
	for _, r := range s.Of(t) {
		if r.DependsOn(prop, target) {
			out = append(out, r)
		}
	}
	return out
}

// Deps are the resources input prop of r came from.
func (s *Stack) Deps(r Resource, prop string) []Resource {
	var out []Resource
	for _, urn := range r.PropertyDeps[prop] {
		if d, ok := s.byURN[urn]; ok {
			out = append(out, d)
		}
	}
	return out
}

// Tokens is a set of type tokens matched as a set, so aliases (aws:lb and
// aws:alb, Bucket and BucketV2) are one rule target.
type Tokens []string

// Has reports whether typ is in the set.
func (t Tokens) Has(typ string) bool { return slices.Contains(t, typ) }

// Evaluate runs rules over resources and returns the report, findings ordered
// by resource URN then rule id.
func Evaluate(resources []Resource, s Settings, rules []*Rule) Report {
	st := NewStack(resources)
	var findings []Finding
	for _, rule := range rules {
		c := &Check{Rule: rule, Settings: s}
		if rule.CheckStack != nil {
			rule.CheckStack(c, st)
		} else {
			for _, r := range resources {
				if rule.Types.Has(r.Type) {
					rule.Check(c, r)
				}
			}
		}
		findings = append(findings, c.findings...)
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		if x := strings.Compare(a.URN, b.URN); x != 0 {
			return x
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return Report{Stack: s.Stack, Resources: len(resources), Rules: len(rules), Findings: findings}
}
