package policies

import (
	"fmt"
	"strings"
)

// Report is the result of evaluating the rules over one stack.
type Report struct {
	Stack     string    `json:"stack"`
	Resources int       `json:"resources"`
	Rules     int       `json:"rules"`
	Findings  []Finding `json:"findings"`
}

// Mandatory are the mandatory violations: any one of them fails the stack.
func (r Report) Mandatory() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Level == Mandatory && f.Outcome == Violation {
			out = append(out, f)
		}
	}
	return out
}

// Advisories are every other finding (advisory violations and cannot-evaluate).
func (r Report) Advisories() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Level != Mandatory || f.Outcome != Violation {
			out = append(out, f)
		}
	}
	return out
}

func (r Report) summary() string {
	return fmt.Sprintf("%d rules over %d resources: %d mandatory violations, %d advisories",
		r.Rules, r.Resources, len(r.Mandatory()), len(r.Advisories()))
}

func (f Finding) label() string {
	if f.Control != "" {
		return f.Rule + " (" + f.Control + ")"
	}
	return f.Rule
}

// Text renders the report for a terminal, grouped by resource.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Policy report for stack %s: %s\n", r.Stack, r.summary())
	for i, f := range r.Findings {
		if i == 0 || f.URN != r.Findings[i-1].URN {
			fmt.Fprintf(&b, "\n  %s %s\n", f.Type, f.Name)
		}
		fmt.Fprintf(&b, "    %-9s %s: %s\n", tag(f), f.label(), f.Message)
	}
	return b.String()
}

func tag(f Finding) string {
	if f.Outcome == CannotEvaluate {
		return "UNKNOWN"
	}
	return strings.ToUpper(string(f.Level))
}

// Markdown renders the report for a pull-request comment: mandatory violations
// first, then a collapsed table of advisories.
func (r Report) Markdown() string {
	var b strings.Builder
	// No heading of its own: the report is a section of the plan-diff comment.
	fmt.Fprintf(&b, "**Policy report for `%s`**: %s.\n", r.Stack, r.summary())
	table := func(title string, fs []Finding) {
		if len(fs) == 0 {
			return
		}
		if title != "" {
			fmt.Fprintf(&b, "\n%s\n", title)
		}
		b.WriteString("\n| Resource | Rule | Finding |\n|---|---|---|\n")
		for _, f := range fs {
			fmt.Fprintf(&b, "| `%s` `%s` | %s | %s |\n", f.Type, f.Name, f.label(), mdEscape(f.Message))
		}
	}
	if m := r.Mandatory(); len(m) > 0 {
		table(":no_entry: **Mandatory violations**", m)
	}
	if a := r.Advisories(); len(a) > 0 {
		b.WriteString("\n<details><summary>Advisories</summary>\n")
		table("", a)
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
