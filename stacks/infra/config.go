// Package infra is the shopstack Pulumi program: it reads the stack's typed configuration and composes
// Network -> Data -> Api -> StaticSite. stacks/main.go only calls pulumi.Run(Program), so tests and the
// offline plan run exactly this code under the recording mock.
package infra

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/shopstack/shopstack/components"
)

// Project is the Pulumi project name, and the namespace of every project config key.
const Project = "shopstack"

// Config is the stack configuration, typed and validated. Defaults live in Pulumi.yaml (the Pulumi CLI and the
// offline plan both apply them), so LoadConfig requires every declared key instead of repeating a default here.
type Config struct {
	Region string // aws:region

	AvailabilityZones    int
	VpcCidr              string
	NatStrategy          components.NatStrategy
	FlowLogRetentionDays int

	DatabaseEngine              components.DatabaseEngine
	DatabaseInstanceClass       string
	DatabaseStorageGb           int
	DatabaseMinAcu              float64 // Aurora capacity units, in 0.5 steps
	DatabaseMaxAcu              float64
	DatabasePauseInProduction   bool
	DatabaseIdleSessionTimeout  int // seconds, 0 off
	DatabaseMultiAz             bool
	DatabaseBackupRetentionDays int
	DatabaseDeletionProtection  bool

	CacheMode     components.CacheMode
	CacheNodeType string
	CacheNodes    int

	SearchMode          components.SearchMode
	SearchInstanceType  string
	SearchInstanceCount int
	SearchVolumeGb      int
	// SearchServiceLinkedRoleExists skips creating OpenSearch's service-linked role (one per account).
	SearchServiceLinkedRoleExists bool

	ApiArchitecture       components.CpuArchitecture
	ApiCpu                int
	ApiMemory             int
	ApiMinTasks           int
	ApiMaxTasks           int
	ApiSpotWeight         int
	ApiOnDemandWeight     int
	WafEnabled            bool // the distribution's (edge) web ACL
	ApiWafEnabled         bool // a regional web ACL on the load balancer as well
	WafRateLimit          int
	AlbDeletionProtection bool
	LogRetentionDays      int
	AccessLogs            bool
	AccessLogExpiration   int // days
	ImageUri              string

	AdminEmail string
	// AdminPassword is a Pulumi secret (pulumi config set --secret), set only when HasAdminPass.
	AdminPassword pulumi.StringOutput
	HasAdminPass  bool

	// The shop's identity on invoices and content pages (SHOP_NAME, SHOP_ADDRESS, SHOP_CONTACT_EMAIL).
	ShopName         string
	ShopAddress      string
	ShopContactEmail string

	// Payments (payments.go): on when StripeSecretKey is set. The two secrets are Pulumi secrets, set only
	// when HasStripe; the publishable key is public by design (it is sent to every browser).
	StripeSecretKey      pulumi.StringOutput
	StripeWebhookSecret  pulumi.StringOutput
	HasStripe            bool
	StripePublishableKey string
	// StripeRotationOwner is who rolls the Stripe keys by hand, every StripeRotationDays (Stripe issues
	// them; no function of ours can rotate them).
	StripeRotationOwner string
	StripeRotationDays  int
	// PaymentTimeout is how long stock stays reserved for an unpaid order (a Go duration, SHOP_PAYMENT_TIMEOUT).
	PaymentTimeout string

	// ApiCompute picks Fargate or Lambda; the Lambda* keys and WorkSchedule apply to ComputeLambda only.
	ApiCompute                components.ApiCompute
	LambdaArchive             string
	LambdaMemoryMb            int
	LambdaReservedConcurrency int
	WorkSchedule              string
	// WafManagedRules adds the AWS managed rule groups to the edge web ACL's rate rule.
	WafManagedRules bool
	// DashboardEnabled creates the stack's CloudWatch dashboard.
	DashboardEnabled bool

	DomainName   string
	HostedZoneId string
	PriceClass   string
	// EdgePricingPlan is the distribution's CloudFront flat-rate plan (components.PricingPlans; "" is
	// pay-as-you-go).
	EdgePricingPlan string
	SiteDir         string

	ProtectStateful bool

	// AlarmEmails are subscribed to the alarm topic (each confirms by email).
	AlarmEmails []string
	// BudgetUsd is the monthly cost budget (policyBudgetUsd), also the policy pack's idle cost ceiling.
	BudgetUsd int
}

