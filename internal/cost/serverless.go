package cost

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/shopstack/shopstack/internal/awstype"
)

// The serverless lines: a schedule that invokes a Lambda function is an always-on cost (it ticks whether or
// not anyone shops), and so is what each tick wakes.

// idleTickSeconds is the assumed billed duration of one work tick that finds no job due: on a warm instance,
// the shop's work event prunes expired rows and counts due jobs (app/cmd/shop/work.go), a few queries. It is an
// assumption, not a measurement: nothing here ran on Lambda.
const idleTickSeconds = 0.2

// auroraResumeSeconds is how long a paused Aurora Serverless v2 instance takes to resume, per AWS's
// documentation (about 15 s; longer after a day or more paused).
const auroraResumeSeconds = 15

// markedWakeSeconds is how often a work schedule whose function keeps a work marker (SHOP_WORK_MARKER,
// app/wake) connects while the shop is idle: a tick with nothing due reads the marker in S3 and leaves the
// database alone, and with no job pending the marker schedules one connecting tick a day (wake.QuietHorizon,
// which a test holds this to). Jobs make more ticks connect, but jobs come from use, not from idling.
const markedWakeSeconds = 24 * 3600

// auroraResumedACU is the capacity an instance resumes at (the lowest non-zero one) and, idle, stays at until
// it pauses again.
const auroraResumedACU = 0.5

var rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// rateSeconds is the interval of a Scheduler rate(...) expression; false for cron(...) and at(...).
func rateSeconds(expr string) (float64, bool) {
	m := rateExpr.FindStringSubmatch(expr)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, false
	}
	unit := map[string]float64{"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[m[2]]
	return float64(n) * unit, true
}

// schedule prices an EventBridge Scheduler schedule by its ticks: Scheduler's invocation, the target function's
// request and duration (idleTickSeconds at the function's memory), and the Aurora Serverless v2 time the ticks
// keep awake (auroraWake). A cron or one-time schedule is usage-based.
func (e *estimator) schedule(r Resource) (Item, bool) {
	expr := str(r.Inputs, "scheduleExpression")
	interval, ok := rateSeconds(expr)
	if !ok {
		return usage(fmt.Sprintf("Scheduler invocations of %q ($1 per million)", expr))
	}
	ticks := e.t.HoursPerMonth * 3600 / interval
	s := newSum()
	s.add(e.monthlyUnits("scheduler.invocation", ticks/1e6))
	target, _ := r.Inputs["target"].(map[string]any)
	if fn, found := e.function(str(target, "arn")); found {
		gb := num(fn.Inputs, "memorySize") / 1024
		s.add(e.monthlyUnits("lambda.request", ticks/1e6))
		s.add(e.monthlyUnits("lambda.arm64.gb_second", ticks*gb*idleTickSeconds))
		s.note(fmt.Sprintf("%.0f ticks a month (%s), each an assumed %gs at %g GB", ticks, expr, idleTickSeconds, gb))
		wake := interval
		if marked(fn) {
			s.add(e.monthlyUnits("s3.get_request", ticks/1000))
			s.note("each tick reads the work marker (SHOP_WORK_MARKER) and connects only when a job is due; idle, once a day")
			wake = math.Max(interval, markedWakeSeconds)
		}
		e.auroraWake(s, wake)
	}
	return s.item()
}

// marked reports whether the function keeps a work marker (its environment sets SHOP_WORK_MARKER).
func marked(fn Resource) bool {
	env, _ := fn.Inputs["environment"].(map[string]any)
	vars, _ := env["variables"].(map[string]any)
	return vars["SHOP_WORK_MARKER"] != nil && vars["SHOP_WORK_MARKER"] != ""
}

// function finds the Lambda function whose ARN is arn.
func (e *estimator) function(arn string) (Resource, bool) {
	for _, r := range e.all {
		if r.Type == awstype.LambdaFunction && arn != "" && r.Outputs["arn"] == arn {
			return r, true
		}
	}
	return Resource{}, false
}

// auroraWake prices the time a schedule keeps an Aurora Serverless v2 cluster that may pause (minCapacity 0)
// awake: every tick opens a database connection, which resumes a paused instance, and the instance pauses
// again only after secondsUntilAutoPause without one. A tick more often than that keeps every instance of
// the cluster at auroraResumedACU for good.
func (e *estimator) auroraWake(s *sum, interval float64) {
	for _, c := range e.all {
		if c.Type != awstype.RdsCluster {
			continue
		}
		sc, _ := c.Inputs["serverlessv2ScalingConfiguration"].(map[string]any)
		if sc == nil || num(sc, "minCapacity") != 0 {
			continue
		}
		pause := num(sc, "secondsUntilAutoPause")
		if pause == 0 {
			pause = 300
		}
		awake := math.Min(1, (auroraResumeSeconds+idleTickSeconds+pause)/interval)
		instances := 0
		for _, i := range e.all {
			if i.Type == awstype.RdsClusterInstance && str(i.Inputs, "instanceClass") == "db.serverless" {
				instances++
			}
		}
		usd, _, ok := e.hourly("aurora.serverless_v2.acu", auroraResumedACU*float64(instances)*awake)
		s.add(usd, fmt.Sprintf("aurora.serverless_v2.acu × %g × %d instances × %.1f%% awake × %g h", auroraResumedACU, instances,
			awake*100, e.t.HoursPerMonth), ok)
		s.note(fmt.Sprintf("a connecting tick every %s resumes it; the cluster pauses %gs after the last connection", every(interval), pause))
	}
}

// every names an interval in the largest whole unit.
func every(seconds float64) string {
	switch {
	case seconds >= 86400 && math.Mod(seconds, 86400) == 0:
		return fmt.Sprintf("%gd", seconds/86400)
	case seconds >= 3600 && math.Mod(seconds, 3600) == 0:
		return fmt.Sprintf("%gh", seconds/3600)
	case seconds >= 60 && math.Mod(seconds, 60) == 0:
		return fmt.Sprintf("%gmin", seconds/60)
	}
	return fmt.Sprintf("%gs", seconds)
}
