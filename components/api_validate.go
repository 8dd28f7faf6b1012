package components

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// fargateMemory lists, per CPU value, the memory sizes (MiB) Fargate accepts.
var fargateMemory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   memRange(1024, 4096, 1024),
	1024:  memRange(2048, 8192, 1024),
	2048:  memRange(4096, 16384, 1024),
	4096:  memRange(8192, 30720, 1024),
	8192:  memRange(16384, 61440, 4096),
	16384: memRange(32768, 122880, 8192),
}

func memRange(from, to, step int) []int {
	var out []int
	for m := from; m <= to; m += step {
		out = append(out, m)
	}
	return out
}

// FargateMemoryChoices returns the memory sizes Fargate allows with cpu, or
// nil when cpu itself is not allowed.
func FargateMemoryChoices(cpu int) []int {
	return slices.Clone(fargateMemory[cpu])
}

func fargateCPUs() []int {
	cpus := make([]int, 0, len(fargateMemory))
	for c := range fargateMemory {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus
}

// tls13Policy matches the ELB TLS 1.3 policies with TLS 1.2 or 1.3 as minimum.
var tls13Policy = regexp.MustCompile(`^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$`)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
var actionName = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)

// validate expects defaults applied; every message names the field.
func (a *ApiArgs) validate() error {
	e := newArgErrors("ApiArgs")
	if !slices.Contains(ApiComputes, a.Compute) {
		e.bad("Compute", "%q is not one of %s", a.Compute, quoted(ApiComputes))
		return e.err()
	}
	if a.Compute == ComputeLambda {
		a.validateLambda(e)
		a.Alarms.validate(e)
		return e.err()
	}
	a.validateNetwork(e)
	a.validateTask(e)
	a.validateScaling(e)
	a.validateLoadBalancer(e)
	a.validateWaf(e)
	a.Alarms.validate(e)
	return e.err()
}

func (a *ApiArgs) validateNetwork(e *argErrors) {
	if a.VpcId == nil {
		e.bad("VpcId", "required")
	}
	if a.PrivateSubnetIds == nil {
		e.bad("PrivateSubnetIds", "required")
	}
	switch a.Exposure {
	case ApiBehindCloudFront:
		if a.CertificateArn != nil && a.OriginHostName == nil {
			e.bad("OriginHostName", "required with CertificateArn behind CloudFront (CloudFront checks the load balancer's certificate against it)")
		}
	case ApiInternetFacing:
		if a.PublicSubnetIds == nil {
			e.bad("PublicSubnetIds", "required when Exposure is %q", ApiInternetFacing)
		}
	default:
		e.bad("Exposure", "%q is not one of %q, %q", a.Exposure, ApiBehindCloudFront, ApiInternetFacing)
	}
}

// validateTask checks the task definition's arguments: the container, its environment, its health check and
// the task role's statements.
func (a *ApiArgs) validateTask(e *argErrors) {
	if a.Image == nil {
		e.bad("Image", "required")
	}
	if a.ContainerPort < 1 || a.ContainerPort > 65535 {
		e.bad("ContainerPort", "%d is not a port (1-65535)", a.ContainerPort)
	}
	if mem, ok := fargateMemory[a.Cpu]; !ok {
		e.bad("Cpu", "%d is not a Fargate CPU value; allowed: %v", a.Cpu, fargateCPUs())
	} else if !slices.Contains(mem, a.Memory) {
		e.bad("Memory", "%d MiB is not allowed with Cpu %d; allowed: %v", a.Memory, a.Cpu, mem)
	}
	if !slices.Contains(CpuArchitectures, a.Architecture) {
		e.bad("Architecture", "%q is not one of %s", a.Architecture, quoted(CpuArchitectures))
	}
	if uid, _, _ := strings.Cut(a.User, ":"); uid == "root" || uid == "0" {
		e.bad("User", "%q runs as root; use a non-root uid (default \"65532:65532\")", a.User)
	}
	a.validateEnvironment(e)
	if len(a.HealthCheckCommand) < 2 || (a.HealthCheckCommand[0] != "CMD" && a.HealthCheckCommand[0] != "CMD-SHELL") {
		e.bad("HealthCheckCommand", "required, as [\"CMD\", cmd, args...] or [\"CMD-SHELL\", \"command\"]; got %q", a.HealthCheckCommand)
	}
	if !strings.HasPrefix(a.HealthCheckPath, "/") {
		e.bad("HealthCheckPath", "%q must start with /", a.HealthCheckPath)
	}
	if g := a.HealthCheckGracePeriodSeconds; g < 0 || g > 7200 {
		e.bad("HealthCheckGracePeriodSeconds", "%d is out of range [0, 7200]", g)
	}
	for i, s := range a.TaskPolicyStatements {
		s.validate(e, fmt.Sprintf("TaskPolicyStatements[%d]", i))
	}
	e.retention("LogRetentionDays", a.LogRetentionDays)
}

