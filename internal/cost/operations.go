package cost

import (
	"fmt"
	"math"
)

// metricAlarm prices an alarm per metric it reads: a metric math alarm is billed for each metric in its
// expression, a single-metric alarm for one; under a minute is high resolution.
func (e *estimator) metricAlarm(r Resource) (Item, bool) {
	in := r.Inputs
	metrics, highRes := 1, num(in, "period") > 0 && num(in, "period") < 60
	if qs, ok := in["metricQueries"].([]any); ok && len(qs) > 0 {
		metrics = 0
		for _, q := range qs {
			m, _ := q.(map[string]any)
			if metric, ok := m["metric"].(map[string]any); ok {
				metrics++
				highRes = highRes || (num(metric, "period") > 0 && num(metric, "period") < 60)
			}
		}
	}
	key := "cloudwatch.alarm"
	if highRes {
		key = "cloudwatch.alarm.high_resolution"
	}
	s := newSum()
	s.add(e.monthlyUnits(key, float64(metrics)))
	if metrics > 1 {
		s.note(fmt.Sprintf("metric math over %d metrics", metrics))
	}
	return s.item()
}

// dashboard is priced in full: the account's 3 free dashboards are an allowance across stacks, which one
// stack's plan cannot know is unused.
func (e *estimator) dashboard(Resource) (Item, bool) {
	s := newSum()
	s.add(e.monthlyUnits("cloudwatch.dashboard", 1))
	s.note("the account's first 3 dashboards are free")
	return s.item()
}

// budget is priced in full for the same reason: the first two budgets of an account are free.
func (e *estimator) budget(Resource) (Item, bool) {
	s := newSum()
	s.add(e.monthlyUnits("budgets.budget", math.Round(e.t.HoursPerMonth/24*100)/100))
	s.note("the account's first 2 budgets are free")
	return s.item()
}
