package components_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	netVpc          = "aws:ec2/vpc:Vpc"
	netSubnet       = "aws:ec2/subnet:Subnet"
	netDefaultSG    = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	netIGW          = "aws:ec2/internetGateway:InternetGateway"
	netRouteTable   = "aws:ec2/routeTable:RouteTable"
	netRoute        = "aws:ec2/route:Route"
	netRTA          = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	netEIP          = "aws:ec2/eip:Eip"
	netNatGateway   = "aws:ec2/natGateway:NatGateway"
	netInstance     = "aws:ec2/instance:Instance"
	netSecGroup     = "aws:ec2/securityGroup:SecurityGroup"
	netVpcEndpoint  = "aws:ec2/vpcEndpoint:VpcEndpoint"
	netFlowLog      = "aws:ec2/flowLog:FlowLog"
	netLogGroup     = "aws:cloudwatch/logGroup:LogGroup"
	netRole         = "aws:iam/role:Role"
	netRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	netNetworkToken = components.NetworkType
)

func runNetwork(t *testing.T, args *components.NetworkArgs, opts ...pulumimock.RunOption) (*pulumimock.Recorder, *components.Network) {
	t.Helper()
	var net *components.Network
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		net, err = components.NewNetwork(ctx, "net", args)
		return err
	}, opts...)
	return rec, net
}

// names lists the logical names of the resources of one type, sorted by URN.
func netTypeNames(rec *pulumimock.Recorder, typ string) []string {
	var out []string
	for _, r := range rec.ByType(typ) {
		out = append(out, r.Name)
	}
	return out
}

