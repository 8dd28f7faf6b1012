package cost

import (
	"fmt"
	"math"
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

func (e *estimator) loadBalancer(r Resource) (Item, bool) {
	in := r.Inputs
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

func (e *estimator) instance(r Resource) (Item, bool) {
	in := r.Inputs
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
		if r.Type == awstype.EcsTaskDefinition {
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
		if r.Type == awstype.AppautoscalingTarget && str(r.Inputs, "scalableDimension") == "ecs:service:DesiredCount" {
			mins = append(mins, num(r.Inputs, "minCapacity"))
		}
	}
	if len(mins) == 1 {
		return mins[0], true
	}
	return 0, false
}

func (e *estimator) rdsInstance(r Resource) (Item, bool) {
	in := r.Inputs
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

func (e *estimator) auroraCluster(r Resource) (Item, bool) {
	in := r.Inputs
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

func (e *estimator) auroraInstance(r Resource) (Item, bool) {
	in := r.Inputs
	if str(in, "instanceClass") != "db.serverless" {
		return Item{}, false
	}
	var clusters []Resource
	for _, r := range e.all {
		if r.Type == awstype.RdsCluster {
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

func (e *estimator) serverlessCache(r Resource) (Item, bool) {
	in := r.Inputs
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

func (e *estimator) openSearch(r Resource) (Item, bool) {
	in := r.Inputs
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

func (e *estimator) vpcEndpoint(r Resource) (Item, bool) {
	in := r.Inputs
	if str(in, "vpcEndpointType") != "Interface" {
		return free("gateway endpoint")
	}
	s := newSum()
	n := float64(max(1, length(in, "subnetIds")))
	s.add(e.hourly("vpc.endpoint.interface", n))
	return s.item()
}

func (e *estimator) ecsCluster(r Resource) (Item, bool) {
	if containerInsights(r.Inputs) {
		return usage("Container Insights custom metrics ($0.30 per metric-month)")
	}
	return free("ECS cluster")
}

func (e *estimator) scalingPolicy(r Resource) (Item, bool) {
	if str(r.Inputs, "policyType") != "TargetTrackingScaling" {
		return free("step scaling (its alarms are separate lines)")
	}
	s := newSum()
	s.add(e.monthlyUnits("cloudwatch.alarm", 2))
	s.note("the two alarms AWS creates for target tracking")
	return s.item()
}

func (e *estimator) webAcl(r Resource) (Item, bool) {
	if tier, ok := e.coveringPlan(r); ok {
		return free(fmt.Sprintf("covered by the distribution's CloudFront flat-rate %s plan (its rules and requests included)", tier))
	}
	s := newSum()
	s.add(e.monthlyUnits("waf.web_acl", 1))
	if n := length(r.Inputs, "rules"); n > 0 {
		s.add(e.monthlyUnits("waf.rule", float64(n)))
	}
	s.note("requests usage-based")
	return s.item()
}

func (e *estimator) replicationGroup(r Resource) (Item, bool) {
	in := r.Inputs
	nodes := num(in, "numCacheClusters")
	if nodes == 0 && num(in, "numNodeGroups") > 0 {
		nodes = num(in, "numNodeGroups") * (num(in, "replicasPerNodeGroup") + 1)
	}
	if nodes == 0 {
		nodes = 1
	}
	return e.cacheNodes(in, nodes)
}

func (e *estimator) cacheCluster(r Resource) (Item, bool) {
	return e.cacheNodes(r.Inputs, math.Max(1, num(r.Inputs, "numCacheNodes")))
}

// pricingPlan prices a flat-rate plan subscription by its tier. A plan has no overage: past its allowance
// AWS slows the distribution down rather than billing more.
func (e *estimator) pricingPlan(r Resource) (Item, bool) {
	switch tier := str(r.Inputs, "planTier"); tier {
	case "FREE":
		return free("CloudFront flat-rate Free plan: the distribution and its web ACL for $0, up to 1 million requests and 100 GB a month (no overage: past that AWS slows it down)")
	case "PRO":
		s := newSum()
		s.add(e.monthlyUnits("cloudfront.plan.pro", 1))
		s.note("the distribution and its web ACL, up to 10 million requests and 50 TB a month (no overage)")
		return s.item()
	default:
		return Item{}, false
	}
}

// coveringPlan finds the flat-rate plan subscription that lists r's ARN, and returns its tier.
func (e *estimator) coveringPlan(r Resource) (string, bool) {
	arn, _ := r.Outputs["arn"].(string)
	if arn == "" {
		return "", false
	}
	for _, p := range e.all {
		if awstype.Canonical(p.Type) != awstype.PricingplanmanagerSubscription {
			continue
		}
		arns, _ := p.Inputs["resourceArns"].([]any)
		for _, a := range arns {
			if a == arn {
				return str(p.Inputs, "planTier"), true
			}
		}
	}
	return "", false
}
