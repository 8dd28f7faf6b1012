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

// normalize folds the provider's alias modules (aws:alb/* is aws:lb/*) into one token.
func normalize(typ string) string {
	if rest, ok := strings.CutPrefix(typ, "aws:alb/"); ok {
		return "aws:lb/" + rest
	}
	return typ
}

func (e *estimator) item(r Resource) (Item, bool) {
	typ := normalize(r.Type)
	in := r.Inputs
	switch typ {
	case "aws:lb/loadBalancer:LoadBalancer":
		return e.loadBalancer(in)
	case "aws:ec2/natGateway:NatGateway":
		s := newSum()
		s.add(e.hourly("vpc.nat_gateway.hour", 1))
		s.note("data processed usage-based; its Elastic IP is a separate line")
		return s.item()
	case "aws:ec2/eip:Eip":
		s := newSum()
		s.add(e.hourly("vpc.public_ipv4", 1))
		return s.item()
	case "aws:ec2/instance:Instance":
		return e.instance(in)
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		if str(in, "vpcEndpointType") == "Interface" {
			s := newSum()
			n := float64(max(1, length(in, "subnetIds")))
			s.add(e.hourly("vpc.endpoint.interface", n))
			return s.item()
		}
		return free("gateway endpoint")
	case "aws:ecs/service:Service":
		return e.fargateService(r)
	case "aws:rds/instance:Instance":
		return e.rdsInstance(in)
	case "aws:rds/cluster:Cluster":
		return e.auroraCluster(in)
	case "aws:rds/clusterInstance:ClusterInstance":
		return e.auroraInstance(in)
	case "aws:elasticache/replicationGroup:ReplicationGroup":
		nodes := num(in, "numCacheClusters")
		if nodes == 0 && num(in, "numNodeGroups") > 0 {
			nodes = num(in, "numNodeGroups") * (num(in, "replicasPerNodeGroup") + 1)
		}
		if nodes == 0 {
			nodes = 1
		}
		return e.cacheNodes(in, nodes)
	case "aws:elasticache/cluster:Cluster":
		return e.cacheNodes(in, math.Max(1, num(in, "numCacheNodes")))
	case "aws:elasticache/serverlessCache:ServerlessCache":
		return e.serverlessCache(in)
	case "aws:opensearch/domain:Domain":
		return e.openSearch(in)
	case "aws:wafv2/webAcl:WebAcl":
		s := newSum()
		s.add(e.monthlyUnits("waf.web_acl", 1))
		if n := length(in, "rules"); n > 0 {
			s.add(e.monthlyUnits("waf.rule", float64(n)))
		}
		s.note("requests usage-based")
		return s.item()
	case "aws:route53/zone:Zone":
		s := newSum()
		s.add(e.monthlyUnits("route53.zone", 1))
		return s.item()
	case "aws:secretsmanager/secret:Secret":
		s := newSum()
		s.add(e.monthlyUnits("secretsmanager.secret", 1))
		return s.item()
	case "aws:kms/key:Key":
		s := newSum()
		s.add(e.monthlyUnits("kms.key", 1))
		return s.item()
	case "aws:cloudwatch/logGroup:LogGroup":
		return e.logGroup()
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		s := newSum()
		s.add(e.monthlyUnits("cloudwatch.alarm", 1))
		return s.item()
	case "aws:appautoscaling/policy:Policy":
		if str(in, "policyType") == "TargetTrackingScaling" {
			s := newSum()
			s.add(e.monthlyUnits("cloudwatch.alarm", 2))
			s.note("the two alarms AWS creates for target tracking")
			return s.item()
		}
		return free("step scaling (its alarms are separate lines)")
	case "aws:ecs/cluster:Cluster":
		if containerInsights(in) {
			return usage("Container Insights custom metrics ($0.30 per metric-month)")
		}
		return free("ECS cluster")
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
	case typ == "awsx:ecr:Image":
		return true
	}
	return false
}

