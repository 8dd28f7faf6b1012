package cost

import "github.com/shopstack/shopstack/internal/awstype"

// A pricer prices one resource from its inputs (and, for joins, the other resources of the stack).
type pricer func(e *estimator, r Resource) (Item, bool)

// pricedTypes have an always-on price. Like usageTypes and freeTypes they are keyed by canonical type
// (awstype.Canonical), so a resource is priced the same under each of its spellings.
var pricedTypes = map[string]pricer{
	awstype.LbLoadBalancer:                 (*estimator).loadBalancer,
	awstype.Ec2NatGateway:                  fixedHourly("vpc.nat_gateway.hour", "data processed usage-based; its Elastic IP is a separate line"),
	awstype.Ec2Eip:                         fixedHourly("vpc.public_ipv4", ""),
	awstype.Ec2Instance:                    (*estimator).instance,
	awstype.Ec2VpcEndpoint:                 (*estimator).vpcEndpoint,
	awstype.EcsService:                     (*estimator).fargateService,
	awstype.EcsCluster:                     (*estimator).ecsCluster,
	awstype.RdsInstance:                    (*estimator).rdsInstance,
	awstype.RdsCluster:                     (*estimator).auroraCluster,
	awstype.RdsClusterInstance:             (*estimator).auroraInstance,
	awstype.ElasticacheReplicationGroup:    (*estimator).replicationGroup,
	awstype.ElasticacheCluster:             (*estimator).cacheCluster,
	awstype.ElasticacheServerlessCache:     (*estimator).serverlessCache,
	awstype.OpensearchDomain:               (*estimator).openSearch,
	awstype.Wafv2WebAcl:                    (*estimator).webAcl,
	awstype.PricingplanmanagerSubscription: (*estimator).pricingPlan,
	awstype.Route53Zone:                    fixedMonthly("route53.zone"),
	awstype.SecretsmanagerSecret:           fixedMonthly("secretsmanager.secret"),
	awstype.KmsKey:                         fixedMonthly("kms.key"),
	awstype.CloudwatchLogGroup:             (*estimator).logGroup,
	awstype.CloudwatchMetricAlarm:          (*estimator).metricAlarm,
	awstype.CloudwatchDashboard:            (*estimator).dashboard,
	awstype.BudgetsBudget:                  (*estimator).budget,
	awstype.AppautoscalingPolicy:           (*estimator).scalingPolicy,
	awstype.SchedulerSchedule:              (*estimator).schedule,
}

// fixedHourly prices one unit of an hourly price, whatever the inputs.
func fixedHourly(key, note string) pricer {
	return func(e *estimator, _ Resource) (Item, bool) {
		s := newSum()
		s.add(e.hourly(key, 1))
		if note != "" {
			s.note(note)
		}
		return s.item()
	}
}

// fixedMonthly prices one unit of a monthly price, whatever the inputs.
func fixedMonthly(key string) pricer {
	return func(e *estimator, _ Resource) (Item, bool) {
		s := newSum()
		s.add(e.monthlyUnits(key, 1))
		return s.item()
	}
}

var usageTypes = map[string]string{
	awstype.S3BucketV2:                  "S3 storage $0.023/GB-month and requests",
	awstype.S3BucketObjectv2:            "S3 storage of the object",
	awstype.CloudfrontDistribution:      "CloudFront data transfer and requests (1 TB/month free tier)",
	awstype.CloudfrontFunction:          "CloudFront Functions invocations ($0.10 per million)",
	awstype.EcrRepository:               "ECR storage $0.10/GB-month",
	awstype.AwsxEcrRepository:           "ECR storage $0.10/GB-month",
	awstype.Ec2FlowLog:                  "flow log ingestion (billed on its log group's line)",
	awstype.Route53Record:               "DNS queries (alias queries to AWS resources are free)",
	awstype.CloudfrontVpcOrigin:         "no charge beyond CloudFront usage",
	awstype.LbTargetGroup:               "no charge of its own (LCUs on the load balancer)",
	awstype.SecretsmanagerSecretVersion: "API calls ($0.05 per 10,000)",
	awstype.SnsTopic:                    "SNS publishes and deliveries",
	awstype.SnsTopicSubscription:        "SNS email deliveries (first 1,000 a month free)",
	awstype.CloudwatchLogDelivery:       "CloudWatch vended-log delivery to S3, per GB delivered (https://aws.amazon.com/cloudwatch/pricing/, Logs tab)",
	awstype.LambdaInvocation:            "one invocation of the function per deploy",
	awstype.LambdaFunction:              "Lambda requests $0.20 per million and arm64 duration $0.0000133334 per GB-second (free tier not applied); its work schedule's ticks are priced on the schedule's line",
}

