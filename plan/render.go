package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shopstack/shopstack/internal/cost"
)

// JSON renders the plan as indented JSON with a trailing newline: stable (resources and items by URN, object
// keys sorted), so a golden file diff is the infrastructure diff.
func (p *Plan) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("plan: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse reads a plan written by JSON. Unknown fields are ignored, so a base branch's golden written by an
// older or newer version of this package still compares.
func Parse(b []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("plan: parse: %w", err)
	}
	if p.Stack == "" {
		return nil, fmt.Errorf("plan: parse: no stack name: not a plan file")
	}
	return &p, nil
}

// shownInputs are the security- and cost-relevant inputs the text rendering prints (all inputs are in the JSON).
var shownInputs = []string{
	// network
	"cidrBlock", "mapPublicIpOnLaunch", "availabilityZone", "instanceType", "sourceDestCheck", "associatePublicIpAddress",
	"connectivityType", "vpcEndpointType", "serviceName", "trafficType", "logDestinationType", "ingress", "egress",
	"cidrIpv4", "referencedSecurityGroupId", "prefixListId", "fromPort", "toPort", "ipProtocol", "retentionInDays",
	// storage and data
	"engine", "engineVersion", "engineMode", "instanceClass", "allocatedStorage", "storageType", "storageEncrypted",
	"multiAz", "publiclyAccessible", "deletionProtection", "skipFinalSnapshot", "backupRetentionPeriod",
	"manageMasterUserPassword", "iamDatabaseAuthenticationEnabled", "performanceInsightsEnabled",
	"serverlessv2ScalingConfiguration", "nodeType", "numCacheClusters", "automaticFailoverEnabled",
	"atRestEncryptionEnabled", "transitEncryptionEnabled", "snapshotRetentionLimit", "cacheUsageLimits",
	"clusterConfig", "ebsOptions", "encryptAtRest", "nodeToNodeEncryption", "domainEndpointOptions",
	"advancedSecurityOptions", "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets",
	"versioningConfiguration", "forceDestroy", "kmsKeyId", "sseAlgorithm",
	// compute and edge
	"cpu", "memory", "runtimePlatform", "desiredCount", "capacityProviderStrategies", "launchType",
	"networkConfiguration", "minCapacity", "maxCapacity", "policyType", "internal", "loadBalancerType",
	"dropInvalidHeaderFields", "desyncMitigationMode", "enableDeletionProtection", "protocol", "port", "sslPolicy",
	"scope", "defaultAction", "priceClass", "viewerCertificate", "httpVersion", "isIpv6Enabled", "webAclId",
	"signingBehavior", "signingProtocol", "contentType", "cacheControl", "settings",
}

// Text writes the resource tree grouped by component, each resource with its shown inputs and monthly cost,
// then the total and any extra sections.
func (p *Plan) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Offline plan of stack %q: %d resources (recording mock, no cloud calls)\n\n", p.Stack, len(p.Resources))
	for _, r := range p.Children("") {
		p.textTree(&b, r, 0)
	}
	usage := map[string]int{}
	for _, it := range p.Cost.Items {
		if strings.HasPrefix(it.Basis, "usage-based") {
			usage[shortType(it.Type)]++
		}
	}
	var usageTypes []string
	for t := range usage {
		usageTypes = append(usageTypes, t)
	}
	sort.Strings(usageTypes)
	fmt.Fprintf(&b, "\nEstimated idle monthly cost: $%.2f (us-east-1 list prices, internal/cost/prices.json)\n", p.Cost.MonthlyUSD)
	if len(usageTypes) > 0 {
		fmt.Fprintf(&b, "Usage-based, not in the total: %s\n", strings.Join(usageTypes, ", "))
	}
	for _, s := range p.Sections {
		fmt.Fprintf(&b, "\n%s\n%s\n", s.Title, strings.TrimRight(s.Text, "\n"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (p *Plan) textTree(b *strings.Builder, r Resource, depth int) {
	indent := strings.Repeat("  ", depth)
	price := ""
	kids := p.Children(r.URN)
	if len(kids) > 0 {
		price = fmt.Sprintf("$%.2f/mo", p.subtotal(r.URN))
	} else if it, ok := p.CostOf(r.URN); ok {
		price = costLabel(it)
	}
	prot := ""
	if r.Protect {
		prot = " [protected]"
	}
	fmt.Fprintf(b, "%s%s %s%s  %s\n", indent, shortType(r.Type), r.Name, prot, price)
	for _, k := range shownInputs {
		v, ok := r.Inputs[k]
		if !ok || v == nil {
			continue
		}
		fmt.Fprintf(b, "%s    %s = %s\n", indent, k, compact(v, 110))
	}
	for _, c := range kids {
		p.textTree(b, c, depth+1)
	}
}

func costLabel(it cost.Item) string {
	switch {
	case strings.HasPrefix(it.Basis, "free"):
		return "free"
	case strings.HasPrefix(it.Basis, "usage-based"):
		return "usage-based"
	}
	return fmt.Sprintf("$%.2f/mo (%s)", it.MonthlyUSD, it.Basis)
}

// subtotal sums the priced items of urn and its descendants.
func (p *Plan) subtotal(urn string) float64 {
	total := 0.0
	if it, ok := p.CostOf(urn); ok && !strings.HasPrefix(it.Basis, "usage-based") {
		total += it.MonthlyUSD
	}
	for _, c := range p.Children(urn) {
		total += p.subtotal(c.URN)
	}
	return total
}

// shortType drops the module from a type token: aws:ec2/vpc:Vpc -> aws:ec2:Vpc.
func shortType(t string) string {
	pkg, rest, ok := strings.Cut(t, ":")
	if !ok {
		return t
	}
	mod, name, ok := strings.Cut(rest, ":")
	if !ok {
		return t
	}
	mod, _, _ = strings.Cut(mod, "/")
	return pkg + ":" + mod + ":" + name
}

// compact renders v as one line of JSON, cut to max runes.
func compact(v any, max int) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
