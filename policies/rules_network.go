package policies

import (
	"fmt"
	"strings"
)

var vpcFlowLogs = &Rule{
	ID:        "vpc-flow-logs",
	Title:     "Every VPC has flow logs",
	Rationale: "Flow logs are the only record of which addresses talked to what inside the network.",
	Control:   "EC2.6",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, vpc := range s.Of(tVPC) {
			if len(s.Referencing(vpc, tFlowLog, "vpcId")) == 0 {
				c.Fail(vpc, "no FlowLog refers to this VPC")
			}
		}
	},
}

var vpcDefaultSGClosed = &Rule{
	ID:        "vpc-default-sg-closed",
	Title:     "Every VPC's default security group has no rules",
	Rationale: "Anything launched without an explicit group lands in the default one; AWS creates it open to itself and to all egress.",
	Control:   "EC2.2",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, sg := range s.Of(tDefaultSG) {
			for _, dir := range []string{"ingress", "egress"} {
				v := sg.Get(dir)
				if v.State == Unknown {
					c.Unknown(sg, dir)
				} else if n := len(v.Items()); n > 0 {
					c.Fail(sg, "the default security group has %d %s rule(s)", n, dir)
				}
			}
		}
		for _, vpc := range s.Of(tVPC) {
			if len(s.Referencing(vpc, tDefaultSG, "vpcId")) == 0 {
				c.Fail(vpc, "the default security group is not adopted (aws.ec2.DefaultSecurityGroup) and keeps the AWS default rules")
			}
		}
	},
}

// openIngress is one ingress permission from anywhere.
type openIngress struct {
	on       Resource   // the resource that declares it
	groups   []Resource // the security groups it applies to
	from, to float64
	proto    string
	cidr     string
}

func (o openIngress) ports() string {
	if o.proto == "-1" || o.proto == "all" {
		return "all ports"
	}
	if o.from == o.to {
		return fmt.Sprintf("port %v", o.from)
	}
	return fmt.Sprintf("ports %v-%v", o.from, o.to)
}

func (o openIngress) webOnly() bool {
	if o.proto == "-1" || o.proto == "all" {
		return false
	}
	return (o.from == 80 && o.to == 80) || (o.from == 443 && o.to == 443)
}

func anywhere(cidrs []string) string {
	for _, c := range cidrs {
		if c == "0.0.0.0/0" || c == "::/0" {
			return c
		}
	}
	return ""
}

