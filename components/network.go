package components

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkType is the Network component's type token.
const NetworkType = "shopstack:index:Network"

// NatStrategy is how the private subnets reach the internet.
type NatStrategy string

const (
	// NatNone gives the private subnets no route out (the S3 gateway endpoint still works).
	NatNone NatStrategy = "none"
	// NatInstance is one small ARM instance in the first public subnet doing NAT
	// for every private subnet: a few dollars a month, no redundancy. For dev.
	NatInstance NatStrategy = "instance"
	// NatGateway is one managed NAT gateway shared by every zone.
	NatGateway NatStrategy = "gateway"
	// NatGatewayPerAz is one NAT gateway per zone: a zone outage does not cut the others off.
	NatGatewayPerAz NatStrategy = "gatewayPerAz"
)

// NatStrategies lists the allowed NatStrategy values.
var NatStrategies = []NatStrategy{NatNone, NatInstance, NatGateway, NatGatewayPerAz}

// NetworkArgs configures a Network.
type NetworkArgs struct {
	// AvailabilityZones is how many zones the VPC spans: 2 or 3. Default 2.
	AvailabilityZones int
	// CidrBlock is the VPC's IPv4 network, /16 to /24. Default "10.0.0.0/16".
	// Each subnet gets a sixteenth of it: public ones from the start, private
	// ones from the middle.
	CidrBlock string
	// NatStrategy is the private subnets' way out. Default NatGatewayPerAz.
	NatStrategy NatStrategy
	// NatInstanceType is the NAT instance's type (NatInstance only; must be ARM). Default "t4g.nano".
	NatInstanceType string
	// FlowLogRetentionDays is how long VPC flow logs are kept; a CloudWatch
	// Logs retention value. Default 30.
	FlowLogRetentionDays int
}

// Network is a VPC with public and private subnets across zones.
type Network struct {
	pulumi.ResourceState

	VpcId                pulumi.StringOutput      `pulumi:"vpcId"`
	VpcCidr              pulumi.StringOutput      `pulumi:"vpcCidr"`
	PublicSubnetIds      pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIds     pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	PrivateRouteTableIds pulumi.StringArrayOutput `pulumi:"privateRouteTableIds"`
	AvailabilityZones    pulumi.StringArrayOutput `pulumi:"availabilityZones"`
	NatStrategy          pulumi.StringOutput      `pulumi:"natStrategy"`
	FlowLogGroupName     pulumi.StringOutput      `pulumi:"flowLogGroupName"`
}

func (a *NetworkArgs) withDefaults() NetworkArgs {
	out := *a
	out.AvailabilityZones = cmp.Or(out.AvailabilityZones, 2)
	out.CidrBlock = cmp.Or(out.CidrBlock, "10.0.0.0/16")
	out.NatStrategy = cmp.Or(out.NatStrategy, NatGatewayPerAz)
	out.NatInstanceType = cmp.Or(out.NatInstanceType, "t4g.nano")
	out.FlowLogRetentionDays = cmp.Or(out.FlowLogRetentionDays, 30)
	return out
}

func (a *NetworkArgs) validate() error {
	e := newArgErrors("NetworkArgs")
	if !slices.Contains(NatStrategies, a.NatStrategy) {
		e.bad("NatStrategy", "%q is not one of %v", a.NatStrategy, NatStrategies)
	}
	if a.NatStrategy == NatGatewayPerAz && a.AvailabilityZones < 2 {
		e.bad("NatStrategy", "%s needs at least 2 availability zones, AvailabilityZones is %d (use %s for one gateway)",
			NatGatewayPerAz, a.AvailabilityZones, NatGateway)
	}
	if a.AvailabilityZones < 2 || a.AvailabilityZones > 3 {
		e.bad("AvailabilityZones", "%d is not allowed; want 2 or 3", a.AvailabilityZones)
	}
	if p, err := netip.ParsePrefix(a.CidrBlock); err != nil || !p.Addr().Is4() || p.Masked() != p ||
		p.Bits() < 16 || p.Bits() > 24 {
		e.bad("CidrBlock", "%q is not an IPv4 network between /16 and /24 (e.g. 10.0.0.0/16)", a.CidrBlock)
	}
	if a.NatStrategy == NatInstance && !isGraviton(a.NatInstanceType) {
		e.bad("NatInstanceType", "%q is not an ARM (Graviton) type such as t4g.nano; the NAT AMI is arm64", a.NatInstanceType)
	}
	e.retention("FlowLogRetentionDays", a.FlowLogRetentionDays)
	return e.err()
}