func TestNetworkDefaultsTwoZonesNatGatewayPerZone(t *testing.T) {
	t.Parallel()
	rec, net := runNetwork(t, nil)
	comp := rec.Must(t, netNetworkToken, "net")
	vpc := rec.Must(t, netVpc, "net-vpc")
	publicRT := rec.Must(t, netRouteTable, "net-public-rt")
	group := rec.Must(t, netLogGroup, "net-flow-logs")

	t.Run("children", func(t *testing.T) {
		// Exactly these children, all parented to the component.
		want := map[string][]string{
			netVpc:         {"net-vpc"},
			netDefaultSG:   {"net-default-sg"},
			netIGW:         {"net-igw"},
			netSubnet:      {"net-private-1", "net-private-2", "net-public-1", "net-public-2"},
			netRouteTable:  {"net-private-1-rt", "net-private-2-rt", "net-public-rt"},
			netRoute:       {"net-private-1-default", "net-private-2-default", "net-public-default"},
			netRTA:         {"net-private-1-rta", "net-private-2-rta", "net-public-1-rta", "net-public-2-rta"},
			netEIP:         {"net-nat-1-eip", "net-nat-2-eip"},
			netNatGateway:  {"net-nat-1", "net-nat-2"},
			netVpcEndpoint: {"net-s3-endpoint"},
			netFlowLog:     {"net-flow-log"},
			netLogGroup:    {"net-flow-logs"},
			netRole:        {"net-flow-logs-role"},
			netRolePolicy:  {"net-flow-logs-policy"},
		}
		count := 0
		for typ, n := range want {
			assert.ElementsMatch(t, n, netTypeNames(rec, typ), typ)
			count += len(n)
		}
		children := rec.Children(comp.URN)
		assert.Len(t, children, count, "no other children")
		assert.Len(t, rec.Resources(), count+1, "every resource is the component or its child")
		assert.Empty(t, rec.ByType(netInstance, netSecGroup))
	})

	t.Run("vpc", func(t *testing.T) {
		assert.Equal(t, "10.0.0.0/16", vpc.Str("cidrBlock"))
		assert.True(t, vpc.Bool("enableDnsSupport"))
		assert.True(t, vpc.Bool("enableDnsHostnames"))
	})

	t.Run("default security group", func(t *testing.T) {
		sg := rec.Must(t, netDefaultSG, "net-default-sg")
		assert.Equal(t, vpc.ID, sg.Str("vpcId"))
		assert.True(t, sg.Get("ingress").IsArray() && len(sg.Get("ingress").ArrayValue()) == 0, "default SG: no ingress")
		assert.True(t, sg.Get("egress").IsArray() && len(sg.Get("egress").ArrayValue()) == 0, "default SG: no egress")
	})

	t.Run("subnets", func(t *testing.T) {
		subnets := map[string]struct{ az, cidr string }{
			"net-public-1":  {"us-east-1a", "10.0.0.0/20"},
			"net-public-2":  {"us-east-1b", "10.0.16.0/20"},
			"net-private-1": {"us-east-1a", "10.0.128.0/20"},
			"net-private-2": {"us-east-1b", "10.0.144.0/20"},
		}
		for n, w := range subnets {
			sn := rec.Must(t, netSubnet, n)
			assert.Equal(t, w.az, sn.Str("availabilityZone"), n)
			assert.Equal(t, w.cidr, sn.Str("cidrBlock"), n)
			assert.Equal(t, vpc.ID, sn.Str("vpcId"), n)
			assert.True(t, sn.Has("mapPublicIpOnLaunch"), n)
			assert.False(t, sn.Bool("mapPublicIpOnLaunch"), "%s: no automatic public IPs", n)
		}
	})

	t.Run("public routes", func(t *testing.T) {
		igw := rec.Must(t, netIGW, "net-igw")
		publicDefault := rec.Must(t, netRoute, "net-public-default")
		assert.Equal(t, "0.0.0.0/0", publicDefault.Str("destinationCidrBlock"))
		assert.Equal(t, igw.ID, publicDefault.Str("gatewayId"))
		assert.Equal(t, publicRT.ID, publicDefault.Str("routeTableId"))
	})

	t.Run("NAT gateway per zone", func(t *testing.T) {
		for i, zone := range []string{"1", "2"} {
			nat := rec.Must(t, netNatGateway, "net-nat-"+zone)
			assert.Equal(t, rec.Must(t, netSubnet, "net-public-"+zone).ID, nat.Str("subnetId"), "NAT %d sits in its zone's public subnet", i)
			assert.Equal(t, rec.Must(t, netEIP, "net-nat-"+zone+"-eip").ID, nat.Str("allocationId"))
			route := rec.Must(t, netRoute, "net-private-"+zone+"-default")
			assert.Equal(t, rec.Must(t, netRouteTable, "net-private-"+zone+"-rt").ID, route.Str("routeTableId"))
			assert.Equal(t, nat.ID, route.Str("natGatewayId"), "zone %s egresses through its own NAT", zone)
			rta := rec.Must(t, netRTA, "net-private-"+zone+"-rta")
			assert.Equal(t, rec.Must(t, netSubnet, "net-private-"+zone).ID, rta.Str("subnetId"))
			assert.Equal(t, route.Str("routeTableId"), rta.Str("routeTableId"))
		}
	})

	t.Run("S3 endpoint", func(t *testing.T) {
		endpoint := rec.Must(t, netVpcEndpoint, "net-s3-endpoint")
		assert.Equal(t, "Gateway", endpoint.Str("vpcEndpointType"), "gateway endpoints are free")
		assert.Equal(t, "com.amazonaws.us-east-1.s3", endpoint.Str("serviceName"))
		assert.ElementsMatch(t, []any{
			publicRT.ID, rec.Must(t, netRouteTable, "net-private-1-rt").ID, rec.Must(t, netRouteTable, "net-private-2-rt").ID,
		}, endpoint.Plain("routeTableIds"))
	})

	t.Run("flow logs", func(t *testing.T) {
		assert.Equal(t, 30.0, group.Num("retentionInDays"))
		flow := rec.Must(t, netFlowLog, "net-flow-log")
		role := rec.Must(t, netRole, "net-flow-logs-role")
		assert.Equal(t, vpc.ID, flow.Str("vpcId"))
		assert.Equal(t, "ALL", flow.Str("trafficType"), "rejected traffic is what an incident needs")
		assert.Equal(t, "cloud-watch-logs", flow.Str("logDestinationType"))
		assert.Equal(t, group.Out("arn").StringValue(), flow.Str("logDestination"))
		assert.Equal(t, role.Out("arn").StringValue(), flow.Str("iamRoleArn"))

		var trust map[string]any
		require.NoError(t, json.Unmarshal([]byte(role.Str("assumeRolePolicy")), &trust))
		stmt := trust["Statement"].([]any)[0].(map[string]any)
		assert.Equal(t, map[string]any{"Service": "vpc-flow-logs.amazonaws.com"}, stmt["Principal"])
		assert.Equal(t, map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"}}, stmt["Condition"])
		var perms map[string]any
		require.NoError(t, json.Unmarshal([]byte(rec.Must(t, netRolePolicy, "net-flow-logs-policy").Str("policy")), &perms))
		arn := group.Out("arn").StringValue()
		assert.Equal(t, []any{arn, arn + ":*"}, perms["Statement"].([]any)[0].(map[string]any)["Resource"],
			"the role writes to its own log group only")
	})

	t.Run("outputs resolve to the children's values", func(t *testing.T) {
		assert.Equal(t, vpc.ID, pulumimock.Await[string](t, net.VpcId))
		assert.Equal(t, "10.0.0.0/16", pulumimock.Await[string](t, net.VpcCidr))
		assert.Equal(t, []string{rec.Must(t, netSubnet, "net-public-1").ID, rec.Must(t, netSubnet, "net-public-2").ID},
			pulumimock.Await[[]string](t, net.PublicSubnetIds))
		assert.Equal(t, []string{rec.Must(t, netSubnet, "net-private-1").ID, rec.Must(t, netSubnet, "net-private-2").ID},
			pulumimock.Await[[]string](t, net.PrivateSubnetIds))
		assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, pulumimock.Await[[]string](t, net.AvailabilityZones))
		assert.Equal(t, "gatewayPerAz", pulumimock.Await[string](t, net.NatStrategy))
		assert.Equal(t, group.Out("name").StringValue(), pulumimock.Await[string](t, net.FlowLogGroupName))
	})
}

