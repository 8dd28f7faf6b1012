package cost

import (
	"fmt"
	"math"
)

// Load is a steady average request rate and what one request costs each compute, for the README's "when to
// leave lite" comparison (stacks/README.md). Every field is an assumption the README states.
type Load struct {
	RequestsPerSecond float64
	// LambdaMs is the billed duration of one request on the function, LambdaMb its memory.
	LambdaMs, LambdaMb float64
	// RequestKB is what one request and its response move through the load balancer.
	RequestKB float64
	// RequestsPerTask is what one 0.25 vCPU Fargate task serves before the service needs another.
	RequestsPerTask float64
}

// Compute is the monthly cost of the parts that differ between the two computes at a load; the rest of a
// stack (CloudFront, the edge WAF, Aurora, logs, alarms) is the same with either and is left out.
type Compute struct {
	Lambda  float64 // requests and GB-seconds
	Fargate float64 // load balancer hours and LCUs, the NAT instance and its address, the tasks
	Tasks   int
}

// secondsPerMonth follows the table's hours_per_month.
func (t *Table) secondsPerMonth() float64 { return t.HoursPerMonth * 3600 }

func (t *Table) usd(key string) (float64, error) {
	p, ok := t.byKey[key]
	if !ok {
		return 0, fmt.Errorf("cost: no price %q", key)
	}
	return p.USD, nil
}

// AtLoad prices both computes at l: Lambda as requests plus arm64 GB-seconds; Fargate dev-shaped (an internal
// ALB, a t4g.nano NAT instance with its 8 GB gp3 root and public address, 0.25 vCPU / 0.5 GB Spot tasks), the
// ALB's LCUs counted on processed bytes (1 GB an hour per LCU, the dimension a CloudFront-fronted ALB with
// reused connections reaches first).
func (t *Table) AtLoad(l Load) (Compute, error) {
	keys := []string{"lambda.request", "lambda.arm64.gb_second", "alb.hour", "alb.lcu", "ec2.t4g.nano", "ebs.gp3",
		"vpc.public_ipv4", "fargate.spot.vcpu", "fargate.spot.gb"}
	p := map[string]float64{}
	for _, k := range keys {
		v, err := t.usd(k)
		if err != nil {
			return Compute{}, err
		}
		p[k] = v
	}
	requests := l.RequestsPerSecond * t.secondsPerMonth()
	gbSeconds := requests * l.LambdaMs / 1000 * l.LambdaMb / 1024
	c := Compute{Lambda: requests/1e6*p["lambda.request"] + gbSeconds*p["lambda.arm64.gb_second"]}
	c.Tasks = int(math.Max(1, math.Ceil(l.RequestsPerSecond/l.RequestsPerTask)))
	gbPerHour := l.RequestsPerSecond * 3600 * l.RequestKB / (1024 * 1024)
	h := t.HoursPerMonth
	c.Fargate = h*p["alb.hour"] + h*gbPerHour*p["alb.lcu"] +
		h*p["ec2.t4g.nano"] + 8*p["ebs.gp3"] + h*p["vpc.public_ipv4"] +
		float64(c.Tasks)*h*(0.25*p["fargate.spot.vcpu"]+0.5*p["fargate.spot.gb"])
	return c, nil
}