// gravitonType matches ARM instance types: a generation digit followed by "g"
// (t4g, c7gn, m6gd, is4gen...), or the first-generation a1.
var gravitonType = regexp.MustCompile(`^([a-z]+[0-9]+g[a-z]*|a1)\.[a-z0-9]+$`)

func isGraviton(typ string) bool { return gravitonType.MatchString(typ) }

// subnetCidr returns the i-th sixteenth of the VPC network.
func subnetCidr(vpc string, i int) string {
	p := netip.MustParsePrefix(vpc)
	bits := p.Bits() + 4
	size := uint32(1) << (32 - bits)
	a := p.Addr().As4()
	addr := binary.BigEndian.Uint32(a[:])
	for range i {
		addr += size
	}
	binary.BigEndian.PutUint32(a[:], addr)
	return netip.PrefixFrom(netip.AddrFrom4(a), bits).String()
}

// NewNetwork creates the VPC, its subnets, routing, NAT, S3 endpoint and flow logs.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		args = &NetworkArgs{}
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, componentError("network", name, err)
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource(NetworkType, name, n, opts...); err != nil {
		return nil, err
	}
	azs, region, err := n.placement(ctx, &a)
	if err != nil {
		return nil, componentError("network", name, err)
	}
	vpc, err := n.vpc(ctx, name, &a)
	if err != nil {
		return nil, err
	}
	if err := n.defaultSecurityGroup(ctx, name, vpc); err != nil {
		return nil, err
	}
	igw, publicRT, err := n.publicRoutes(ctx, name, vpc)
	if err != nil {
		return nil, err
	}
	subnets, err := n.subnets(ctx, name, &a, vpc, azs, publicRT)
	if err != nil {
		return nil, err
	}
	if err := n.nat(ctx, name, &a, vpc, igw, subnets); err != nil {
		return nil, err
	}
	routeTableIds := append(pulumi.StringArray{publicRT.ID().ToStringOutput()}, subnets.privateRouteTableIds()...)
	if err := n.s3Endpoint(ctx, name, vpc, region, routeTableIds); err != nil {
		return nil, err
	}
	flowLogs, err := n.flowLogs(ctx, name, &a, vpc)
	if err != nil {
		return nil, err
	}
	return n, n.outputs(ctx, &a, vpc, subnets, azs, flowLogs)
}

// nameTag is the Name tag the EC2 console lists a resource under.
func nameTag(name string) pulumi.StringMap { return pulumi.StringMap{"Name": pulumi.String(name)} }

// placement picks the first a.AvailabilityZones zones of the region, and the region itself.
func (n *Network) placement(ctx *pulumi.Context, a *NetworkArgs) ([]string, string, error) {
	parent := pulumi.Parent(n)
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, parent)
	if err != nil {
		return nil, "", fmt.Errorf("availability zones: %w", err)
	}
	if len(zones.Names) < a.AvailabilityZones {
		return nil, "", fmt.Errorf("NetworkArgs.AvailabilityZones: %d wanted, the region has %d (%v)",
			a.AvailabilityZones, len(zones.Names), zones.Names)
	}
	region, err := aws.GetRegion(ctx, nil, parent)
	if err != nil {
		return nil, "", fmt.Errorf("region: %w", err)
	}
	return zones.Names[:a.AvailabilityZones], region.Name, nil
}

func (n *Network) vpc(ctx *pulumi.Context, name string, a *NetworkArgs) (*ec2.Vpc, error) {
	return ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(a.CidrBlock),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               nameTag(name),
	}, pulumi.Parent(n))
}