var ec2OpenIngress = &Rule{
	ID:    "ec2-open-ingress",
	Title: "Ingress from 0.0.0.0/0 or ::/0 only to an internet-facing load balancer on ports 80/443",
	Rationale: "Everything else (tasks, databases, caches, NAT) must only be reachable from named security groups, " +
		"so nothing can be reached around the load balancer and its WAF.",
	Control: "EC2.18",
	Level:   Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		var open []openIngress
		for _, sg := range s.Of(tSecurityGroup) {
			v := sg.Get("ingress")
			if v.State == Unknown {
				c.Unknown(sg, "ingress")
			}
			for _, in := range v.Items() {
				cidrs, u4 := in.Field("cidrBlocks").Strings()
				v6, u6 := in.Field("ipv6CidrBlocks").Strings()
				if u4 || u6 {
					c.Unknown(sg, "ingress.cidrBlocks")
				}
				if a := anywhere(append(cidrs, v6...)); a != "" {
					from, _ := in.Field("fromPort").Num()
					to, _ := in.Field("toPort").Num()
					p, _ := in.Field("protocol").Str()
					open = append(open, openIngress{on: sg, groups: []Resource{sg}, from: from, to: to, proto: p, cidr: a})
				}
			}
		}
		for _, r := range s.Of(tSGRule) {
			if t, _ := r.Get("type").Str(); t != "ingress" {
				continue
			}
			cidrs, u4 := r.Get("cidrBlocks").Strings()
			v6, u6 := r.Get("ipv6CidrBlocks").Strings()
			if u4 || u6 {
				c.Unknown(r, "cidrBlocks")
			}
			if a := anywhere(append(cidrs, v6...)); a != "" {
				from, _ := r.Get("fromPort").Num()
				to, _ := r.Get("toPort").Num()
				p, _ := r.Get("protocol").Str()
				open = append(open, openIngress{on: r, groups: s.Deps(r, "securityGroupId"), from: from, to: to, proto: p, cidr: a})
			}
		}
		for _, r := range s.Of(tSGIngressRule) {
			if r.Get("cidrIpv4").State == Unknown || r.Get("cidrIpv6").State == Unknown {
				c.Unknown(r, "cidrIpv4/cidrIpv6")
			}
			v4, _ := r.Get("cidrIpv4").Str()
			v6, _ := r.Get("cidrIpv6").Str()
			if a := anywhere([]string{v4, v6}); a != "" {
				from, _ := r.Get("fromPort").Num()
				to, _ := r.Get("toPort").Num()
				p, _ := r.Get("ipProtocol").Str()
				open = append(open, openIngress{on: r, groups: s.Deps(r, "securityGroupId"), from: from, to: to, proto: p, cidr: a})
			}
		}
		publicLBGroups := map[string]bool{}
		for _, lb := range s.Of(tLoadBalancer) {
			if internal, _ := lb.Get("internal").Bool(); internal {
				continue
			}
			for _, sg := range s.Deps(lb, "securityGroups") {
				publicLBGroups[sg.URN] = true
			}
		}
		for _, o := range open {
			if len(o.groups) == 0 {
				c.Fail(o.on, "ingress from %s on %s to a security group this stack cannot trace", o.cidr, o.ports())
				continue
			}
			for _, g := range o.groups {
				switch {
				case !publicLBGroups[g.URN]:
					c.Fail(o.on, "ingress from %s on %s to security group %s, which fronts no internet-facing load balancer",
						o.cidr, o.ports(), g.Name)
				case !o.webOnly():
					c.Fail(o.on, "ingress from %s on %s to the load balancer; only 80 and 443 may be open", o.cidr, o.ports())
				}
			}
		}
	},
}

var subnetPublicIP = &Rule{
	ID:        "subnet-no-auto-public-ip",
	Title:     "Private subnets do not assign public IPs on launch",
	Rationale: "A subnet without a route to the internet gateway should never hand out public addresses.",
	Control:   "EC2.15",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, sn := range s.Of(tSubnet) {
			v := sn.Get("mapPublicIpOnLaunch")
			if v.State == Unknown {
				c.Unknown(sn, "mapPublicIpOnLaunch")
				continue
			}
			if on, _ := v.Bool(); !on {
				continue
			}
			if subnetRoutesToIGW(s, sn) {
				c.Advise(sn, "public subnet assigns public IPs on launch; prefer explicit Elastic IPs")
			} else {
				c.Fail(sn, "mapPublicIpOnLaunch is true on a subnet without a route to an internet gateway")
			}
		}
	},
}

// subnetRoutesToIGW joins subnet -> route table association -> route table ->
// routes (inline or aws.ec2.Route) -> internet gateway through property dependencies.
func subnetRoutesToIGW(s *Stack, sn Resource) bool {
	for _, assoc := range s.Referencing(sn, tRouteTableAssoc, "subnetId") {
		for _, rt := range s.Deps(assoc, "routeTableId") {
			for _, igw := range s.Deps(rt, "routes") {
				if tInternetGateway.Has(igw.Type) {
					return true
				}
			}
			for _, route := range s.Referencing(rt, tRoute, "routeTableId") {
				for _, igw := range s.Deps(route, "gatewayId") {
					if tInternetGateway.Has(igw.Type) {
						return true
					}
				}
			}
		}
	}
	return false
}

