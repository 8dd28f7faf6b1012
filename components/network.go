package components

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
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

// NatInstanceAMIParameter is the public SSM parameter with the latest Amazon Linux 2023 ARM64 AMI.
const NatInstanceAMIParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

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

func (a *NetworkArgs) applyDefaults() {
	a.AvailabilityZones = cmp.Or(a.AvailabilityZones, 2)
	a.CidrBlock = cmp.Or(a.CidrBlock, "10.0.0.0/16")
	a.NatStrategy = cmp.Or(a.NatStrategy, NatGatewayPerAz)
	a.NatInstanceType = cmp.Or(a.NatInstanceType, "t4g.nano")
	a.FlowLogRetentionDays = cmp.Or(a.FlowLogRetentionDays, 30)
}

func (a *NetworkArgs) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains(NatStrategies, a.NatStrategy) {
		bad("NatStrategy: %q is not one of %v", a.NatStrategy, NatStrategies)
	}
	if a.NatStrategy == NatGatewayPerAz && a.AvailabilityZones < 2 {
		bad("NatStrategy: %s needs at least 2 availability zones, AvailabilityZones is %d (use %s for one gateway)",
			NatGatewayPerAz, a.AvailabilityZones, NatGateway)
	}
	if a.AvailabilityZones < 2 || a.AvailabilityZones > 3 {
		bad("AvailabilityZones: %d is not allowed; want 2 or 3", a.AvailabilityZones)
	}
	if p, err := netip.ParsePrefix(a.CidrBlock); err != nil || !p.Addr().Is4() || p.Masked() != p ||
		p.Bits() < 16 || p.Bits() > 24 {
		bad("CidrBlock: %q is not an IPv4 network between /16 and /24 (e.g. 10.0.0.0/16)", a.CidrBlock)
	}
	if a.NatStrategy == NatInstance && !isGraviton(a.NatInstanceType) {
		bad("NatInstanceType: %q is not an ARM (Graviton) type such as t4g.nano; the NAT AMI is arm64", a.NatInstanceType)
	}
	if !IsLogRetention(a.FlowLogRetentionDays) {
		bad("FlowLogRetentionDays: %d is not a CloudWatch Logs retention; allowed: %v", a.FlowLogRetentionDays, LogRetentionDays)
	}
	return errors.Join(errs...)
}

// gravitonType matches ARM instance types: a generation digit followed by "g"
// (t4g, c7gn, m6gd, is4gen...), or the first-generation a1.
var gravitonType = regexp.MustCompile(`^([a-z]+[0-9]+g[a-z]*|a1)\.[a-z0-9]+$`)

func isGraviton(typ string) bool { return gravitonType.MatchString(typ) }