func TestNetworkNatStrategies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		args         components.NetworkArgs
		natGateways  int
		natInstances int
		routes       []string
	}{
		{"none", components.NetworkArgs{NatStrategy: components.NatNone}, 0, 0, nil},
		{"gateway", components.NetworkArgs{NatStrategy: components.NatGateway, AvailabilityZones: 3}, 1, 0,
			[]string{"net-private-1-default", "net-private-2-default", "net-private-3-default"}},
		{"gatewayPerAz", components.NetworkArgs{NatStrategy: components.NatGatewayPerAz, AvailabilityZones: 3}, 3, 0,
			[]string{"net-private-1-default", "net-private-2-default", "net-private-3-default"}},
		{"instance", components.NetworkArgs{NatStrategy: components.NatInstance}, 0, 1,
			[]string{"net-private-1-default", "net-private-2-default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, _ := runNetwork(t, &tt.args)
			assert.Len(t, rec.ByType(netNatGateway), tt.natGateways)
			assert.Len(t, rec.ByType(netInstance), tt.natInstances)
			var private []string
			for _, n := range netTypeNames(rec, netRoute) {
				if n != "net-public-default" {
					private = append(private, n)
				}
			}
			assert.ElementsMatch(t, tt.routes, private)
			if tt.name == "gateway" {
				nat := rec.Must(t, netNatGateway, "net-nat-1")
				for _, r := range tt.routes {
					assert.Equal(t, nat.ID, rec.Must(t, netRoute, r).Str("natGatewayId"), "%s shares the one gateway", r)
				}
			}
			// Private subnets and route tables exist whatever the strategy.
			zones := tt.args.AvailabilityZones
			if zones == 0 {
				zones = 2
			}
			assert.Len(t, rec.ByType(netSubnet), 2*zones)
			assert.Len(t, rec.ByType(netRouteTable), 1+zones)
		})
	}
}