// LoadConfig reads and validates the stack configuration. It reports every problem at once, each naming the
// key, what is wrong and what is allowed.
func LoadConfig(ctx *pulumi.Context) (Config, error) {
	r := &reader{cfg: config.New(ctx, Project), aws: config.New(ctx, "aws")}
	var c Config

	c.Region = r.awsRegion()

	c.AvailabilityZones = r.intIn("availabilityZones", 2, 3)
	c.VpcCidr = r.cidr("vpcCidr")
	c.NatStrategy = oneOf(r, "natStrategy", components.NatStrategies)
	c.FlowLogRetentionDays = r.retention("flowLogRetentionDays")

	c.DatabaseEngine = oneOf(r, "databaseEngine", components.DatabaseEngines)
	c.DatabaseInstanceClass = r.prefixed("databaseInstanceClass", "db.")
	c.DatabaseStorageGb = r.intIn("databaseStorageGb", 20, 65536)
	c.DatabaseMinAcu = r.acu("databaseMinAcu", 0, 256)
	c.DatabaseMaxAcu = r.acu("databaseMaxAcu", 1, 256)
	c.DatabasePauseInProduction = r.boolean("databasePauseInProduction")
	c.DatabaseIdleSessionTimeout = r.intIn("databaseIdleSessionTimeoutSeconds", 0, 86400)
	c.DatabaseMultiAz = r.boolean("databaseMultiAz")
	c.DatabaseBackupRetentionDays = r.intIn("databaseBackupRetentionDays", 1, 35)
	c.DatabaseDeletionProtection = r.boolean("databaseDeletionProtection")
	if c.DatabaseMinAcu > c.DatabaseMaxAcu && r.ok("databaseMinAcu", "databaseMaxAcu") {
		r.fail("databaseMinAcu", "%g is above databaseMaxAcu %g", c.DatabaseMinAcu, c.DatabaseMaxAcu)
	}

	c.CacheMode = oneOf(r, "cacheMode", components.CacheModes)
	c.CacheNodeType = r.prefixed("cacheNodeType", "cache.")
	c.CacheNodes = r.intIn("cacheNodes", 1, 6)

	c.SearchMode = oneOf(r, "searchMode", components.SearchModes)
	c.SearchInstanceType = r.suffixed("searchInstanceType", ".search")
	c.SearchInstanceCount = r.intIn("searchInstanceCount", 1, 10)
	c.SearchVolumeGb = r.intIn("searchVolumeGb", 10, 1024)
	c.SearchServiceLinkedRoleExists = r.boolean("searchServiceLinkedRoleExists")

	c.ApiArchitecture = oneOf(r, "apiArchitecture", components.CpuArchitectures)
	c.ApiCpu = r.intIn("apiCpu", 256, 16384)
	c.ApiMemory = r.intIn("apiMemory", 512, 122880)
	c.ApiMinTasks = r.intIn("apiMinTasks", 1, 100)
	c.ApiMaxTasks = r.intIn("apiMaxTasks", 1, 100)
	c.ApiSpotWeight = r.intIn("apiSpotWeight", 0, 1000)
	c.ApiOnDemandWeight = r.intIn("apiOnDemandWeight", 0, 1000)
	if c.ApiMinTasks > c.ApiMaxTasks && r.ok("apiMinTasks", "apiMaxTasks") {
		r.fail("apiMinTasks", "%d is above apiMaxTasks %d", c.ApiMinTasks, c.ApiMaxTasks)
	}
	if c.ApiSpotWeight+c.ApiOnDemandWeight == 0 && r.ok("apiSpotWeight", "apiOnDemandWeight") {
		r.fail("apiOnDemandWeight", "apiSpotWeight and apiOnDemandWeight are both 0: no capacity provider would run a task")
	}
	if c.ApiSpotWeight > 0 && c.ApiArchitecture == components.ArchitectureArm64 {
		r.fail("apiSpotWeight", "Fargate Spot does not run ARM64 tasks: set apiSpotWeight to 0 or apiArchitecture to X86_64")
	}
	c.WafEnabled = r.boolean("wafEnabled")
	c.ApiWafEnabled = r.boolean("apiWafEnabled")
	c.WafRateLimit = r.intIn("wafRateLimit", 10, 2_000_000_000)
	c.AlbDeletionProtection = r.boolean("albDeletionProtection")
	c.LogRetentionDays = r.retention("logRetentionDays")
	c.AccessLogs = r.boolean("accessLogs")
	c.AccessLogExpiration = r.intIn("accessLogExpirationDays", 1, 3650)
	c.ImageUri = r.str("imageUri")

	c.AdminEmail = r.str("adminEmail")
	if pw, ok := r.secret(ctx, "adminPassword"); ok {
		c.AdminPassword, c.HasAdminPass = pw, true
	}
	if c.HasAdminPass != (c.AdminEmail != "") {
		r.fail("adminPassword", "adminEmail and adminPassword go together: set both or neither")
	}

	r.shop(&c)
	r.stripe(ctx, &c)
	r.compute(&c)
	c.WafManagedRules = r.boolean("wafManagedRules")
	c.DashboardEnabled = r.boolean("dashboardEnabled")

	c.DomainName = r.str("domainName")
	c.HostedZoneId = r.str("hostedZoneId")
	if (c.DomainName == "") != (c.HostedZoneId == "") {
		r.fail("hostedZoneId", "domainName and hostedZoneId go together: set both or neither")
	}
	c.PriceClass = oneOf(r, "priceClass", components.PriceClasses)
	if plan := oneOf(r, "edgePricingPlan", []string{"pay-as-you-go", components.PricingPlanFree, components.PricingPlanPro}); plan != "pay-as-you-go" {
		c.EdgePricingPlan = plan
		if !c.WafEnabled && r.ok("edgePricingPlan") {
			r.fail("edgePricingPlan", "%q needs wafEnabled: true (a flat-rate plan covers the distribution and its web ACL, and refuses a distribution without one)", plan)
		}
	}
	c.SiteDir = r.str("siteDir")
	if c.SiteDir == "" && r.ok("siteDir") {
		r.fail("siteDir", "must name the built storefront directory (default site/dist)")
	}

	c.ProtectStateful = r.boolean("protectStateful")
	c.AlarmEmails = r.emails("alarmEmails")
	c.BudgetUsd = r.intIn("policyBudgetUsd", 1, 1_000_000)

	if len(r.errs) > 0 {
		return Config{}, fmt.Errorf("stack %q configuration: %w", ctx.Stack(), errors.Join(r.errs...))
	}
	return c, nil
}