var freeTypes = map[string]string{
	awstype.Ec2Vpc:                                      "VPC",
	awstype.Ec2Subnet:                                   "subnet",
	awstype.Ec2InternetGateway:                          "internet gateway",
	awstype.Ec2EgressOnlyInternetGateway:                "egress-only internet gateway",
	awstype.Ec2RouteTable:                               "route table",
	awstype.Ec2Route:                                    "route",
	awstype.Ec2RouteTableAssociation:                    "route table association",
	awstype.Ec2MainRouteTableAssociation:                "route table association",
	awstype.Ec2SecurityGroup:                            "security group",
	awstype.Ec2SecurityGroupRule:                        "security group rule",
	awstype.Ec2DefaultSecurityGroup:                     "default security group",
	awstype.Ec2DefaultNetworkAcl:                        "network ACL",
	awstype.Ec2NetworkAcl:                               "network ACL",
	awstype.VpcSecurityGroupIngressRule:                 "security group rule",
	awstype.VpcSecurityGroupEgressRule:                  "security group rule",
	awstype.Ec2EipAssociation:                           "association (the address is priced on its Elastic IP)",
	awstype.Ec2NetworkInterface:                         "network interface",
	awstype.IamRole:                                     "IAM",
	awstype.IamPolicy:                                   "IAM",
	awstype.IamRolePolicy:                               "IAM",
	awstype.IamRolePolicyAttachment:                     "IAM",
	awstype.IamInstanceProfile:                          "IAM",
	awstype.S3BucketPublicAccessBlock:                   "bucket setting",
	awstype.S3BucketOwnershipControls:                   "bucket setting",
	awstype.S3BucketServerSideEncryptionConfigurationV2: "bucket setting (SSE-S3)",
	awstype.S3BucketPolicy:                              "bucket setting",
	awstype.CloudwatchLogDeliverySource:                 "log delivery setting (delivery priced on the LogDelivery line)",
	awstype.CloudwatchLogDeliveryDestination:            "log delivery setting (delivery priced on the LogDelivery line)",
	awstype.S3BucketVersioningV2:                        "bucket setting (old versions are storage usage)",
	awstype.S3BucketLifecycleConfigurationV2:            "bucket setting (transitions are request usage)",
	awstype.S3BucketLoggingV2:                           "bucket setting",
	awstype.S3BucketCorsConfigurationV2:                 "bucket setting",
	awstype.CloudfrontOriginAccessControl:               "CloudFront setting",
	awstype.CloudfrontResponseHeadersPolicy:             "CloudFront setting",
	awstype.CloudfrontCachePolicy:                       "CloudFront setting",
	awstype.CloudfrontOriginRequestPolicy:               "CloudFront setting",
	awstype.AcmCertificate:                              "public ACM certificate",
	awstype.AcmCertificateValidation:                    "validation wait",
	awstype.LbListener:                                  "listener",
	awstype.LbListenerRule:                              "listener rule",
	awstype.Wafv2WebAclAssociation:                      "association",
	awstype.Wafv2WebAclLoggingConfiguration:             "logging setting (ingestion on its log group's line)",
	awstype.EcsTaskDefinition:                           "task definition (Fargate time is priced on the service)",
	awstype.EcsClusterCapacityProviders:                 "cluster setting",
	awstype.AppautoscalingTarget:                        "scalable target",
	awstype.RdsSubnetGroup:                              "subnet group",
	awstype.RdsParameterGroup:                           "parameter group",
	awstype.RdsClusterParameterGroup:                    "parameter group",
	awstype.ElasticacheSubnetGroup:                      "subnet group",
	awstype.ElasticacheParameterGroup:                   "parameter group",
	awstype.ElasticacheUser:                             "cache user",
	awstype.ElasticacheUserGroup:                        "cache user group",
	awstype.SecretsmanagerSecretPolicy:                  "secret policy",
	awstype.OpensearchDomainPolicy:                      "domain policy",
	awstype.CloudwatchLogResourcePolicy:                 "log resource policy",
	awstype.EcrLifecyclePolicy:                          "repository setting",
	awstype.KmsAlias:                                    "key alias",
	awstype.SnsTopicPolicy:                              "topic policy",
	awstype.IamServiceLinkedRole:                        "IAM",
	awstype.Wafv2IpSet:                                  "IP set",
	awstype.CloudwatchEventRule:                         "scheduled EventBridge rule (no charge)",
	awstype.CloudwatchEventTarget:                       "rule target",
	awstype.LambdaFunctionUrl:                           "Function URL (its requests are billed as the function's)",
	awstype.LambdaPermission:                            "function policy",
	awstype.RandomPassword:                              "generated in the Pulumi engine",
	awstype.RandomString:                                "generated in the Pulumi engine",
	awstype.RandomId:                                    "generated in the Pulumi engine",
}
