package components

import (
	"archive/zip"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A ComputeLambda Api: the shop binary as a Lambda function (provided.al2023, arm64) in the private subnets,
// reached only through its Function URL (AWS_IAM auth) by the StaticSite's distribution, woken every minute
// by an EventBridge Scheduler schedule to run due background jobs. This file holds its arguments; the
// resources are in api_lambda_function.go, the schedule in api_lambda_schedule.go, the alarms in
// api_lambda_alarms.go.

// DefaultLambdaTimeoutSeconds is the function's default timeout. It must cover the longest invocation the
// shop makes: the work event's own bound (DefaultWorkEvent, 50 s) plus a margin, and a request that finds
// Aurora Serverless v2 paused at 0 ACU and waits for it to resume (about 15 s per AWS's documentation, longer
// after a day or more paused). A timeout that killed the invocation which woke the database would turn every
// first visit of the day into an error.
const DefaultLambdaTimeoutSeconds = 60

// DefaultWorkEvent is what the schedule sends: the shop's work event (app/README.md), which runs due background
// jobs for at most max_seconds and returns. 50 s leaves DefaultLambdaTimeoutSeconds a 10 s margin.
const DefaultWorkEvent = `{"shop_work":{"max_seconds":50}}`

// DefaultWorkSchedule is how often the schedule sends the work event.
const DefaultWorkSchedule = "rate(1 minute)"

// LambdaArchitecture is the function's instruction set: Graviton, about 20% cheaper per GB-second than x86_64.
const LambdaArchitecture = "arm64"

// LambdaRuntime is the OS-only runtime that runs an executable named bootstrap (a Go binary needs nothing else).
const LambdaRuntime = "provided.al2023"

// lambdaReservedEnv are the environment variables Lambda sets itself and refuses in a function's configuration
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
var lambdaReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// ApiLambdaArgs configures the function of a ComputeLambda Api.
type ApiLambdaArgs struct {
	// Archive is the path of the function's code: a zip with an executable named bootstrap at its root
	// (`make lambda` writes bin/lambda/shop.zip). Required; it must exist and hold bootstrap.
	Archive string
	// MemoryMb is the function's memory, which also sets its CPU share (1,769 MB is one vCPU). Default 512;
	// 128 to 10240.
	MemoryMb int
	// TimeoutSeconds is the function's timeout. Default DefaultLambdaTimeoutSeconds; 1 to 900.
	TimeoutSeconds int
	// ReservedConcurrency caps the instances that run at once: a bill guard against a flood the WAF lets
	// through, and a connection guard (each instance holds up to SHOP_DB_MAX_CONNS database connections).
	// Default 10; 1 to 1000. A new account's concurrency quota is 10 in all, and Lambda keeps 100 unreserved,
	// so a reservation needs a quota of at least 100 + ReservedConcurrency.
	ReservedConcurrency int
	// Egress are the only places the function may connect to, besides HTTPS to the region's S3 gateway
	// endpoint (always allowed: media and invoices live in S3). Default none.
	Egress []ApiEgress
	// Schedule is the work event schedule (defaults on ApiScheduleArgs).
	Schedule ApiScheduleArgs
	// Migrate adds the migration function, invoked once per deploy (api_lambda_migrate.go). Default none.
	Migrate *ApiLambdaMigrateArgs
}

// ApiEgress is one egress rule of the function's security group: TCP on Port to a security group.
type ApiEgress struct {
	// Description says what is there, e.g. "PostgreSQL". Required.
	Description string
	// Port is the TCP port. Required.
	Port int
	// SecurityGroupId is the destination's security group (e.g. Data.DatabaseSecurityGroupId). Required.
	SecurityGroupId pulumi.StringInput
}

// ApiScheduleArgs configures the EventBridge Scheduler schedule that sends the work event.
type ApiScheduleArgs struct {
	// Disabled creates no schedule (background jobs then run only when something else invokes the work
	// event). Default false.
	Disabled bool
	// Expression is a Scheduler rate or cron expression. Default DefaultWorkSchedule.
	Expression string
	// Input is the event the function receives. Default DefaultWorkEvent; it must be a JSON object.
	Input string
}

func (l ApiLambdaArgs) withDefaults() ApiLambdaArgs {
	l.MemoryMb = cmp.Or(l.MemoryMb, 512)
	l.TimeoutSeconds = cmp.Or(l.TimeoutSeconds, DefaultLambdaTimeoutSeconds)
	l.ReservedConcurrency = cmp.Or(l.ReservedConcurrency, 10)
	l.Schedule.Expression = cmp.Or(l.Schedule.Expression, DefaultWorkSchedule)
	l.Schedule.Input = cmp.Or(l.Schedule.Input, DefaultWorkEvent)
	if l.Migrate != nil {
		m := *l.Migrate
		m.TimeoutSeconds = cmp.Or(m.TimeoutSeconds, 300)
		l.Migrate = &m
	}
	return l
}

// validateLambda checks a ComputeLambda Api: the network, the function, its environment and permissions, and
// the Fargate-only features it cannot have.
func (a *ApiArgs) validateLambda(e *argErrors) {
	if a.VpcId == nil {
		e.bad("VpcId", "required")
	}
	if a.PrivateSubnetIds == nil {
		e.bad("PrivateSubnetIds", "required: the function runs in the private subnets")
	}
	if a.Exposure != ApiBehindCloudFront {
		e.bad("Exposure", "%q with Compute %q: the Function URL takes AWS_IAM auth and only the StaticSite's distribution may invoke it; use %q", a.Exposure, ComputeLambda, ApiBehindCloudFront)
	}
	if len(a.Secrets) > 0 {
		e.bad("Secrets", "%q with Compute %q: Lambda has no secret injection, and without NAT or a paid Secrets Manager endpoint the function cannot fetch one; give the function IAM-authenticated access instead", sortedKeys(a.Secrets), ComputeLambda)
	}
	if a.Init != nil {
		e.bad("Init", "not available with Compute %q: there is no init container; the function runs the shop's migrations itself (app/README.md)", ComputeLambda)
	}
	if a.Collector.Enabled {
		e.bad("Collector", "not available with Compute %q (no sidecar); the function writes its metrics as CloudWatch embedded metric format", ComputeLambda)
	}
	validateVariables(e, "", a.Environment, nil)
	for _, k := range sortedKeys(a.Environment) {
		if slices.Contains(lambdaReservedEnv, k) || strings.HasPrefix(k, "AWS_LAMBDA_") {
			e.bad(fmt.Sprintf("Environment[%q]", k), "is reserved by Lambda, which sets it itself")
		}
	}
	for i, s := range a.TaskPolicyStatements {
		s.validate(e, fmt.Sprintf("TaskPolicyStatements[%d]", i))
	}
	e.retention("LogRetentionDays", a.LogRetentionDays)
	a.Lambda.validate(e)
}

func (l ApiLambdaArgs) validate(e *argErrors) {
	validateArchive(e, l.Archive)
	if l.MemoryMb < 128 || l.MemoryMb > 10240 {
		e.bad("Lambda.MemoryMb", "%d is out of range [128, 10240]", l.MemoryMb)
	}
	if l.TimeoutSeconds < 1 || l.TimeoutSeconds > 900 {
		e.bad("Lambda.TimeoutSeconds", "%d is out of range [1, 900]", l.TimeoutSeconds)
	}
	if l.ReservedConcurrency < 1 || l.ReservedConcurrency > 1000 {
		e.bad("Lambda.ReservedConcurrency", "%d is out of range [1, 1000]", l.ReservedConcurrency)
	}
	for i, g := range l.Egress {
		field := fmt.Sprintf("Lambda.Egress[%d]", i)
		if g.Description == "" {
			e.bad(field+".Description", "required")
		}
		if g.Port < 1 || g.Port > 65535 {
			e.bad(field+".Port", "%d is not a port (1-65535)", g.Port)
		}
		if g.SecurityGroupId == nil {
			e.bad(field+".SecurityGroupId", "required")
		}
	}
	if m := l.Migrate; m != nil {
		if len(m.Environment) == 0 {
			e.bad("Lambda.Migrate.Environment", "required: the schema owner's DATABASE_URL and how it authenticates")
		}
		validateVariables(e, "Lambda.Migrate.", m.Environment, nil)
		for i, s := range m.Statements {
			s.validate(e, fmt.Sprintf("Lambda.Migrate.Statements[%d]", i))
		}
		if m.TimeoutSeconds < 1 || m.TimeoutSeconds > 900 {
			e.bad("Lambda.Migrate.TimeoutSeconds", "%d is out of range [1, 900]", m.TimeoutSeconds)
		}
	}
	if !l.Schedule.Disabled {
		if !strings.HasPrefix(l.Schedule.Expression, "rate(") && !strings.HasPrefix(l.Schedule.Expression, "cron(") {
			e.bad("Lambda.Schedule.Expression", "%q is not a Scheduler rate(...) or cron(...) expression", l.Schedule.Expression)
		}
		if !jsonObject(l.Schedule.Input) {
			e.bad("Lambda.Schedule.Input", "%q is not a JSON object", l.Schedule.Input)
		}
	}
}

// validateArchive checks that the code archive exists and is a zip with bootstrap at its root, the file the
// provided runtimes execute: a zip without it deploys and then fails every invocation.
func validateArchive(e *argErrors, path string) {
	if path == "" {
		e.bad("Lambda.Archive", "required: the function's zip (make lambda writes bin/lambda/shop.zip)")
		return
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		e.bad("Lambda.Archive", "%q is not a readable zip (run make lambda): %v", path, err)
		return
	}
	defer func() { _ = z.Close() }()
	for _, f := range z.File {
		if f.Name == "bootstrap" {
			if f.Mode()&0o111 == 0 {
				e.bad("Lambda.Archive", "%q: bootstrap is not executable", path)
			}
			return
		}
	}
	e.bad("Lambda.Archive", "%q has no bootstrap at its root (the executable the %s runtime starts)", path, LambdaRuntime)
}

func jsonObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}
