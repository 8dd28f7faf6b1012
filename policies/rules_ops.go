package policies

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

var wafHasRules = &Rule{
	ID:        "waf-has-rules",
	Title:     "Web ACLs have at least one rule",
	Rationale: "An empty web ACL costs money and blocks nothing.",
	Control:   "WAF.10",
	Level:     Mandatory,
	Types:     tWebACL,
	Check: func(c *Check, r Resource) {
		v := r.Get("rules")
		if v.State == Unknown {
			c.Unknown(r, "rules")
		} else if len(v.Items()) == 0 {
			c.Fail(r, "the web ACL has no rules")
		}
	},
}

var wafMetrics = &Rule{
	ID:        "waf-metrics",
	Title:     "Web ACLs and each of their rules publish CloudWatch metrics",
	Rationale: "Without metrics nobody sees what the WAF blocks, or that a rule blocks real customers.",
	Control:   "WAF.12",
	Level:     Mandatory,
	Types:     tWebACL,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "visibilityConfig.cloudwatchMetricsEnabled", true, false, "web ACL metrics off")
		rules := r.Get("rules")
		if rules.State == Unknown {
			c.Unknown(r, "rules")
		}
		for i, rule := range rules.Items() {
			name, _ := rule.Field("name").Str()
			v := rule.Path("visibilityConfig.cloudwatchMetricsEnabled")
			on, _ := v.Bool()
			switch {
			case v.State == Unknown:
				c.Unknown(r, fmt.Sprintf("rules[%d].visibilityConfig.cloudwatchMetricsEnabled", i))
			case !on:
				c.Fail(r, "rules[%d] (%s): visibilityConfig.cloudwatchMetricsEnabled is not true", i, name)
			}
		}
	},
}

var wafLogging = &Rule{
	ID:        "waf-logging",
	Title:     "Every web ACL logs its requests",
	Rationale: "WAF logs show which rule matched which request; they are the evidence for tuning and incidents.",
	Control:   "WAF.11",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, acl := range s.Of(tWebACL) {
			if len(s.Referencing(acl, tWebACLLogging, "resourceArn")) == 0 {
				c.Fail(acl, "no WebAclLoggingConfiguration refers to this web ACL")
			}
		}
	},
}

var albWAF = &Rule{
	ID:    "alb-waf-association",
	Title: "Application load balancers in production-grade stacks are protected by a WAF web ACL",
	Rationale: "The API is the attack surface for injection, credential stuffing and floods. An internal load " +
		"balancer reached only through distributions with a web ACL is protected by that edge ACL.",
	Control:        "ELB.16",
	Level:          Mandatory,
	ProductionOnly: true,
	CheckStack: func(c *Check, s *Stack) {
		for _, lb := range s.Of(tLoadBalancer) {
			if !applicationLB(lb) {
				continue
			}
			if len(s.Referencing(lb, tWebACLAssociation, "resourceArn")) == 0 && !edgeProtected(s, lb) {
				c.Fail(lb, "no WebAclAssociation refers to this load balancer, and it is not an internal one reached only through distributions with a web ACL")
			}
		}
	},
}

var logsRetention = &Rule{
	ID:        "logs-retention",
	Title:     "Log groups set a retention period",
	Rationale: "Without one, CloudWatch keeps logs forever and the bill grows every month; retention is a decision per stack.",
	Control:   "CloudWatch.16",
	Level:     Mandatory,
	Types:     tLogGroup,
	Check: func(c *Check, r Resource) {
		v := r.Get("retentionInDays")
		n, _ := v.Num()
		switch {
		case v.State == Unknown:
			c.Unknown(r, "retentionInDays")
		case n <= 0:
			c.Fail(r, "retentionInDays is not set: logs are kept forever")
		}
	},
}

// tagsOf reads a tags map that may be an object or a JSON string (explicit
// providers receive their nested config as JSON strings).
func tagsOf(v Value) (map[string]string, bool) {
	if v.State == Unknown {
		return nil, false
	}
	out := map[string]string{}
	if s, ok := v.Str(); ok {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) == nil {
			if t, ok := m["tags"].(map[string]any); ok {
				m = t
			}
			for k, x := range m {
				out[k] = fmt.Sprint(x)
			}
		}
		return out, true
	}
	for _, k := range v.Keys() {
		s, _ := v.Field(k).Str()
		out[k] = s
	}
	return out, true
}