// subnetCIDR returns the i-th sixteenth of the VPC network.
func subnetCIDR(vpc string, i int) string {
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
	a := NetworkArgs{}
	if args != nil {
		a = *args
	}
	a.applyDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("network %q: %w", name, err)
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource(NetworkType, name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)

	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, parent)
	if err != nil {
		return nil, fmt.Errorf("network %q: availability zones: %w", name, err)
	}
	if len(zones.Names) < a.AvailabilityZones {
		return nil, fmt.Errorf("network %q: AvailabilityZones: %d wanted, the region has %d (%v)",
			name, a.AvailabilityZones, len(zones.Names), zones.Names)
	}
	azs := zones.Names[:a.AvailabilityZones]
	region, err := aws.GetRegion(ctx, nil, parent)
	if err != nil {
		return nil, fmt.Errorf("network %q: region: %w", name, err)
	}

	tags := func(suffix string) pulumi.StringMap { return pulumi.StringMap{"Name": pulumi.String(name + suffix)} }

	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(a.CidrBlock),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               tags(""),
	}, parent)
	if err != nil {
		return nil, err
	}

	// The default security group is what an ENI gets when nobody picks one:
	// with no rules it admits and emits nothing.
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId:   vpc.ID(),
		Ingress: ec2.DefaultSecurityGroupIngressArray{},
		Egress:  ec2.DefaultSecurityGroupEgressArray{},
		Tags:    tags("-default-deny"),
	}, parent); err != nil {
		return nil, err
	}

	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: tags("-igw")}, parent)
	if err != nil {
		return nil, err
	}

	publicRT, err := ec2.NewRouteTable(ctx, name+"-public-rt", &ec2.RouteTableArgs{VpcId: vpc.ID(), Tags: tags("-public")}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := ec2.NewRoute(ctx, name+"-public-default", &ec2.RouteArgs{
		RouteTableId:         publicRT.ID(),
		DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
		GatewayId:            igw.ID(),
	}, parent); err != nil {
		return nil, err
	}

	var public, private []*ec2.Subnet
	var privateRTs []*ec2.RouteTable
	for i, az := range azs {
		suffix := fmt.Sprintf("-public-%d", i+1)
		sn, err := ec2.NewSubnet(ctx, name+suffix, &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			AvailabilityZone: pulumi.String(az),
			CidrBlock:        pulumi.String(subnetCIDR(a.CidrBlock, i)),
			// Nothing in the public subnets gets an address by accident: the load
			// balancer and the NAT have their own.
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags(suffix),
		}, parent)
		if err != nil {
			return nil, err
		}
		public = append(public, sn)
		if _, err := ec2.NewRouteTableAssociation(ctx, name+suffix+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: publicRT.ID(),
		}, parent); err != nil {
			return nil, err
		}

		suffix = fmt.Sprintf("-private-%d", i+1)
		sn, err = ec2.NewSubnet(ctx, name+suffix, &ec2.SubnetArgs{
			VpcId:               vpc.ID(),
			AvailabilityZone:    pulumi.String(az),
			CidrBlock:           pulumi.String(subnetCIDR(a.CidrBlock, 8+i)),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags(suffix),
		}, parent)
		if err != nil {
			return nil, err
		}
		private = append(private, sn)
		// One route table per private subnet, whatever the NAT strategy, so
		// switching strategies changes routes, not tables.
		rt, err := ec2.NewRouteTable(ctx, name+suffix+"-rt", &ec2.RouteTableArgs{VpcId: vpc.ID(), Tags: tags(suffix)}, parent)
		if err != nil {
			return nil, err
		}
		privateRTs = append(privateRTs, rt)
		if _, err := ec2.NewRouteTableAssociation(ctx, name+suffix+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: rt.ID(),
		}, parent); err != nil {
			return nil, err
		}
	}

	if err := n.nat(ctx, name, a, vpc, igw, public, privateRTs); err != nil {
		return nil, err
	}

	var rtIDs pulumi.StringArray
	for _, rt := range append([]*ec2.RouteTable{publicRT}, privateRTs...) {
		rtIDs = append(rtIDs, rt.ID().ToStringOutput())
	}
	if _, err := ec2.NewVpcEndpoint(ctx, name+"-s3-endpoint", &ec2.VpcEndpointArgs{
		VpcId:           vpc.ID(),
		ServiceName:     pulumi.Sprintf("com.amazonaws.%s.s3", region.Name),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   rtIDs,
		Tags:            tags("-s3"),
	}, parent); err != nil {
		return nil, err
	}

	flowLogs, err := n.flowLogs(ctx, name, a, vpc)
	if err != nil {
		return nil, err
	}

	n.VpcId = vpc.ID().ToStringOutput()
	n.VpcCidr = vpc.CidrBlock
	n.PublicSubnetIds = subnetIDs(public)
	n.PrivateSubnetIds = subnetIDs(private)
	n.PrivateRouteTableIds = rtIDs[1:].ToStringArrayOutput()
	n.AvailabilityZones = pulumi.ToStringArray(azs).ToStringArrayOutput()
	n.NatStrategy = pulumi.String(string(a.NatStrategy)).ToStringOutput()
	n.FlowLogGroupName = flowLogs.Name
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
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

func subnetIDs(subnets []*ec2.Subnet) pulumi.StringArrayOutput {
	ids := make(pulumi.StringArray, len(subnets))
	for i, s := range subnets {
		ids[i] = s.ID().ToStringOutput()
	}
	return ids.ToStringArrayOutput()
}