// reader collects one error per bad key, so an operator fixes the file in one pass.
type reader struct {
	cfg, aws *config.Config
	errs     []error
	bad      map[string]bool
}

func (r *reader) fail(key, format string, args ...any) {
	if r.bad == nil {
		r.bad = map[string]bool{}
	}
	r.bad[key] = true
	r.errs = append(r.errs, fmt.Errorf("%s:%s: %s", Project, key, fmt.Sprintf(format, args...)))
}

// ok reports whether none of keys has failed already, so a cross-key check does not pile onto a missing value.
func (r *reader) ok(keys ...string) bool {
	for _, k := range keys {
		if r.bad[k] {
			return false
		}
	}
	return true
}

func (r *reader) raw(key string) (string, bool) {
	v, err := r.cfg.Try(key)
	if err != nil {
		r.fail(key, "missing (declare a default in Pulumi.yaml or set it in Pulumi.<stack>.yaml)")
		return "", false
	}
	return v, true
}

func (r *reader) awsRegion() string {
	v, err := r.aws.Try("region")
	if err != nil || v == "" {
		r.errs = append(r.errs, errors.New("aws:region: missing (set it in Pulumi.<stack>.yaml, e.g. us-east-1)"))
		return ""
	}
	return v
}

func (r *reader) str(key string) string {
	v, _ := r.raw(key)
	return v
}