var tagsRequired = &Rule{
	ID:        "tags-required",
	Title:     "Taggable resources carry the stack's required tags",
	Rationale: "Cost allocation and ownership need project, stack and managed-by on everything the stack creates.",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		required := c.Settings.RequiredTags
		if len(required) == 0 {
			return
		}
		for _, r := range s.Resources {
			if !strings.HasPrefix(r.Type, "aws:") || (!taggable.Has(r.Type) && r.Get("tags").State == Absent) {
				continue
			}
			have := map[string]bool{}
			unknown := false
			add := func(v Value) {
				m, ok := tagsOf(v)
				unknown = unknown || !ok
				for k := range m {
					have[k] = true
				}
			}
			add(r.Get("tags"))
			add(r.Get("tagsAll"))
			if r.Provider == "" {
				for k := range c.Settings.DefaultTags {
					have[k] = true
				}
			} else if p, ok := s.ByURN(r.Provider); ok {
				add(p.Get("defaultTags"))
				add(p.Get("defaultTags.tags"))
			}
			var missing []string
			for _, k := range required {
				if !have[k] {
					missing = append(missing, k)
				}
			}
			switch {
			case len(missing) == 0:
			case unknown:
				c.Unknown(r, "tags")
			default:
				c.Fail(r, "missing tags %v (own tags or the provider's defaultTags)", missing)
			}
		}
	},
}

var sizeOrder = []string{"nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge",
	"9xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal"}

var previousGeneration = []string{"t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "d2", "x1", "g2"}

// instanceClassProps are the inputs that pick an always-on instance class.
var instanceClassProps = map[string]string{
	awstype.RdsInstance:                 "instanceClass",
	awstype.RdsClusterInstance:          "instanceClass",
	awstype.ElasticacheReplicationGroup: "nodeType",
	awstype.ElasticacheCluster:          "nodeType",
	awstype.OpensearchDomain:            "clusterConfig.instanceType",
	awstype.Ec2Instance:                 "instanceType",
}

var costInstanceClasses = &Rule{
	ID:    "cost-instance-classes",
	Title: "Instance classes are current-generation and no larger than the stack allows",
	Rationale: "Previous generations cost more for less; an oversized class is the most common accidental bill. " +
		"The size ceiling is per stack (policyMaxInstanceSize).",
	Level: Mandatory,
	Types: Tokens{awstype.RdsInstance, awstype.RdsClusterInstance,
		awstype.ElasticacheReplicationGroup, awstype.ElasticacheCluster,
		awstype.OpensearchDomain, awstype.Ec2Instance},
	Check: func(c *Check, r Resource) {
		prop := instanceClassProps[r.Type]
		v := r.Get(prop)
		cls, _ := v.Str()
		switch {
		case v.State == Unknown:
			c.Unknown(r, prop)
			return
		case cls == "" || cls == "db.serverless":
			return
		}
		parts := strings.Split(strings.TrimSuffix(cls, ".search"), ".")
		if len(parts) > 0 && (parts[0] == "db" || parts[0] == "cache") {
			parts = parts[1:]
		}
		if len(parts) != 2 {
			c.Fail(r, "%s %q is not a recognised instance class", prop, cls)
			return
		}
		family, size := parts[0], parts[1]
		if slices.Contains(previousGeneration, family) {
			c.Fail(r, "%s %q is a previous-generation family", prop, cls)
		}
		largest := cmp.Or(c.Settings.MaxInstanceSize, "xlarge")
		si, mi := slices.Index(sizeOrder, size), slices.Index(sizeOrder, largest)
		if si < 0 || mi < 0 || si > mi {
			c.Fail(r, "%s %q is larger than this stack's maximum size %q", prop, cls, largest)
		}
	},
}

var costBudget = &Rule{
	ID:        "cost-idle-budget",
	Title:     "The stack's estimated idle monthly cost stays within its budget",
	Rationale: "Always-on resources bill whether or not anyone shops; the budget is a per-stack decision in its config.",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		stack := Resource{Type: "pulumi:pulumi:Stack", Name: c.Settings.Stack}
		for _, r := range s.Resources {
			if r.Type == "pulumi:pulumi:Stack" {
				stack = r
			}
		}
		switch {
		case c.Settings.BudgetUSD <= 0:
			c.Advise(stack, "no budget configured (shopstack:policyBudgetUsd)")
		case c.Settings.IdleCostUSD == nil:
			c.add(stack, CannotEvaluate, Advisory, "cannot evaluate: no idle cost estimate was supplied")
		case *c.Settings.IdleCostUSD > c.Settings.BudgetUSD:
			c.Fail(stack, "estimated idle cost $%.2f/month exceeds the budget $%.2f/month",
				*c.Settings.IdleCostUSD, c.Settings.BudgetUSD)
		}
	},
}

