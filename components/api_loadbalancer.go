package components

import (
	"cmp"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// apiSecurityGroups are the load balancer's and the tasks' security groups.
type apiSecurityGroups struct{ lb, task *ec2.SecurityGroup }

// securityGroups lets only CloudFront (or, internet-facing, everyone) reach the load balancer's listeners, and
// only the load balancer reach the tasks.
func (b *apiBuild) securityGroups() (apiSecurityGroups, error) {
	lbSG, err := ec2.NewSecurityGroup(b.ctx, b.name+"-lb-sg", &ec2.SecurityGroupArgs{
		VpcId:       b.args.VpcId,
		Description: pulumi.String("Load balancer of " + b.name),
	}, b.parent)
	if err != nil {
		return apiSecurityGroups{}, err
	}
	taskSG, err := ec2.NewSecurityGroup(b.ctx, b.name+"-task-sg", &ec2.SecurityGroupArgs{
		VpcId:       b.args.VpcId,
		Description: pulumi.String("Tasks of " + b.name + ": only the load balancer on the container port"),
	}, b.parent)
	if err != nil {
		return apiSecurityGroups{}, err
	}
	sgs := apiSecurityGroups{lb: lbSG, task: taskSG}
	if b.internal {
		err = b.cloudFrontIngress(lbSG)
	} else {
		err = b.internetIngress(lbSG)
	}
	if err != nil {
		return apiSecurityGroups{}, err
	}
	if err := b.taskTraffic(sgs); err != nil {
		return apiSecurityGroups{}, err
	}
	return sgs, nil
}

// listenerPorts are the ports the load balancer listens on.
func (b *apiBuild) listenerPorts() []int {
	switch {
	case b.https && b.internal:
		return []int{443}
	case b.https:
		return []int{80, 443}
	default:
		return []int{80}
	}
}

func (b *apiBuild) cloudFrontIngress(lbSG *ec2.SecurityGroup) error {
	pl, err := ec2.LookupManagedPrefixList(b.ctx, &ec2.LookupManagedPrefixListArgs{
		Name: pulumi.StringRef(CloudFrontOriginFacingPrefixList),
	}, b.parent)
	if err != nil {
		return fmt.Errorf("CloudFront prefix list: %w", err)
	}
	// One rule only: a managed prefix list counts as its MaxEntries rules.
	port := b.listenerPorts()[0]
	_, err = vpc.NewSecurityGroupIngressRule(b.ctx, fmt.Sprintf("%s-lb-in-cloudfront-%d", b.name, port), &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: lbSG.ID(),
		Description:     pulumi.String("CloudFront origin-facing addresses (VPC origin)"),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(port),
		ToPort:          pulumi.Int(port),
		PrefixListId:    pulumi.String(pl.Id),
	}, b.parent)
	return err
}

func (b *apiBuild) internetIngress(lbSG *ec2.SecurityGroup) error {
	for _, port := range b.listenerPorts() {
		for _, cidr := range []struct{ suffix, v4, v6 string }{{"ipv4", "0.0.0.0/0", ""}, {"ipv6", "", "::/0"}} {
			rule := &vpc.SecurityGroupIngressRuleArgs{
				SecurityGroupId: lbSG.ID(),
				Description:     pulumi.String("Internet"),
				IpProtocol:      pulumi.String("tcp"),
				FromPort:        pulumi.Int(port),
				ToPort:          pulumi.Int(port),
			}
			if cidr.v4 != "" {
				rule.CidrIpv4 = pulumi.String(cidr.v4)
			} else {
				rule.CidrIpv6 = pulumi.String(cidr.v6)
			}
			if _, err := vpc.NewSecurityGroupIngressRule(b.ctx, fmt.Sprintf("%s-lb-in-%s-%d", b.name, cidr.suffix, port), rule, b.parent); err != nil {
				return err
			}
		}
	}
	return nil
}

// taskTraffic opens the container port from the load balancer to the tasks, and the tasks' way out.
func (b *apiBuild) taskTraffic(sgs apiSecurityGroups) error {
	port := pulumi.Int(b.args.ContainerPort)
	if _, err := vpc.NewSecurityGroupEgressRule(b.ctx, b.name+"-lb-out-tasks", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId:           sgs.lb.ID(),
		Description:               pulumi.String("Tasks on the container port"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  port,
		ToPort:                    port,
		ReferencedSecurityGroupId: sgs.task.ID(),
	}, b.parent); err != nil {
		return err
	}
	if _, err := vpc.NewSecurityGroupIngressRule(b.ctx, b.name+"-task-in-lb", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           sgs.task.ID(),
		Description:               pulumi.String("Load balancer on the container port"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  port,
		ToPort:                    port,
		ReferencedSecurityGroupId: sgs.lb.ID(),
	}, b.parent); err != nil {
		return err
	}
	// Tasks call AWS APIs, the database and third parties; egress stays open.
	_, err := vpc.NewSecurityGroupEgressRule(b.ctx, b.name+"-task-out", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: sgs.task.ID(),
		Description:     pulumi.String("AWS APIs, data stores, image pulls"),
		IpProtocol:      pulumi.String("-1"),
		CidrIpv4:        pulumi.String("0.0.0.0/0"),
	}, b.parent)
	return err
}