func TestNetworkNatInstanceIsASmallLockedDownArmBox(t *testing.T) {
	t.Parallel()
	rec, _ := runNetwork(t, &components.NetworkArgs{NatStrategy: components.NatInstance})
	nat := rec.Must(t, netInstance, "net-nat")

	t.Run("instance", func(t *testing.T) {
		assert.Equal(t, "t4g.nano", nat.Str("instanceType"))
		assert.Equal(t, rec.Must(t, netSubnet, "net-public-1").ID, nat.Str("subnetId"))
		assert.True(t, nat.Has("sourceDestCheck"))
		assert.False(t, nat.Bool("sourceDestCheck"), "a NAT forwards packets that are not its own")
		assert.Regexp(t, `^ami-[0-9a-f]{17}$`, nat.Str("ami"))
		assert.Equal(t, "required", nat.Str("metadataOptions.httpTokens"), "IMDSv2 only")
		assert.True(t, nat.Bool("rootBlockDevice.encrypted"))
		assert.False(t, nat.Has("keyName"), "no SSH key")
	})

	t.Run("user data", func(t *testing.T) {
		assert.Contains(t, nat.Str("userData"), "MASQUERADE")
		// The EIP is attached, and the S3 endpoint created, only after the instance
		// runs: the first boot must wait for the network, not give up on it.
		assert.Regexp(t, `(?m)^for try in \$\(seq \d+\); do\n\s+dnf install -y iptables-services && break$`, nat.Str("userData"))
	})

	t.Run("AMI", func(t *testing.T) {
		var amiLookup bool
		for _, inv := range rec.Invokes() {
			if inv.Token == "aws:ssm/getParameter:getParameter" {
				amiLookup = inv.Args["name"].StringValue() == components.NatInstanceAmiParameter
			}
		}
		assert.True(t, amiLookup, "AMI comes from the arm64 Amazon Linux 2023 SSM parameter")
	})

	t.Run("security group", func(t *testing.T) {
		sg := rec.Must(t, netSecGroup, "net-nat-sg")
		assert.Equal(t, []any{"10.0.0.0/16"}, sg.Plain("ingress[0].cidrBlocks"), "only the VPC may use the NAT")
		assert.Equal(t, []any{sg.ID}, nat.Plain("vpcSecurityGroupIds"))
	})

	t.Run("EIP and routes", func(t *testing.T) {
		eip := rec.Must(t, netEIP, "net-nat-eip")
		assert.Equal(t, nat.ID, eip.Str("instance"))
		for _, zone := range []string{"1", "2"} {
			route := rec.Must(t, netRoute, "net-private-"+zone+"-default")
			assert.Equal(t, nat.Out("primaryNetworkInterfaceId").StringValue(), route.Str("networkInterfaceId"))
			assert.Equal(t, "0.0.0.0/0", route.Str("destinationCidrBlock"))
		}
	})
}

func TestNetworkOptions(t *testing.T) {
	t.Parallel()
	rec, _ := runNetwork(t, &components.NetworkArgs{
		AvailabilityZones: 3, CidrBlock: "172.20.0.0/20", NatStrategy: components.NatNone, FlowLogRetentionDays: 365,
	}, pulumimock.WithRecorderOptions(pulumimock.WithRegion("eu-west-1")))

	assert.Equal(t, "172.20.0.0/20", rec.Must(t, netVpc, "net-vpc").Str("cidrBlock"))
	assert.Equal(t, "172.20.2.0/24", rec.Must(t, netSubnet, "net-public-3").Str("cidrBlock"))
	assert.Equal(t, "172.20.10.0/24", rec.Must(t, netSubnet, "net-private-3").Str("cidrBlock"))
	assert.Equal(t, "eu-west-1c", rec.Must(t, netSubnet, "net-private-3").Str("availabilityZone"))
	assert.Equal(t, "com.amazonaws.eu-west-1.s3", rec.Must(t, netVpcEndpoint, "net-s3-endpoint").Str("serviceName"))
	assert.Equal(t, 365.0, rec.Must(t, netLogGroup, "net-flow-logs").Num("retentionInDays"))
}