// All is every rule of the pack, in the order of the README table.
func All() []*Rule {
	rules := []*Rule{
		s3PublicAccessBlock, s3NoACLs, s3TLSOnly, s3NoPublicPolicy, s3Lifecycle,
		cloudfrontHTTPS, cloudfrontTLS, cloudfrontCustomCert, cloudfrontOriginTLS, cloudfrontOriginHTTPS, cloudfrontOAC,
		cloudfrontSecurityHeaders, cloudfrontRootObject, cloudfrontLogging, cloudfrontWAF, cloudfrontFlatRateEligible,
		elbHTTPSRedirect, elbDropInvalidHeaders, elbDesync, elbTLSPolicy, elbDeletionProtection, elbAccessLogs,
		ecsNoPublicIP, ecsReadOnlyRoot, ecsNonPrivileged, ecsNonRoot, ecsLogging, ecsNoPlainSecrets, ecsNoHostPID,
		ecsContainerInsights, ecrImmutableTags, ecrLifecyclePolicy,
		wafHasRules, wafMetrics, wafLogging, albWAF,
		rdsEncrypted, rdsNotPublic, rdsBackups, rdsIAMAuth, rdsForceSSL, rdsDeletionProtection, rdsManagedPassword,
		rdsLogExports, rdsMultiAZ, rdsEnhancedMonitoring, statefulProtect,
		cacheAtRest, cacheInTransit, cacheAuth, cacheBackups, cacheFailover, cacheMinorUpgrades,
	}
	rules = append(rules, searchDomain...)
	return append(rules,
		vpcFlowLogs, vpcDefaultSGClosed, ec2OpenIngress, subnetPublicIP, ec2IMDSv2, ec2EBSEncrypted,
		iamNoAdmin, iamNoServiceWildcard, lambdaURLAuth, lambdaPermissionScoped,
		logsRetention, secretValueSecret, secretsRotation, tagsRequired, costInstanceClasses, costBudget,
		alarmHasAction, statefulAlarmed, alarmTopicEncrypted,
	)
}

var secretValueSecret = &Rule{
	ID:        "credentials-are-secrets",
	Title:     "Credential inputs (Secrets Manager values, cache user passwords) are Pulumi secrets",
	Rationale: "A plain credential is stored readable in the Pulumi state, the plan and the preview diff.",
	Level:     Mandatory,
	Types:     Tokens{awstype.SecretsmanagerSecretVersion, awstype.ElasticacheUser},
	Check: func(c *Check, r Resource) {
		plain := func(path string, v Value) {
			if v.State != Absent && !v.Secret {
				c.Fail(r, "%s is a plain value; wrap it with pulumi.ToSecret or read it from secret config", path)
			}
		}
		for _, p := range []string{"secretString", "secretBinary"} {
			plain(p, r.Get(p))
		}
		for _, p := range []string{"passwords", "authenticationMode.passwords"} {
			for i, v := range r.Get(p).Items() {
				plain(fmt.Sprintf("%s[%d]", p, i), v)
			}
		}
	},
}

// secretsRotation is mandatory everywhere: rotation costs nothing a month, and a secret that never changes stays
// usable for as long as anyone who once read it keeps a copy. Database master passwords that RDS manages
// (manageMasterUserPassword) comply without a resource here: RDS creates that secret outside the stack and rotates
// it every 7 days by default.
//
// A secret another party issues (Stripe's API key and webhook signing secret) cannot be rotated by a function of
// ours: only its issuer makes a new one. Such a secret is tagged rotation=external and passes only with the manual
// rotation made accountable (externalRotation): an owner, an interval of at most a year, and a scheduled reminder
// that names the secret. It is never silently exempt; the README's "Externally issued secrets" explains the choice.
var secretsRotation = &Rule{
	ID:    "secrets-rotation",
	Title: "Secrets Manager secrets of the stack rotate automatically, or by a named owner on a reminded schedule",
	Rationale: "Rotation bounds how long a leaked credential works; it needs a SecretRotation with a schedule " +
		"and, for a secret no AWS service manages, a rotation function. A secret issued outside AWS (tag " +
		"rotation=external) needs an owner, an interval and a scheduled reminder instead.",
	Control: "SecretsManager.1",
	Level:   Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, sec := range s.Of(tSecret) {
			if tag, _ := sec.Get("tags").Field(RotationTag).Str(); tag == RotationExternal {
				externalRotation(c, s, sec)
				continue
			}
			rotations := s.Referencing(sec, tSecretRotation, "secretId")
			if len(rotations) == 0 {
				c.Fail(sec, "no SecretRotation refers to this secret: it never changes")
			}
			for _, rot := range rotations {
				if rot.Get("rotationLambdaArn").State == Absent {
					c.Fail(rot, "rotationLambdaArn is not set: only a secret an AWS service manages rotates without a function")
				}
				rules := rot.Get("rotationRules")
				switch {
				case rules.State == Unknown:
					c.Unknown(rot, "rotationRules")
				case rules.Field("automaticallyAfterDays").State == Absent && rules.Field("scheduleExpression").State == Absent:
					c.Fail(rot, "rotationRules sets neither automaticallyAfterDays nor scheduleExpression")
				}
			}
		}
	},
}