// apiLoadBalancer is the load balancer, its target group, and the listeners the service must wait for.
type apiLoadBalancer struct {
	alb         *lb.LoadBalancer
	targetGroup *lb.TargetGroup
	listeners   []pulumi.Resource
}

func (b *apiBuild) loadBalancer(lbSG *ec2.SecurityGroup) (apiLoadBalancer, error) {
	alb, err := b.alb(lbSG)
	if err != nil {
		return apiLoadBalancer{}, err
	}
	tg, err := b.targetGroup()
	if err != nil {
		return apiLoadBalancer{}, err
	}
	listeners, err := b.listeners(alb, tg)
	if err != nil {
		return apiLoadBalancer{}, err
	}
	return apiLoadBalancer{alb: alb, targetGroup: tg, listeners: listeners}, nil
}

func (b *apiBuild) alb(lbSG *ec2.SecurityGroup) (*lb.LoadBalancer, error) {
	a := b.args
	subnets := a.PrivateSubnetIds
	if !b.internal {
		subnets = a.PublicSubnetIds
	}
	args := &lb.LoadBalancerArgs{
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(b.internal),
		Subnets:                  subnets,
		SecurityGroups:           pulumi.StringArray{lbSG.ID()},
		DropInvalidHeaderFields:  pulumi.Bool(true),
		DesyncMitigationMode:     pulumi.String(a.DesyncMitigationMode),
		EnableDeletionProtection: a.DeletionProtection.ToBoolOutput().ToBoolPtrOutput(),
		EnableHttp2:              pulumi.Bool(true),
		EnableWafFailOpen:        pulumi.Bool(false),
	}
	if a.AccessLogsBucket != nil {
		args.AccessLogs = lb.LoadBalancerAccessLogsArgs{
			Bucket: a.AccessLogsBucket, Enabled: pulumi.Bool(true), Prefix: pulumi.String(cmp.Or(a.AccessLogsPrefix, b.name)),
		}
	}
	return lb.NewLoadBalancer(b.ctx, b.name+"-alb", args, b.parent)
}

func (b *apiBuild) targetGroup() (*lb.TargetGroup, error) {
	return lb.NewTargetGroup(b.ctx, b.name+"-tg", &lb.TargetGroupArgs{
		VpcId:               b.args.VpcId,
		TargetType:          pulumi.String("ip"),
		Protocol:            pulumi.String("HTTP"),
		Port:                pulumi.Int(b.args.ContainerPort),
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Path:               pulumi.String(b.args.HealthCheckPath),
			Protocol:           pulumi.String("HTTP"),
			Matcher:            pulumi.String("200"),
			Interval:           pulumi.Int(15),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(3),
		},
	}, b.parent)
}

// listeners forward to the target group: over HTTPS with a certificate (internet-facing, port 80 then
// redirects to it), plain HTTP otherwise.
func (b *apiBuild) listeners(alb *lb.LoadBalancer, tg *lb.TargetGroup) ([]pulumi.Resource, error) {
	forward := lb.ListenerDefaultActionArray{
		lb.ListenerDefaultActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn},
	}
	if !b.https {
		l, err := lb.NewListener(b.ctx, b.name+"-http", &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(80),
			Protocol:        pulumi.String("HTTP"),
			DefaultActions:  forward,
		}, b.parent)
		if err != nil {
			return nil, err
		}
		return []pulumi.Resource{l}, nil
	}
	l, err := lb.NewListener(b.ctx, b.name+"-https", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(b.args.SslPolicy),
		CertificateArn:  b.args.CertificateArn,
		DefaultActions:  forward,
	}, b.parent)
	if err != nil {
		return nil, err
	}
	if b.internal {
		return []pulumi.Resource{l}, nil
	}
	r, err := lb.NewListener(b.ctx, b.name+"-http-redirect", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: lb.ListenerDefaultActionRedirectArgs{
				Protocol: pulumi.String("HTTPS"), Port: pulumi.String("443"), StatusCode: pulumi.String("HTTP_301"),
			},
		}},
	}, b.parent)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{l, r}, nil
}