func TestNetworkNatInstanceType(t *testing.T) {
	t.Parallel()
	rec, _ := runNetwork(t, &components.NetworkArgs{NatStrategy: components.NatInstance, NatInstanceType: "c7gn.medium"})
	assert.Equal(t, "c7gn.medium", rec.Must(t, netInstance, "net-nat").Str("instanceType"))

	// The type only matters for the instance strategy: an x86 type is not an error without it.
	rec, _ = runNetwork(t, &components.NetworkArgs{NatStrategy: components.NatGateway, NatInstanceType: "t3.nano"})
	assert.Empty(t, rec.ByType(netInstance))
}

func TestNetworkRegionWithTooFewZones(t *testing.T) {
	t.Parallel()
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{AvailabilityZones: 3})
		return err
	}, pulumimock.WithRecorderOptions(pulumimock.WithAZs("ca-west-1a", "ca-west-1b")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `network "net": NetworkArgs.AvailabilityZones: 3 wanted, the region has 2 ([ca-west-1a ca-west-1b])`)
}

func TestNetworkValidationNamesTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args components.NetworkArgs
		want []string
	}{
		{"gatewayPerAz with one zone", components.NetworkArgs{AvailabilityZones: 1, NatStrategy: components.NatGatewayPerAz},
			[]string{"NetworkArgs.NatStrategy: gatewayPerAz needs at least 2 availability zones, AvailabilityZones is 1",
				"NetworkArgs.AvailabilityZones: 1 is not allowed; want 2 or 3"}},
		{"four zones", components.NetworkArgs{AvailabilityZones: 4}, []string{"NetworkArgs.AvailabilityZones: 4 is not allowed; want 2 or 3"}},
		{"negative zones", components.NetworkArgs{AvailabilityZones: -2}, []string{"NetworkArgs.AvailabilityZones: -2 is not allowed; want 2 or 3"}},
		{"one zone, one gateway", components.NetworkArgs{AvailabilityZones: 1, NatStrategy: components.NatGateway},
			[]string{"NetworkArgs.AvailabilityZones: 1 is not allowed; want 2 or 3"}},
		{"IPv6 network", components.NetworkArgs{CidrBlock: "fd00::/56"}, []string{`NetworkArgs.CidrBlock: "fd00::/56" is not an IPv4 network`}},
		{"unknown strategy", components.NetworkArgs{NatStrategy: "cheap"},
			[]string{`NetworkArgs.NatStrategy: "cheap" is not one of [none instance gateway gatewayPerAz]`}},
		{"host bits set", components.NetworkArgs{CidrBlock: "10.0.0.1/16"}, []string{`NetworkArgs.CidrBlock: "10.0.0.1/16" is not an IPv4 network`}},
		{"too small", components.NetworkArgs{CidrBlock: "10.0.0.0/26"}, []string{`NetworkArgs.CidrBlock: "10.0.0.0/26"`}},
		{"x86 NAT", components.NetworkArgs{NatStrategy: components.NatInstance, NatInstanceType: "t3.nano"},
			[]string{`NetworkArgs.NatInstanceType: "t3.nano" is not an ARM (Graviton) type`}},
		{"retention", components.NetworkArgs{FlowLogRetentionDays: 10}, []string{"NetworkArgs.FlowLogRetentionDays: 10 is not a CloudWatch Logs retention"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewNetwork(ctx, "net", &tt.args)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `network "net": `)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, rec.Resources(), "nothing is registered when an argument is bad")
		})
	}
}

func TestNetworkTwoInstancesDoNotCollide(t *testing.T) {
	t.Parallel()
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		if _, err := components.NewNetwork(ctx, "blue", &components.NetworkArgs{NatStrategy: components.NatInstance}); err != nil {
			return err
		}
		_, err := components.NewNetwork(ctx, "green", &components.NetworkArgs{CidrBlock: "10.1.0.0/16"})
		return err
	})
	assert.Len(t, rec.ByType(netVpc), 2)
	assert.Len(t, rec.ByType(netInstance), 1)
	assert.Len(t, rec.ByType(netNatGateway), 2)
	seen := map[string]bool{}
	for _, r := range rec.ByType(netLogGroup, netRole) {
		name := r.Out("name").StringValue()
		assert.False(t, seen[name], "physical name %s used twice", name)
		seen[name] = true
	}
}