// secret reads a key that must hold an encrypted value (pulumi config set --secret); "" means not set.
func (r *reader) secret(ctx *pulumi.Context, key string) (pulumi.StringOutput, bool) {
	v, ok := r.raw(key)
	if !ok || v == "" {
		return pulumi.StringOutput{}, false
	}
	if !ctx.IsConfigSecret(Project + ":" + key) {
		r.fail(key, "is not encrypted: set it with `pulumi config set --secret %s`", key)
		return pulumi.StringOutput{}, false
	}
	return r.cfg.RequireSecret(key), true
}

func (r *reader) intIn(key string, lo, hi int) int {
	v, ok := r.raw(key)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		r.fail(key, "want an integer, got %q", v)
		return 0
	}
	if n < lo || n > hi {
		r.fail(key, "%d is out of range [%d, %d]", n, lo, hi)
	}
	return n
}

// acu reads Aurora Serverless v2 capacity units: a number in [lo, hi] in steps of 0.5, as Aurora scales.
func (r *reader) acu(key string, lo, hi float64) float64 {
	v, ok := r.raw(key)
	if !ok {
		return 0
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	switch {
	case err != nil || math.IsNaN(n) || math.IsInf(n, 0):
		r.fail(key, "want a number of ACUs such as 0.5 or 2, got %q", v)
	case n < lo || n > hi:
		r.fail(key, "%g is out of range [%g, %g]", n, lo, hi)
	case math.Mod(n*2, 1) != 0:
		r.fail(key, "%g is not a multiple of 0.5 (Aurora Serverless v2 scales in 0.5 ACU steps)", n)
	}
	return n
}

// retention accepts only the values CloudWatch Logs accepts.
func (r *reader) retention(key string) int {
	n := r.intIn(key, 1, 3653)
	if n != 0 && r.ok(key) && !components.IsLogRetention(n) {
		r.fail(key, "%d is not a CloudWatch Logs retention; allowed: %v", n, components.LogRetentionDays)
	}
	return n
}

func (r *reader) boolean(key string) bool {
	v, ok := r.raw(key)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil || (v != "true" && v != "false") {
		r.fail(key, "want true or false, got %q", v)
		return false
	}
	return b
}

// oneOf accepts only the values of one of the components' enums, so the stack and the component validate
// against the same list.
func oneOf[T ~string](r *reader, key string, allowed []T) T {
	v, ok := r.raw(key)
	if ok && !slices.Contains(allowed, T(v)) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		r.fail(key, "%q is not one of %s", v, strings.Join(names, " | "))
	}
	return T(v)
}

func (r *reader) prefixed(key, prefix string) string {
	v, ok := r.raw(key)
	if ok && !strings.HasPrefix(v, prefix) {
		r.fail(key, "%q does not start with %q", v, prefix)
	}
	return v
}

func (r *reader) suffixed(key, suffix string) string {
	v, ok := r.raw(key)
	if ok && !strings.HasSuffix(v, suffix) {
		r.fail(key, "%q does not end with %q", v, suffix)
	}
	return v
}

func (r *reader) cidr(key string) string {
	v, ok := r.raw(key)
	if !ok {
		return ""
	}
	p, err := netip.ParsePrefix(v)
	if err != nil || !p.Addr().Is4() || p.Bits() < 16 || p.Bits() > 24 || p.Masked() != p {
		r.fail(key, "%q is not an IPv4 network CIDR between /16 and /24 (e.g. 10.0.0.0/16)", v)
	}
	return v
}

// emails reads a list of plain addresses (no display names), given as a YAML list in the stack file.
func (r *reader) emails(key string) []string {
	v, ok := r.raw(key)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	var list []string
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		r.fail(key, "want a list of email addresses, got %q", v)
		return nil
	}
	for _, s := range list {
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
			r.fail(key, "%q is not a plain email address (user@example.com)", s)
		}
	}
	return list
}
