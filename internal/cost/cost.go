// Package cost estimates the idle monthly cost of a planned stack from a pinned price table (prices.json:
// us-east-1 list prices, each with its source and date). Every resource type the stacks create is either
// priced, usage-based (shown, not summed) or free; anything else is reported as unpriced, never as a silent zero.
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

//go:embed prices.json
var pricesJSON []byte

// Price is one pinned list price.
type Price struct {
	Key    string  `json:"key"`
	USD    float64 `json:"usd"`
	Unit   string  `json:"unit"`
	Source string  `json:"source"`
	Note   string  `json:"note"`
	AsOf   string  `json:"as_of"`
}

// Table is the price table.
type Table struct {
	Region        string  `json:"region"`
	HoursPerMonth float64 `json:"hours_per_month"`
	Prices        []Price `json:"prices"`
	byKey         map[string]Price
}

// Prices returns the embedded price table.
func Prices() (*Table, error) {
	var t Table
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		return nil, fmt.Errorf("cost: parse prices.json: %w", err)
	}
	t.byKey = make(map[string]Price, len(t.Prices))
	for _, p := range t.Prices {
		if p.Key == "" || p.Source == "" || p.AsOf == "" || p.Unit == "" || p.USD <= 0 {
			return nil, fmt.Errorf("cost: price %q needs a key, a positive usd, a unit, a source and a date", p.Key)
		}
		if _, dup := t.byKey[p.Key]; dup {
			return nil, fmt.Errorf("cost: price %q listed twice", p.Key)
		}
		t.byKey[p.Key] = p
	}
	return &t, nil
}

// Kind says how a resource is billed.
type Kind string

const (
	Priced Kind = "priced" // an always-on price, summed into the idle total
	Usage  Kind = "usage"  // billed only by use (requests, GB); shown, not summed
	Free   Kind = "free"   // no charge of its own
)

// Resource is the neutral view the estimator reads: inputs and outputs as plain JSON-like values.
type Resource struct {
	URN, Type, Name string
	Inputs          map[string]any
	Outputs         map[string]any
}

// Item is the estimate for one resource.
type Item struct {
	URN        string  `json:"urn"`
	Type       string  `json:"type"`
	MonthlyUSD float64 `json:"monthly_usd"`
	Basis      string  `json:"basis"`
	Kind       Kind    `json:"-"`
}

// Estimate is the stack's idle monthly cost.
type Estimate struct {
	MonthlyUSD float64
	Items      []Item
	// Unpriced lists resource types the table does not know; a test keeps it empty.
	Unpriced []string
}

// Estimate prices every resource. Items keep the order of rs.
func (t *Table) Estimate(rs []Resource) Estimate {
	e := &estimator{t: t, all: rs}
	var out Estimate
	unpriced := map[string]bool{}
	for _, r := range rs {
		it, ok := e.item(r)
		if !ok {
			unpriced[r.Type] = true
			it = Item{Kind: Usage, Basis: "UNPRICED: no entry for this resource type in internal/cost"}
		}
		it.URN, it.Type = r.URN, r.Type
		it.MonthlyUSD = round2(it.MonthlyUSD)
		if it.Kind == Priced {
			out.MonthlyUSD += it.MonthlyUSD
		}
		out.Items = append(out.Items, it)
	}
	out.MonthlyUSD = round2(out.MonthlyUSD)
	for typ := range unpriced {
		out.Unpriced = append(out.Unpriced, typ)
	}
	sort.Strings(out.Unpriced)
	return out
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

type estimator struct {
	t   *Table
	all []Resource
}

func (e *estimator) price(key string) (Price, bool) {
	p, ok := e.t.byKey[key]
	return p, ok
}

// hourly returns the monthly cost of qty units of an hourly price, and the basis text.
func (e *estimator) hourly(key string, qty float64) (float64, string, bool) {
	p, ok := e.price(key)
	if !ok {
		return 0, "", false
	}
	usd := p.USD * qty * e.t.HoursPerMonth
	return usd, fmt.Sprintf("%s × %g × %g h × $%g", key, qty, e.t.HoursPerMonth, p.USD), true
}

// monthlyUnits returns the cost of qty units of a monthly price, and the basis text.
func (e *estimator) monthlyUnits(key string, qty float64) (float64, string, bool) {
	p, ok := e.price(key)
	if !ok {
		return 0, "", false
	}
	return p.USD * qty, fmt.Sprintf("%s × %g × $%g", key, qty, p.USD), true
}

// sum adds priced parts; a missing price key makes the whole item unpriced.
type sum struct {
	usd   float64
	parts []string
	ok    bool
}

func newSum() *sum { return &sum{ok: true} }

func (s *sum) add(usd float64, basis string, ok bool) {
	if !ok {
		s.ok = false
		return
	}
	s.usd += usd
	s.parts = append(s.parts, basis)
}

func (s *sum) note(n string) { s.parts = append(s.parts, n) }

func (s *sum) item() (Item, bool) {
	if !s.ok {
		return Item{}, false
	}
	return Item{Kind: Priced, MonthlyUSD: s.usd, Basis: strings.Join(s.parts, " + ")}, true
}

func usage(basis string) (Item, bool) { return Item{Kind: Usage, Basis: "usage-based: " + basis}, true }
func free(basis string) (Item, bool)  { return Item{Kind: Free, Basis: "free: " + basis}, true }

// item prices one resource by its canonical type (awstype.Canonical: aws:alb/* is priced as aws:lb/*).
func (e *estimator) item(r Resource) (Item, bool) {
	typ := awstype.Canonical(r.Type)
	if p, ok := pricedTypes[typ]; ok {
		return p(e, r)
	}
	if b, ok := usageTypes[typ]; ok {
		return usage(b)
	}
	if b, ok := freeTypes[typ]; ok {
		return free(b)
	}
	if isComponent(typ) {
		return free("component or provider (no resource of its own)")
	}
	return Item{}, false
}

func isComponent(typ string) bool {
	switch {
	case strings.HasPrefix(typ, "pulumi:"):
		return true
	case strings.HasPrefix(typ, "shopstack:"):
		return true
	case typ == awstype.AwsxEcrImage:
		return true
	}
	return false
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) float64 { return parseNum(m[k]) }

func parseNum(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case string:
		var f float64
		if _, err := fmt.Sscan(x, &f); err == nil {
			return f
		}
	}
	return 0
}

func boolean(m map[string]any, k string) bool {
	b, _ := m[k].(bool)
	return b
}

func length(m map[string]any, k string) int {
	a, _ := m[k].([]any)
	return len(a)
}