var usageTypes = map[string]string{ //nolint:gosec // G101 misreads "SecretVersion" pricing text as a credential
	"aws:s3/bucketV2:BucketV2":                       "S3 storage $0.023/GB-month and requests",
	"aws:s3/bucket:Bucket":                           "S3 storage $0.023/GB-month and requests",
	"aws:s3/bucketObjectv2:BucketObjectv2":           "S3 storage of the object",
	"aws:s3/bucketObject:BucketObject":               "S3 storage of the object",
	"aws:cloudfront/distribution:Distribution":       "CloudFront data transfer and requests (1 TB/month free tier)",
	"aws:cloudfront/function:Function":               "CloudFront Functions invocations ($0.10 per million)",
	"aws:ecr/repository:Repository":                  "ECR storage $0.10/GB-month",
	"awsx:ecr:Repository":                            "ECR storage $0.10/GB-month",
	"aws:ec2/flowLog:FlowLog":                        "flow log ingestion (billed on its log group's line)",
	"aws:route53/record:Record":                      "DNS queries (alias queries to AWS resources are free)",
	"aws:cloudfront/vpcOrigin:VpcOrigin":             "no charge beyond CloudFront usage",
	"aws:lb/targetGroup:TargetGroup":                 "no charge of its own (LCUs on the load balancer)",
	"aws:secretsmanager/secretVersion:SecretVersion": "API calls ($0.05 per 10,000)",
	"aws:sns/topic:Topic":                            "SNS publishes and deliveries",
	"aws:cloudwatch/logDelivery:LogDelivery":         "CloudWatch vended-log delivery to S3, per GB delivered (https://aws.amazon.com/cloudwatch/pricing/, Logs tab)",
}

