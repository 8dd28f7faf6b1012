package infra

import (
	"strings"

	"github.com/shopstack/shopstack/components"
)

// compute reads apiCompute and the keys of the Lambda compute, and rejects what a function cannot have: it
// runs in the private subnets with egress to the data stores and S3 only, and reads no secret at run time.
func (r *reader) compute(c *Config) {
	c.ApiCompute = oneOf(r, "apiCompute", components.ApiComputes)
	c.LambdaArchive = r.str("lambdaArchive")
	c.LambdaMemoryMb = r.intIn("lambdaMemoryMb", 128, 10240)
	c.LambdaReservedConcurrency = r.intIn("lambdaReservedConcurrency", 1, 1000)
	c.WorkSchedule = r.str("workSchedule")
	if c.ApiCompute != components.ComputeLambda {
		if c.DatabaseIdleSessionTimeout > 0 && r.ok("databaseIdleSessionTimeoutSeconds") {
			r.fail("databaseIdleSessionTimeoutSeconds", "%d with apiCompute %s: the service's job queue keeps a listening connection open, which the timeout would keep cutting; it is for apiCompute lambda", c.DatabaseIdleSessionTimeout, c.ApiCompute)
		}
		return
	}
	if c.LambdaArchive == "" && r.ok("lambdaArchive") {
		r.fail("lambdaArchive", "must name the function's zip (make lambda writes bin/lambda/shop.zip)")
	}
	if !strings.HasPrefix(c.WorkSchedule, "rate(") && !strings.HasPrefix(c.WorkSchedule, "cron(") && r.ok("workSchedule") {
		r.fail("workSchedule", "%q is not an EventBridge Scheduler rate(...) or cron(...) expression", c.WorkSchedule)
	}
	if c.SearchMode != components.SearchNone && r.ok("searchMode") {
		r.fail("searchMode", "%q with apiCompute lambda: the function signs OpenSearch requests with a role it assumes through STS, which it cannot reach without NAT or a paid endpoint; use searchMode none (PostgreSQL search)", c.SearchMode)
	}
	if c.HasAdminPass {
		r.fail("adminPassword", "not available with apiCompute lambda: the function cannot read Secrets Manager (no NAT, no paid endpoint), and a password in its environment would be readable by anyone who may read its configuration")
	}
	if c.HasStripe {
		r.fail("stripeSecretKey", "not available with apiCompute lambda yet: the Stripe keys live in Secrets Manager, which the function cannot read (no NAT, no paid endpoint), and a key in its environment would be readable by anyone who may read its configuration; take payments on the Fargate compute")
	}
	if c.ApiWafEnabled {
		r.fail("apiWafEnabled", "true with apiCompute lambda: there is no load balancer to attach a regional web ACL to; the edge ACL (wafEnabled) inspects every request")
	}
}