func (a *ApiArgs) validateEnvironment(e *argErrors) {
	validateVariables(e, "", a.Environment, a.Secrets)
	if a.Init != nil {
		if len(a.Init.Command) == 0 {
			e.bad("Init.Command", "required: what the init container runs, e.g. [\"migrate\"]")
		}
		validateVariables(e, "Init.", a.Init.Environment, a.Init.Secrets)
	}
}

// validateVariables checks one container's environment and secrets; prefix names the field.
func validateVariables(e *argErrors, prefix string, environment, secretVars map[string]pulumi.StringInput) {
	a := struct{ Environment, Secrets map[string]pulumi.StringInput }{environment, secretVars}
	for _, k := range sortedKeys(a.Environment) {
		if !envName.MatchString(k) {
			e.bad(prefix+"Environment", "%q is not an environment variable name", k)
		}
		if a.Environment[k] == nil {
			e.bad(fmt.Sprintf("%sEnvironment[%q]", prefix, k), "nil value")
		}
		if _, dup := a.Secrets[k]; dup {
			e.bad(fmt.Sprintf("%sEnvironment[%q]", prefix, k), "also in Secrets; give each variable once")
		}
	}
	for _, k := range sortedKeys(a.Secrets) {
		if !envName.MatchString(k) {
			e.bad(prefix+"Secrets", "%q is not an environment variable name", k)
		}
		if a.Secrets[k] == nil {
			e.bad(fmt.Sprintf("%sSecrets[%q]", prefix, k), "nil secret ARN")
		}
	}
}

func (a *ApiArgs) validateScaling(e *argErrors) {
	if a.MinCapacity < 1 {
		e.bad("MinCapacity", "%d must be at least 1", a.MinCapacity)
	}
	if a.MaxCapacity < a.MinCapacity {
		e.bad("MaxCapacity", "%d is below MinCapacity %d", a.MaxCapacity, a.MinCapacity)
	}
	if a.CpuTargetPercent <= 0 || a.CpuTargetPercent > 100 {
		e.bad("CpuTargetPercent", "%v must be in (0, 100]", a.CpuTargetPercent)
	}
	if a.RequestsPerTarget <= 0 {
		e.bad("RequestsPerTarget", "%v must be positive", a.RequestsPerTarget)
	}
	if a.FargateBase < 0 || a.FargateWeight < 0 || a.FargateSpotWeight < 0 {
		e.bad("FargateBase/FargateWeight/FargateSpotWeight", "must not be negative (got %d/%d/%d)", a.FargateBase, a.FargateWeight, a.FargateSpotWeight)
	}
	// Fargate Spot runs X86_64 tasks only: an ARM64 task placed by a FARGATE_SPOT weight never starts.
	if a.FargateSpotWeight > 0 && a.Architecture == ArchitectureArm64 {
		e.bad("FargateSpotWeight", "%d with Architecture %q: Fargate Spot has no ARM64 capacity; set FargateSpotWeight to 0 or Architecture to \"X86_64\"", a.FargateSpotWeight, a.Architecture)
	}
	if a.FargateBase > 100000 {
		e.bad("FargateBase", "%d exceeds 100000", a.FargateBase)
	}
}

func (a *ApiArgs) validateLoadBalancer(e *argErrors) {
	if !tls13Policy.MatchString(a.SslPolicy) {
		e.bad("SslPolicy", "%q is not a TLS 1.3 policy with TLS 1.2 or later as minimum (ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-*)", a.SslPolicy)
	}
	if a.DesyncMitigationMode != "strictest" && a.DesyncMitigationMode != "defensive" {
		e.bad("DesyncMitigationMode", "%q is not one of \"strictest\", \"defensive\"", a.DesyncMitigationMode)
	}
}

func (a *ApiArgs) validateWaf(e *argErrors) {
	if a.WafRateLimit < 10 || a.WafRateLimit > 2000000000 {
		e.bad("WafRateLimit", "%d must be between 10 and 2000000000", a.WafRateLimit)
	}
	for i, w := range a.WafWebhooks {
		if !webhookPath.MatchString(w.Path) {
			e.bad(fmt.Sprintf("WafWebhooks[%d].Path", i), "%q; want an exact path under /api/ (no wildcard)", w.Path)
		}
	}
}

// validate records the statement's first problem, naming its fields after field, e.g.
// "TaskPolicyStatements[0].Actions".
func (s PolicyStatement) validate(e *argErrors, field string) {
	if len(s.Actions) == 0 {
		e.bad(field+".Actions", "required")
		return
	}
	if len(s.Resources) == 0 {
		e.bad(field+".Resources", "required")
		return
	}
	wildAction := false
	for _, a := range s.Actions {
		if a == "*" || !actionName.MatchString(a) {
			e.bad(field+".Actions", "%q is not a \"service:Action\" name", a)
			return
		}
		wildAction = wildAction || strings.Contains(a, "*")
	}
	for i, r := range s.Resources {
		if r == nil {
			e.bad(fmt.Sprintf("%s.Resources[%d]", field, i), "nil")
			return
		}
		if lit, ok := r.(pulumi.String); ok && string(lit) == "*" && wildAction {
			e.bad(field, "wildcard actions on resource \"*\" are not allowed; name the resources or the actions")
			return
		}
	}
}