// policyDocs are the IAM policy documents a resource declares, with their paths.
func policyDocs(r Resource) map[string]Value {
	out := map[string]Value{}
	if tIAMRole.Has(r.Type) {
		for i, p := range r.Get("inlinePolicies").Items() {
			out[fmt.Sprintf("inlinePolicies[%d].policy", i)] = p.Field("policy")
		}
		return out
	}
	out["policy"] = r.Get("policy")
	return out
}

func iamRule(id, title, rationale, control string, judge func(c *Check, r Resource, path string, i int, st statement)) *Rule {
	return &Rule{
		ID: id, Title: title, Rationale: rationale, Control: control, Level: Mandatory,
		Types: append(append(Tokens{}, tIAMPolicyDocs...), tIAMRole...),
		Check: func(c *Check, r Resource) {
			docs := policyDocs(r)
			for _, path := range sortedKeys(docs) {
				v := docs[path]
				switch v.State {
				case Absent:
					continue
				case Unknown:
					c.Unknown(r, path)
					continue
				}
				sts, err := parseStatements(v)
				if err != nil {
					c.Fail(r, "%s: %v", path, err)
					continue
				}
				for i, st := range sts {
					if strings.EqualFold(st.Effect, "Allow") {
						judge(c, r, path, i, st)
					}
				}
			}
		},
	}
}

func anyResource(st statement) bool {
	for _, r := range st.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}

// adminPolicies are AWS managed policies that grant (or can grant themselves) everything.
var adminPolicies = []string{":policy/AdministratorAccess", ":policy/PowerUserAccess", ":policy/IAMFullAccess"}

var iamNoAdmin = func() *Rule {
	r := iamRule("iam-no-full-admin",
		"No policy allows every action on every resource, and no role gets an AWS administrator policy",
		"Action * on Resource * is full administrator access; one compromised task would own the account.",
		"IAM.1",
		func(c *Check, r Resource, path string, i int, st statement) {
			on := ""
			switch {
			case anyResource(st):
				on = "Resource *"
			case len(st.NotResources) > 0:
				on = fmt.Sprintf("every resource except %v", st.NotResources)
			default:
				return
			}
			for _, a := range st.Actions {
				if a == "*" {
					c.Fail(r, "%s statement %d allows Action * on %s", path, i, on)
				}
			}
			// PowerUserAccess's shape: every action but a few, which is administrator access in practice.
			if len(st.NotActions) > 0 {
				c.Fail(r, "%s statement %d allows every action except %v on %s", path, i, st.NotActions, on)
			}
		})
	docs := r.Check
	r.Types = append(r.Types, tIAMAttachments...)
	r.Check = func(c *Check, res Resource) {
		arns, unknown := res.Get("policyArn").Strings()
		more, moreUnknown := res.Get("managedPolicyArns").Strings()
		if unknown || moreUnknown {
			c.Unknown(res, "policyArn/managedPolicyArns")
		}
		for _, arn := range append(arns, more...) {
			for _, admin := range adminPolicies {
				if strings.HasPrefix(arn, "arn:aws:iam::aws:") && strings.HasSuffix(arn, admin) {
					c.Fail(res, "attaches the AWS managed %s", strings.TrimPrefix(admin, ":policy/"))
				}
			}
		}
		if !tIAMAttachments.Has(res.Type) {
			docs(c, res)
		}
	}
	return r
}()

var iamNoServiceWildcard = iamRule("iam-no-service-wildcards",
	"No policy allows a whole service (svc:*) on every resource",
	"Least privilege: name the actions a role needs; svc:* on * grants every present and future action.",
	"IAM.21",
	func(c *Check, r Resource, path string, i int, st statement) {
		for _, a := range st.Actions {
			if !strings.HasSuffix(a, ":*") {
				continue
			}
			if anyResource(st) {
				c.Fail(r, "%s statement %d allows %s on Resource *", path, i, a)
			} else {
				c.Advise(r, "%s statement %d allows %s (scoped to %v)", path, i, a, st.Resources)
			}
		}
	})
