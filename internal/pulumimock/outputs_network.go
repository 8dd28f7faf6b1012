package pulumimock

import (
	"fmt"
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

// networkKinds: VPC, load balancers, DNS and certificates.
var networkKinds = map[string]kind{
	awstype.Ec2Vpc:                       {ec2: "vpc-", ec2Arn: "vpc", compute: vpc},
	awstype.Ec2Subnet:                    {ec2: "subnet-", ec2Arn: "subnet"},
	awstype.Ec2InternetGateway:           {ec2: "igw-", ec2Arn: "internet-gateway"},
	awstype.Ec2EgressOnlyInternetGateway: {ec2: "eigw-"},
	awstype.Ec2NatGateway:                {ec2: "nat-", ec2Arn: "natgateway", compute: privateIP},
	awstype.Ec2Eip: {ec2: "eipalloc-", ec2Arn: "elastic-ip", compute: func(f *fill) {
		f.set("publicIp", fmt.Sprintf("203.0.113.%d", f.h[2]))
		f.set("allocationId", f.id)
	}},
	awstype.Ec2RouteTable:               {ec2: "rtb-", ec2Arn: "route-table"},
	awstype.Ec2Route:                    {ec2: "r-rtb-"},
	awstype.Ec2RouteTableAssociation:    {ec2: "rtbassoc-"},
	awstype.Ec2SecurityGroup:            {name: "name", ec2: "sg-", ec2Arn: "security-group"},
	awstype.Ec2DefaultSecurityGroup:     {ec2: "sg-", ec2Arn: "security-group"},
	awstype.Ec2DefaultNetworkAcl:        {ec2: "acl-", ec2Arn: "network-acl"},
	awstype.Ec2SecurityGroupRule:        {ec2: "sgrule-"},
	awstype.VpcSecurityGroupIngressRule: {ec2: "sgr-", ec2Arn: "security-group-rule"},
	awstype.VpcSecurityGroupEgressRule:  {ec2: "sgr-", ec2Arn: "security-group-rule"},
	awstype.Ec2Instance: {ec2: "i-", ec2Arn: "instance", compute: func(f *fill) {
		privateIP(f)
		f.set("primaryNetworkInterfaceId", "eni-"+mockID(hash(f.res.URN, "eni"), 10))
		f.set("instanceState", "running")
	}},
	awstype.Ec2NetworkInterface: {ec2: "eni-", ec2Arn: "network-interface"},
	awstype.Ec2VpcEndpoint: {ec2: "vpce-", ec2Arn: "vpc-endpoint", compute: func(f *fill) {
		f.set("prefixListId", "pl-"+mockID(f.h, 8))
	}},
	awstype.Ec2FlowLog:        {ec2: "fl-", ec2Arn: "vpc-flow-log"},
	awstype.Ec2LaunchTemplate: {name: "name", ec2: "lt-", ec2Arn: "launch-template"},

	awstype.LbLoadBalancer: {name: "name", compute: loadBalancer},
	awstype.LbTargetGroup: {name: "name", compute: func(f *fill) {
		suffix := fmt.Sprintf("targetgroup/%s/%s", f.name, mockID(f.h, 12))
		f.arn("elasticloadbalancing", suffix)
		f.idIsArn()
		f.set("arnSuffix", suffix)
	}},
	awstype.LbListener: {compute: func(f *fill) {
		f.arn("elasticloadbalancing", fmt.Sprintf("listener/app/%s/%s", f.res.Name, mockID(f.h, 12)))
		f.idIsArn()
	}},
	awstype.LbListenerRule: {compute: func(f *fill) {
		f.arn("elasticloadbalancing", fmt.Sprintf("listener-rule/app/%s/%s", f.res.Name, mockID(f.h, 12)))
		f.idIsArn()
	}},

	awstype.Route53Zone: {compute: func(f *fill) {
		f.id = "Z" + mockIDUpper(f.h, 16)
		f.set("zoneId", f.id)
		f.set("nameServers", []any{"ns-mock-1.awsdns-00.org", "ns-mock-2.awsdns-00.net"})
	}},
	awstype.Route53Record: {compute: func(f *fill) {
		f.id = fmt.Sprintf("%s_%s_%s", f.str("zoneId"), f.str("name"), f.str("type"))
		f.set("fqdn", f.str("name"))
	}},
	awstype.AcmCertificate: {compute: func(f *fill) {
		f.arn("acm", "certificate/"+f.uuid())
		f.idIsArn()
		f.set("domainValidationOptions", certValidation(f))
		f.set("status", "ISSUED")
	}},
	awstype.AcmCertificateValidation: {compute: func(f *fill) { f.id = f.str("certificateArn") }},
}

func vpc(f *fill) {
	f.set("defaultSecurityGroupId", "sg-"+mockID(hash(f.res.URN, "default-sg"), 10))
	f.set("defaultNetworkAclId", "acl-"+mockID(hash(f.res.URN, "default-acl"), 10))
	mainRouteTable := "rtb-" + mockID(hash(f.res.URN, "main-rtb"), 10)
	f.set("defaultRouteTableId", mainRouteTable)
	f.set("mainRouteTableId", mainRouteTable)
	f.set("instanceTenancy", "default")
}

func privateIP(f *fill) { f.set("privateIp", fmt.Sprintf("10.0.%d.%d", f.h[0], f.h[1])) }

func loadBalancer(f *fill) {
	typ := "app"
	if f.str("loadBalancerType") == "network" {
		typ = "net"
	}
	suffix := fmt.Sprintf("%s/%s/%s", typ, f.name, mockID(f.h, 12))
	f.arn("elasticloadbalancing", "loadbalancer/"+suffix)
	f.idIsArn()
	f.set("arnSuffix", suffix)
	dns := fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", f.name, mockID(f.h, 10), f.region)
	if f.bool("internal") {
		dns = "internal-" + dns
	}
	f.set("dnsName", dns)
	f.set("zoneId", "Z35SXDOTRQ7X7K") // ELB's hosted zone in us-east-1
}

// certValidation mirrors ACM's DNS validation records: one per distinct domain.
func certValidation(f *fill) []any {
	domains := []string{f.str("domainName")}
	if v, ok := f.pm["subjectAlternativeNames"]; ok && v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e.IsString() {
				domains = append(domains, e.StringValue())
			}
		}
	}
	var opts []any
	seen := map[string]bool{}
	for _, d := range domains {
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		base := strings.TrimPrefix(d, "*.")
		token := hash(f.h, base)
		opts = append(opts, map[string]any{
			"domainName":          d,
			"resourceRecordName":  "_" + mockID(token, 32) + "." + base + ".",
			"resourceRecordType":  "CNAME",
			"resourceRecordValue": "_" + mockID(token[32:], 32) + ".acm-validations.aws.",
		})
	}
	return opts
}
