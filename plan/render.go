package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
// then the total and any extra sections. A StaticSite's uploaded files are summarised unless p.SiteFiles.
func (p *Plan) Text(w io.Writer) error {
	t := &textRenderer{p: p}
	fmt.Fprintf(&t.b, "Offline plan of stack %q: %d resources (recording mock, no cloud calls)\n\n", p.Stack, len(p.Resources))
	for _, r := range p.Children("") {
		t.tree(r, 0)
	}
	if t.cut {
		t.b.WriteString("\nValues cut with … are whole in the JSON plan (-format json).\n")
	}
	usage := map[string]bool{}
	for _, it := range p.Cost.Items {
		if strings.HasPrefix(it.Basis, "usage-based") {
			usage[it.Type] = true
		}
	}
	fmt.Fprintf(&t.b, "\nEstimated idle monthly cost: $%.2f (us-east-1 list prices, internal/cost/prices.json)\n", p.Cost.MonthlyUSD)
	if len(usage) > 0 {
		fmt.Fprintf(&t.b, "Usage-based, not in the total: %s\n", strings.Join(sortedKeys(usage), ", "))
	}
	for _, s := range p.Sections {
		fmt.Fprintf(&t.b, "\n%s\n%s\n", s.Title, strings.TrimRight(s.Text, "\n"))
	}
	_, err := io.WriteString(w, t.b.String())
	return err
}

// textRenderer builds the text rendering and remembers whether it cut a value, to say where the whole one is.
type textRenderer struct {
	p   *Plan
	b   strings.Builder
	cut bool
}

func (t *textRenderer) tree(r Resource, depth int) {
	indent := strings.Repeat("  ", depth)
	kids := t.p.Children(r.URN)
	price := ""
	if len(kids) > 0 {
		price = fmt.Sprintf("$%.2f/mo", t.p.subtotal(r.URN))
	} else if it, ok := t.p.CostOf(r.URN); ok {
		price = costLabel(it)
	}
	prot := ""
	if r.Protect {
		prot = " [protected]"
	}
	size := ""
	if r.Bytes > 0 {
		size = " (" + formatBytes(r.Bytes) + ")"
	}
	if r.PluginVersion != "" {
		prot += " [plugin v" + r.PluginVersion + "]"
	}
	fmt.Fprintf(&t.b, "%s%s %s%s%s  %s\n", indent, r.Type, r.Name, prot, size, price)
	for _, k := range shownInputs {
		v, ok := r.Inputs[k]
		if !ok || v == nil {
			continue
		}
		s, cut := compact(v, 110)
		t.cut = t.cut || cut
		fmt.Fprintf(&t.b, "%s    %s = %s\n", indent, k, s)
	}
	files, rest := []Resource(nil), kids
	if !t.p.SiteFiles {
		files, rest = splitSiteObjects(kids)
	}
	// The summary stands where the first file would, so the tree keeps its URN order.
	for _, c := range rest {
		if len(files) > 0 && c.URN > files[0].URN {
			t.siteFiles(files, depth+1)
			files = nil
		}
		t.tree(c, depth+1)
	}
	if len(files) > 0 {
		t.siteFiles(files, depth+1)
	}
}

// siteFiles writes one StaticSite's uploaded files as one entry: count, size, and a line per cache class.
func (t *textRenderer) siteFiles(files []Resource, depth int) {
	indent := strings.Repeat("  ", depth)
	price := "free"
	total := 0.0
	for _, f := range files {
		if it, ok := t.p.CostOf(f.URN); ok {
			switch {
			case strings.HasPrefix(it.Basis, "usage-based"):
				price = "usage-based"
			case !strings.HasPrefix(it.Basis, "free"):
				total += it.MonthlyUSD
			}
		}
	}
	if total > 0 {
		price = fmt.Sprintf("$%.2f/mo", total)
	}
	for _, u := range summariseSites(files) {
		fmt.Fprintf(&t.b, "%s%s × %d: the site's files, %s  %s\n", indent, siteObjectType, u.Files, formatBytes(u.Bytes), price)
		for _, c := range u.Classes {
			fmt.Fprintf(&t.b, "%s    cacheControl %s\n", indent, c)
		}
		fmt.Fprintf(&t.b, "%s    (each file: -site-files)\n", indent)
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

// compact renders v as one line of JSON, cut to limit runes and marked "…" when cut. Only values of the plan are
// cut: its JSON rendering has every one whole.
func compact(v any, limit int) (string, bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v), false
	}
	s := strings.TrimSpace(buf.String())
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…", true
	}
	return s, false
}