// nat gives the private route tables their default route per the strategy.
func (n *Network) nat(ctx *pulumi.Context, name string, a NetworkArgs, vpc *ec2.Vpc, igw *ec2.InternetGateway,
	public []*ec2.Subnet, privateRTs []*ec2.RouteTable,
) error {
	parent := pulumi.Parent(n)
	route := func(i int, args *ec2.RouteArgs) error {
		args.RouteTableId = privateRTs[i].ID()
		args.DestinationCidrBlock = pulumi.String("0.0.0.0/0")
		_, err := ec2.NewRoute(ctx, fmt.Sprintf("%s-private-%d-default", name, i+1), args, parent)
		return err
	}
	switch a.NatStrategy {
	case NatNone:
		return nil
	case NatGateway, NatGatewayPerAz:
		count := 1
		if a.NatStrategy == NatGatewayPerAz {
			count = len(public)
		}
		gateways := make([]*ec2.NatGateway, count)
		for i := range count {
			suffix := fmt.Sprintf("-nat-%d", i+1)
			eip, err := ec2.NewEip(ctx, name+suffix+"-eip", &ec2.EipArgs{
				Domain: pulumi.String("vpc"),
				Tags:   pulumi.StringMap{"Name": pulumi.String(name + suffix)},
			}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return err
			}
			gateways[i], err = ec2.NewNatGateway(ctx, name+suffix, &ec2.NatGatewayArgs{
				SubnetId:     public[i].ID(),
				AllocationId: eip.ID(),
				Tags:         pulumi.StringMap{"Name": pulumi.String(name + suffix)},
			}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return err
			}
		}
		for i := range privateRTs {
			if err := route(i, &ec2.RouteArgs{NatGatewayId: gateways[i%count].ID()}); err != nil {
				return err
			}
		}
		return nil
	case NatInstance:
		inst, err := n.natInstance(ctx, name, a, vpc, igw, public[0])
		if err != nil {
			return err
		}
		for i := range privateRTs {
			if err := route(i, &ec2.RouteArgs{NetworkInterfaceId: inst.PrimaryNetworkInterfaceId}); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("network %q: NatStrategy %q not handled", name, a.NatStrategy)
}

// natInstanceUserData turns an Amazon Linux 2023 instance into a NAT: forwarding
// on, and masquerading of what leaves through the primary interface. The EIP is
// attached (and the S3 endpoint the package mirrors sit behind is created) only
// once the instance runs, so the first boot can race them: the install retries
// for five minutes before giving up.
const natInstanceUserData = `#!/bin/bash
set -euo pipefail
for try in $(seq 30); do
  dnf install -y iptables-services && break
  [ "$try" -lt 30 ] || exit 1
  sleep 10
done
systemctl enable --now iptables
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf
sysctl --system
dev=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$dev" -j MASQUERADE
iptables -F FORWARD
service iptables save
`

func (n *Network) natInstance(ctx *pulumi.Context, name string, a NetworkArgs, vpc *ec2.Vpc, igw *ec2.InternetGateway,
	subnet *ec2.Subnet,
) (*ec2.Instance, error) {
	parent := pulumi.Parent(n)
	ami, err := ssm.LookupParameter(ctx, &ssm.LookupParameterArgs{Name: NatInstanceAMIParameter}, parent)
	if err != nil {
		return nil, fmt.Errorf("network %q: NAT AMI: %w", name, err)
	}
	sg, err := ec2.NewSecurityGroup(ctx, name+"-nat-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("NAT instance: forwards traffic from inside the VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{&ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("anything from inside the VPC"),
			Protocol:    pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
			CidrBlocks: pulumi.StringArray{vpc.CidrBlock},
		}},
		Egress: ec2.SecurityGroupEgressArray{&ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("out to the internet"),
			Protocol:    pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
			CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")},
		}},
		Tags: pulumi.StringMap{"Name": pulumi.String(name + "-nat")},
	}, parent)
	if err != nil {
		return nil, err
	}
	inst, err := ec2.NewInstance(ctx, name+"-nat", &ec2.InstanceArgs{
		Ami:                      pulumi.String(ami.Value),
		InstanceType:             pulumi.String(a.NatInstanceType),
		SubnetId:                 subnet.ID(),
		VpcSecurityGroupIds:      pulumi.StringArray{sg.ID()},
		SourceDestCheck:          pulumi.Bool(false),
		AssociatePublicIpAddress: pulumi.Bool(false),
		UserData:                 pulumi.String(natInstanceUserData),
		MetadataOptions: &ec2.InstanceMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"),
			HttpTokens:   pulumi.String("required"),
		},
		RootBlockDevice: &ec2.InstanceRootBlockDeviceArgs{
			Encrypted:  pulumi.Bool(true),
			VolumeType: pulumi.String("gp3"),
		},
		Tags: pulumi.StringMap{"Name": pulumi.String(name + "-nat")},
	}, parent,
		// A newer AMI in the SSM parameter must not replace a running NAT on every deploy.
		pulumi.IgnoreChanges([]string{"ami"}),
		pulumi.DependsOn([]pulumi.Resource{igw}))
	if err != nil {
		return nil, err
	}
	if _, err := ec2.NewEip(ctx, name+"-nat-eip", &ec2.EipArgs{
		Domain:   pulumi.String("vpc"),
		Instance: inst.ID(),
		Tags:     pulumi.StringMap{"Name": pulumi.String(name + "-nat")},
	}, parent); err != nil {
		return nil, err
	}
	return inst, nil
}

// flowLogs sends the VPC's flow logs (accepted and rejected) to a log group.
func (n *Network) flowLogs(ctx *pulumi.Context, name string, a NetworkArgs, vpc *ec2.Vpc) (*cloudwatch.LogGroup, error) {
	parent := pulumi.Parent(n)
	group, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(a.FlowLogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}
	caller, err := aws.GetCallerIdentity(ctx, nil, parent)
	if err != nil {
		return nil, fmt.Errorf("network %q: account: %w", name, err)
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
		Tags:               pulumi.StringMap{"Name": pulumi.String(name)},
	}, parent); err != nil {
		return nil, err
	}
	return group, nil
}
