package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NatInstanceAmiParameter is the public SSM parameter with the latest Amazon Linux 2023 ARM64 AMI.
const NatInstanceAmiParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

// nat gives the private route tables their default route per the strategy.
func (n *Network) nat(ctx *pulumi.Context, name string, a *NetworkArgs, vpc *ec2.Vpc, igw *ec2.InternetGateway,
	subnets networkSubnets,
) error {
	var targets []ec2.RouteArgs
	switch a.NatStrategy {
	case NatNone:
		return nil
	case NatGateway, NatGatewayPerAz:
		count := 1
		if a.NatStrategy == NatGatewayPerAz {
			count = len(subnets.public)
		}
		gateways, err := n.natGateways(ctx, name, igw, subnets.public[:count])
		if err != nil {
			return err
		}
		for i := range subnets.privateRTs {
			targets = append(targets, ec2.RouteArgs{NatGatewayId: gateways[i%count].ID()})
		}
	case NatInstance:
		inst, err := n.natInstance(ctx, name, a, vpc, igw, subnets.public[0])
		if err != nil {
			return err
		}
		for range subnets.privateRTs {
			targets = append(targets, ec2.RouteArgs{NetworkInterfaceId: inst.PrimaryNetworkInterfaceId})
		}
	default:
		return componentError("network", name, fmt.Errorf("NatStrategy %q not handled", a.NatStrategy))
	}
	for i, rt := range subnets.privateRTs {
		args := targets[i]
		args.RouteTableId = rt.ID()
		args.DestinationCidrBlock = pulumi.String("0.0.0.0/0")
		if _, err := ec2.NewRoute(ctx, fmt.Sprintf("%s-private-%d-default", name, i+1), &args, pulumi.Parent(n)); err != nil {
			return err
		}
	}
	return nil
}

// natGateways creates one NAT gateway (`name-nat-N`, with its EIP `name-nat-N-eip`)
// in each of the given public subnets.
func (n *Network) natGateways(ctx *pulumi.Context, name string, igw *ec2.InternetGateway, public []*ec2.Subnet,
) ([]*ec2.NatGateway, error) {
	parent := pulumi.Parent(n)
	gateways := make([]*ec2.NatGateway, len(public))
	for i, subnet := range public {
		suffix := fmt.Sprintf("-nat-%d", i+1)
		eip, err := ec2.NewEip(ctx, name+suffix+"-eip", &ec2.EipArgs{
			Domain: pulumi.String("vpc"),
			Tags:   nameTag(name + suffix),
		}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return nil, err
		}
		gateways[i], err = ec2.NewNatGateway(ctx, name+suffix, &ec2.NatGatewayArgs{
			SubnetId:     subnet.ID(),
			AllocationId: eip.ID(),
			Tags:         nameTag(name + suffix),
		}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return nil, err
		}
	}
	return gateways, nil
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

// natInstance is one ARM instance (`name-nat`) doing NAT in subnet, its security
// group (`name-nat-sg`) and its EIP (`name-nat-eip`).
func (n *Network) natInstance(ctx *pulumi.Context, name string, a *NetworkArgs, vpc *ec2.Vpc, igw *ec2.InternetGateway,
	subnet *ec2.Subnet,
) (*ec2.Instance, error) {
	parent := pulumi.Parent(n)
	ami, err := ssm.LookupParameter(ctx, &ssm.LookupParameterArgs{Name: NatInstanceAmiParameter}, parent)
	if err != nil {
		return nil, componentError("network", name, fmt.Errorf("NAT AMI: %w", err))
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
		Tags: nameTag(name + "-nat"),
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
		Tags: nameTag(name + "-nat"),
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
		Tags:     nameTag(name + "-nat"),
	}, parent); err != nil {
		return nil, err
	}
	return inst, nil
}
