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
		e.auroraWake(s, interval)
	}
	return s.item()
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
		s.note(fmt.Sprintf("each tick opens a database connection; the cluster pauses %gs after the last one", pause))
	}
}