// defaultSecurityGroup strips the VPC's default security group, which is what
// an ENI gets when nobody picks one: with no rules it admits and emits nothing.
func (n *Network) defaultSecurityGroup(ctx *pulumi.Context, name string, vpc *ec2.Vpc) error {
	_, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId:   vpc.ID(),
		Ingress: ec2.DefaultSecurityGroupIngressArray{},
		Egress:  ec2.DefaultSecurityGroupEgressArray{},
		Tags:    nameTag(name + "-default-deny"),
	}, pulumi.Parent(n))
	return err
}

// publicRoutes is the internet gateway and the public subnets' route table,
// whose default route goes through it.
func (n *Network) publicRoutes(ctx *pulumi.Context, name string, vpc *ec2.Vpc) (*ec2.InternetGateway, *ec2.RouteTable, error) {
	parent := pulumi.Parent(n)
	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: nameTag(name + "-igw")}, parent)
	if err != nil {
		return nil, nil, err
	}
	rt, err := ec2.NewRouteTable(ctx, name+"-public-rt", &ec2.RouteTableArgs{VpcId: vpc.ID(), Tags: nameTag(name + "-public")}, parent)
	if err != nil {
		return nil, nil, err
	}
	if _, err := ec2.NewRoute(ctx, name+"-public-default", &ec2.RouteArgs{
		RouteTableId:         rt.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, parent); err != nil {
		return nil, nil, err
	}
	return igw, rt, nil
}

// networkSubnets are the subnets of every zone, in zone order.
type networkSubnets struct {
	public, private []*ec2.Subnet
	// privateRTs has one route table per private subnet, whatever the NAT
	// strategy, so switching strategies changes routes, not tables.
	privateRTs []*ec2.RouteTable
}

func (s networkSubnets) privateRouteTableIds() pulumi.StringArray {
	ids := make(pulumi.StringArray, len(s.privateRTs))
	for i, rt := range s.privateRTs {
		ids[i] = rt.ID().ToStringOutput()
	}
	return ids
}

// subnets creates one public and one private subnet per zone: public ones
// from the start of the VPC network, private ones from the middle.
func (n *Network) subnets(ctx *pulumi.Context, name string, a *NetworkArgs, vpc *ec2.Vpc, azs []string,
	publicRT *ec2.RouteTable,
) (networkSubnets, error) {
	var s networkSubnets
	for i, az := range azs {
		public, err := n.subnet(ctx, fmt.Sprintf("%s-public-%d", name, i+1), vpc, az, subnetCidr(a.CidrBlock, i), publicRT)
		if err != nil {
			return s, err
		}
		s.public = append(s.public, public)

		privateName := fmt.Sprintf("%s-private-%d", name, i+1)
		rt, err := ec2.NewRouteTable(ctx, privateName+"-rt", &ec2.RouteTableArgs{VpcId: vpc.ID(), Tags: nameTag(privateName)}, pulumi.Parent(n))
		if err != nil {
			return s, err
		}
		private, err := n.subnet(ctx, privateName, vpc, az, subnetCidr(a.CidrBlock, 8+i), rt)
		if err != nil {
			return s, err
		}
		s.private = append(s.private, private)
		s.privateRTs = append(s.privateRTs, rt)
	}
	return s, nil
}