var freeTypes = map[string]string{
	"aws:ec2/vpc:Vpc":                                                                            "VPC",
	"aws:ec2/subnet:Subnet":                                                                      "subnet",
	"aws:ec2/internetGateway:InternetGateway":                                                    "internet gateway",
	"aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway":                                "egress-only internet gateway",
	"aws:ec2/routeTable:RouteTable":                                                              "route table",
	"aws:ec2/route:Route":                                                                        "route",
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                                        "route table association",
	"aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation":                                "route table association",
	"aws:ec2/securityGroup:SecurityGroup":                                                        "security group",
	"aws:ec2/securityGroupRule:SecurityGroupRule":                                                "security group rule",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":                                          "default security group",
	"aws:ec2/defaultNetworkAcl:DefaultNetworkAcl":                                                "network ACL",
	"aws:ec2/networkAcl:NetworkAcl":                                                              "network ACL",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":                                  "security group rule",
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":                                    "security group rule",
	"aws:ec2/eipAssociation:EipAssociation":                                                      "association (the address is priced on its Elastic IP)",
	"aws:ec2/networkInterface:NetworkInterface":                                                  "network interface",
	"aws:iam/role:Role":                                                                          "IAM",
	"aws:iam/policy:Policy":                                                                      "IAM",
	"aws:iam/rolePolicy:RolePolicy":                                                              "IAM",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                                          "IAM",
	"aws:iam/instanceProfile:InstanceProfile":                                                    "IAM",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     "bucket setting",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     "bucket setting",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "bucket setting (SSE-S3)",
	"aws:s3/bucketPolicy:BucketPolicy":                                                           "bucket setting",
	"aws:cloudwatch/logDeliverySource:LogDeliverySource":                                         "log delivery setting (delivery priced on the LogDelivery line)",
	"aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination":                               "log delivery setting (delivery priced on the LogDelivery line)",
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               "bucket setting (old versions are storage usage)",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       "bucket setting (transitions are request usage)",
	"aws:s3/bucketLoggingV2:BucketLoggingV2":                                                     "bucket setting",
	"aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2":                                 "bucket setting",
	"aws:cloudfront/originAccessControl:OriginAccessControl":                                     "CloudFront setting",
	"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":                                 "CloudFront setting",
	"aws:cloudfront/cachePolicy:CachePolicy":                                                     "CloudFront setting",
	"aws:cloudfront/originRequestPolicy:OriginRequestPolicy":                                     "CloudFront setting",
	"aws:acm/certificate:Certificate":                                                            "public ACM certificate",
	"aws:acm/certificateValidation:CertificateValidation":                                        "validation wait",
	"aws:lb/listener:Listener":                                                                   "listener",
	"aws:lb/listenerRule:ListenerRule":                                                           "listener rule",
	"aws:wafv2/webAclAssociation:WebAclAssociation":                                              "association",
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":                            "logging setting (ingestion on its log group's line)",
	"aws:ecs/taskDefinition:TaskDefinition":                                                      "task definition (Fargate time is priced on the service)",
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":                                  "cluster setting",
	"aws:appautoscaling/target:Target":                                                           "scalable target",
	"aws:rds/subnetGroup:SubnetGroup":                                                            "subnet group",
	"aws:rds/parameterGroup:ParameterGroup":                                                      "parameter group",
	"aws:rds/clusterParameterGroup:ClusterParameterGroup":                                        "parameter group",
	"aws:elasticache/subnetGroup:SubnetGroup":                                                    "subnet group",
	"aws:elasticache/parameterGroup:ParameterGroup":                                              "parameter group",
	"aws:elasticache/user:User":                                                                  "cache user",
	"aws:elasticache/userGroup:UserGroup":                                                        "cache user group",
	"aws:secretsmanager/secretPolicy:SecretPolicy":                                               "secret policy",
	"aws:opensearch/domainPolicy:DomainPolicy":                                                   "domain policy",
	"aws:cloudwatch/logResourcePolicy:LogResourcePolicy":                                         "log resource policy",
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":                                                    "repository setting",
	"aws:kms/alias:Alias":                                                                        "key alias",
	"aws:iam/serviceLinkedRole:ServiceLinkedRole":                                                "IAM",
	"aws:wafv2/ipSet:IpSet":                                                                      "IP set",
	"random:index/randomPassword:RandomPassword":                                                 "generated in the Pulumi engine",
	"random:index/randomString:RandomString":                                                     "generated in the Pulumi engine",
	"random:index/randomId:RandomId":                                                             "generated in the Pulumi engine",
}

func (e *estimator) loadBalancer(in map[string]any) (Item, bool) {
	if t := str(in, "loadBalancerType"); t != "" && t != "application" {
		return Item{}, false
	}
	s := newSum()
	s.add(e.hourly("alb.hour", 1))
	if !boolean(in, "internal") {
		ips := length(in, "subnets")
		if ips == 0 {
			ips = length(in, "subnetMappings")
		}
		if ips == 0 {
			ips = 2 // an ALB needs subnets in at least two zones
		}
		s.add(e.hourly("vpc.public_ipv4", float64(ips)))
		s.note("one public IPv4 per zone")
	}
	s.note("LCUs usage-based")
	return s.item()
}

func (e *estimator) instance(in map[string]any) (Item, bool) {
	s := newSum()
	s.add(e.hourly("ec2."+str(in, "instanceType"), 1))
	size := 8.0 // the Amazon Linux AMIs' root volume
	if rb, ok := in["rootBlockDevice"].(map[string]any); ok && num(rb, "volumeSize") > 0 {
		size = num(rb, "volumeSize")
	}
	s.add(e.monthlyUnits("ebs.gp3", size))
	if boolean(in, "associatePublicIpAddress") {
		s.add(e.hourly("vpc.public_ipv4", 1))
	}
	return s.item()
}

// fargateService prices the service's always-running tasks: its desired count (or the autoscaling minimum),
// split between FARGATE and FARGATE_SPOT by the capacity provider weights.
func (e *estimator) fargateService(r Resource) (Item, bool) {
	in := r.Inputs
	td, ok := e.taskDefinition(in["taskDefinition"])
	if !ok {
		return Item{}, false
	}
	vcpu := parseNum(td.Inputs["cpu"]) / 1024
	gb := parseNum(td.Inputs["memory"]) / 1024
	arch := "X86_64"
	if rp, ok := td.Inputs["runtimePlatform"].(map[string]any); ok && str(rp, "cpuArchitecture") != "" {
		arch = str(rp, "cpuArchitecture")
	}
	tasks := num(in, "desiredCount")
	countNote := "desiredCount"
	if tasks == 0 {
		if m, ok := e.scalingMin(); ok {
			tasks, countNote = m, "autoscaling minimum"
		}
	}
	if tasks == 0 || vcpu == 0 || gb == 0 {
		return Item{Kind: Priced, Basis: "0 running tasks"}, true
	}
	spot, onDemand := 0.0, 0.0
	strategies, _ := in["capacityProviderStrategies"].([]any)
	for _, c := range strategies {
		cm, _ := c.(map[string]any)
		switch str(cm, "capacityProvider") {
		case "FARGATE_SPOT":
			spot += num(cm, "weight")
		case "FARGATE":
			onDemand += num(cm, "weight")
		}
	}
	spotShare := 0.0
	if spot+onDemand > 0 {
		spotShare = spot / (spot + onDemand)
	}
	s := newSum()
	s.note(fmt.Sprintf("tasks: %g (%s) × %g vCPU / %g GB %s", tasks, countNote, vcpu, gb, arch))
	odKey := "fargate." + strings.ToLower(arch)
	if spotShare > 0 && arch != "X86_64" {
		s.note("Fargate Spot does not run " + arch + " tasks: priced on-demand")
		spotShare = 0
	}
	if od := tasks * (1 - spotShare); od > 0 {
		s.add(e.hourly(odKey+".vcpu", od*vcpu))
		s.add(e.hourly(odKey+".gb", od*gb))
	}
	if sp := tasks * spotShare; sp > 0 {
		s.add(e.hourly("fargate.spot.vcpu", sp*vcpu))
		s.add(e.hourly("fargate.spot.gb", sp*gb))
	}
	return s.item()
}

func (e *estimator) taskDefinition(ref any) (Resource, bool) {
	var tds []Resource
	for _, r := range e.all {
		if r.Type == "aws:ecs/taskDefinition:TaskDefinition" {
			tds = append(tds, r)
		}
	}
	if s, ok := ref.(string); ok && s != "" {
		for _, td := range tds {
			if td.Outputs["arn"] == s || td.Outputs["id"] == s || td.Inputs["family"] == s {
				return td, true
			}
		}
	}
	if len(tds) == 1 {
		return tds[0], true
	}
	return Resource{}, false
}

func (e *estimator) scalingMin() (float64, bool) {
	var mins []float64
	for _, r := range e.all {
		if r.Type == "aws:appautoscaling/target:Target" && str(r.Inputs, "scalableDimension") == "ecs:service:DesiredCount" {
			mins = append(mins, num(r.Inputs, "minCapacity"))
		}
	}
	if len(mins) == 1 {
		return mins[0], true
	}
	return 0, false
}

func (e *estimator) rdsInstance(in map[string]any) (Item, bool) {
	engine := str(in, "engine")
	if engine != "postgres" {
		return Item{}, false
	}
	multi := boolean(in, "multiAz")
	s := newSum()
	azs := 1.0
	if multi {
		azs = 2
	}
	s.add(e.hourly("rds.postgres."+str(in, "instanceClass"), azs))
	storageKey := "rds.gp3.single_az"
	if multi {
		storageKey = "rds.gp3.multi_az"
		s.note("Multi-AZ: standby instance")
	}
	s.add(e.monthlyUnits(storageKey, math.Max(20, num(in, "allocatedStorage"))))
	if boolean(in, "manageMasterUserPassword") {
		s.add(e.monthlyUnits("secretsmanager.secret", 1))
		s.note("RDS-managed master password secret")
	}
	e.exportedLogs(s, in)
	e.enhancedMonitoring(s, in)
	s.note("backups up to the storage size free")
	return s.item()
}

// auroraIdleGB is the assumed storage of an idle, nearly empty Aurora cluster.
const auroraIdleGB = 1.0

func (e *estimator) auroraCluster(in map[string]any) (Item, bool) {
	s := newSum()
	s.add(e.monthlyUnits("aurora.storage", auroraIdleGB))
	s.note("assumed 1 GB stored; I/O usage-based; capacity priced on the instances")
	if boolean(in, "manageMasterUserPassword") {
		s.add(e.monthlyUnits("secretsmanager.secret", 1))
		s.note("RDS-managed master password secret")
	}
	e.exportedLogs(s, in)
	return s.item()
}

func (e *estimator) auroraInstance(in map[string]any) (Item, bool) {
	if str(in, "instanceClass") != "db.serverless" {
		return Item{}, false
	}
	var clusters []Resource
	for _, r := range e.all {
		if r.Type == "aws:rds/cluster:Cluster" {
			clusters = append(clusters, r)
		}
	}
	var cluster Resource
	found := false
	ref, _ := in["clusterIdentifier"].(string)
	for _, c := range clusters {
		if ref != "" && (c.Outputs["id"] == ref || c.Outputs["clusterIdentifier"] == ref || c.Inputs["clusterIdentifier"] == ref) {
			cluster, found = c, true
		}
	}
	if !found && len(clusters) == 1 {
		cluster, found = clusters[0], true
	}
	if !found {
		return Item{}, false
	}
	sc, _ := cluster.Inputs["serverlessv2ScalingConfiguration"].(map[string]any)
	minACU := num(sc, "minCapacity")
	s := newSum()
	s.add(e.hourly("aurora.serverless_v2.acu", minACU))
	if minACU == 0 {
		s.note("pauses at 0 ACU when idle; active time is usage-based")
	} else {
		s.note("minimum capacity, always on")
	}
	e.enhancedMonitoring(s, in)
	return s.item()
}

func (e *estimator) cacheNodes(in map[string]any, nodes float64) (Item, bool) {
	engine := str(in, "engine")
	if engine == "" {
		engine = "redis"
	}
	s := newSum()
	s.add(e.hourly("elasticache."+engine+"."+str(in, "nodeType"), nodes))
	s.note("snapshots up to one per node free")
	return s.item()
}

func (e *estimator) serverlessCache(in map[string]any) (Item, bool) {
	engine := str(in, "engine")
	floor := map[string]float64{"valkey": 0.1, "redis": 1}[engine]
	if floor == 0 {
		return Item{}, false
	}
	gb := floor
	if lim, ok := in["cacheUsageLimits"].(map[string]any); ok {
		if ds, ok := lim["dataStorage"].(map[string]any); ok && num(ds, "minimum") > gb {
			gb = num(ds, "minimum")
		}
	}
	s := newSum()
	s.add(e.hourly("elasticache.serverless."+engine+".gb", gb))
	s.note("minimum data stored billed; ECPUs usage-based")
	return s.item()
}

func (e *estimator) openSearch(in map[string]any) (Item, bool) {
	cc, _ := in["clusterConfig"].(map[string]any)
	count := math.Max(1, num(cc, "instanceCount"))
	s := newSum()
	s.add(e.hourly("opensearch."+str(cc, "instanceType"), count))
	if boolean(cc, "dedicatedMasterEnabled") {
		s.add(e.hourly("opensearch."+str(cc, "dedicatedMasterType"), math.Max(3, num(cc, "dedicatedMasterCount"))))
	}
	if ebs, ok := in["ebsOptions"].(map[string]any); ok && boolean(ebs, "ebsEnabled") {
		s.add(e.monthlyUnits("opensearch.gp3", count*math.Max(10, num(ebs, "volumeSize"))))
	}
	return s.item()
}

func containerInsights(in map[string]any) bool {
	settings, _ := in["settings"].([]any)
	for _, s := range settings {
		m, _ := s.(map[string]any)
		if str(m, "name") == "containerInsights" && (str(m, "value") == "enabled" || str(m, "value") == "enhanced") {
			return true
		}
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