// subnet creates the subnet `name` and associates it with rt (`name-rta`).
func (n *Network) subnet(ctx *pulumi.Context, name string, vpc *ec2.Vpc, az, cidr string, rt *ec2.RouteTable,
) (*ec2.Subnet, error) {
	parent := pulumi.Parent(n)
	sn, err := ec2.NewSubnet(ctx, name, &ec2.SubnetArgs{
		VpcId:            vpc.ID(),
		AvailabilityZone: pulumi.String(az),
		CidrBlock:        pulumi.String(cidr),
		// Nothing gets an address by accident, not even in the public subnets:
		// the load balancer and the NAT have their own.
		MapPublicIpOnLaunch: pulumi.Bool(false),
		Tags:                nameTag(name),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := ec2.NewRouteTableAssociation(ctx, name+"-rta", &ec2.RouteTableAssociationArgs{
		SubnetId: sn.ID(), RouteTableId: rt.ID(),
	}, parent); err != nil {
		return nil, err
	}
	return sn, nil
}

// s3Endpoint is the free S3 gateway endpoint, on every route table.
func (n *Network) s3Endpoint(ctx *pulumi.Context, name string, vpc *ec2.Vpc, region string, routeTableIds pulumi.StringArray) error {
	_, err := ec2.NewVpcEndpoint(ctx, name+"-s3-endpoint", &ec2.VpcEndpointArgs{
		VpcId:           vpc.ID(),
		ServiceName:     pulumi.Sprintf("com.amazonaws.%s.s3", region),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   routeTableIds,
		Tags:            nameTag(name + "-s3"),
	}, pulumi.Parent(n))
	return err
}

func (n *Network) outputs(ctx *pulumi.Context, a *NetworkArgs, vpc *ec2.Vpc, subnets networkSubnets, azs []string,
	flowLogs *cloudwatch.LogGroup,
) error {
	n.VpcId = vpc.ID().ToStringOutput()
	n.VpcCidr = vpc.CidrBlock
	n.PublicSubnetIds = subnetIds(subnets.public)
	n.PrivateSubnetIds = subnetIds(subnets.private)
	n.PrivateRouteTableIds = subnets.privateRouteTableIds().ToStringArrayOutput()
	n.AvailabilityZones = pulumi.ToStringArray(azs).ToStringArrayOutput()
	n.NatStrategy = pulumi.String(string(a.NatStrategy)).ToStringOutput()
	n.FlowLogGroupName = flowLogs.Name
	return ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId":                n.VpcId,
		"vpcCidr":              n.VpcCidr,
		"publicSubnetIds":      n.PublicSubnetIds,
		"privateSubnetIds":     n.PrivateSubnetIds,
		"privateRouteTableIds": n.PrivateRouteTableIds,
		"availabilityZones":    n.AvailabilityZones,
		"natStrategy":          n.NatStrategy,
		"flowLogGroupName":     n.FlowLogGroupName,
	})
}

func subnetIds(subnets []*ec2.Subnet) pulumi.StringArrayOutput {
	ids := make(pulumi.StringArray, len(subnets))
	for i, s := range subnets {
		ids[i] = s.ID().ToStringOutput()
	}
	return ids.ToStringArrayOutput()
}

// flowLogs sends the VPC's flow logs (accepted and rejected) to a log group.
func (n *Network) flowLogs(ctx *pulumi.Context, name string, a *NetworkArgs, vpc *ec2.Vpc) (*cloudwatch.LogGroup, error) {
	parent := pulumi.Parent(n)
	group, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(a.FlowLogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}
	caller, err := aws.GetCallerIdentity(ctx, nil, parent)
	if err != nil {
		return nil, componentError("network", name, fmt.Errorf("account: %w", err))
	}
	role, err := iam.NewRole(ctx, name+"-flow-logs-role", &iam.RoleArgs{
		Description: pulumi.String("VPC flow logs delivery to CloudWatch Logs"),
		AssumeRolePolicy: pulumi.String(mustJSON(map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "vpc-flow-logs.amazonaws.com"},
				"Action":    "sts:AssumeRole",
				// Only flow logs of this account may use the role (confused deputy).
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": caller.AccountId}},
			}},
		})),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-flow-logs-policy", &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: pulumi.JSONMarshal(group.Arn.ApplyT(func(arn string) map[string]any {
			return map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":   "Allow",
					"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
					"Resource": []string{arn, arn + ":*"},
				}},
			}
		})),
	}, parent); err != nil {
		return nil, err
	}
	if _, err := ec2.NewFlowLog(ctx, name+"-flow-log", &ec2.FlowLogArgs{
		VpcId:              vpc.ID(),
		TrafficType:        pulumi.String("ALL"),
		LogDestinationType: pulumi.String("cloud-watch-logs"),
		LogDestination:     group.Arn,
		IamRoleArn:         role.Arn,
		Tags:               nameTag(name),
	}, parent); err != nil {
		return nil, err
	}
	return group, nil
}
