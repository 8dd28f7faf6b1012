// Package awstype is the one list of the Pulumi type tokens that the recording mock, the cost model and the
// policies key their tables on: the AWS resources the stacks create or the rules check, and the few non-AWS
// resources the programs create beside them (awsx, random).
//
// A constant is named after its token: the module as its Go package would be capitalised, then the resource
// type (aws:ec2/vpc:Vpc is Ec2Vpc, aws:s3/bucketV2:BucketV2 is S3BucketV2); awsx tokens start with Awsx and
// random's types are already named Random*. Tokens the pulumi-aws v6 SDK does not have yet (its v7 names) are
// listed where an alias set needs them.
//
// The package is plain constants and string sets and imports nothing: it is linked into the policy pack binary
// (policies/pack) and must stay that small.
package awstype

// The type tokens, by provider and module.
const (
	AcmCertificate           = "aws:acm/certificate:Certificate"
	AcmCertificateValidation = "aws:acm/certificateValidation:CertificateValidation"

	AlbListener     = "aws:alb/listener:Listener"
	AlbListenerRule = "aws:alb/listenerRule:ListenerRule"
	AlbLoadBalancer = "aws:alb/loadBalancer:LoadBalancer"
	AlbTargetGroup  = "aws:alb/targetGroup:TargetGroup"

	AppautoscalingPolicy = "aws:appautoscaling/policy:Policy"
	AppautoscalingTarget = "aws:appautoscaling/target:Target"

	BudgetsBudget = "aws:budgets/budget:Budget"

	CloudfrontCachePolicy           = "aws:cloudfront/cachePolicy:CachePolicy"
	CloudfrontDistribution          = "aws:cloudfront/distribution:Distribution"
	CloudfrontFunction              = "aws:cloudfront/function:Function"
	CloudfrontOriginAccessControl   = "aws:cloudfront/originAccessControl:OriginAccessControl"
	CloudfrontOriginAccessIdentity  = "aws:cloudfront/originAccessIdentity:OriginAccessIdentity"
	CloudfrontOriginRequestPolicy   = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
	CloudfrontResponseHeadersPolicy = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
	CloudfrontVpcOrigin             = "aws:cloudfront/vpcOrigin:VpcOrigin"

	CloudwatchLogDelivery            = "aws:cloudwatch/logDelivery:LogDelivery"
	CloudwatchLogDeliveryDestination = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
	CloudwatchLogDeliverySource      = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
	CloudwatchLogGroup               = "aws:cloudwatch/logGroup:LogGroup"
	CloudwatchLogResourcePolicy      = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
	CloudwatchMetricAlarm            = "aws:cloudwatch/metricAlarm:MetricAlarm"
	CloudwatchDashboard              = "aws:cloudwatch/dashboard:Dashboard"
	CloudwatchEventRule              = "aws:cloudwatch/eventRule:EventRule"
	CloudwatchEventTarget            = "aws:cloudwatch/eventTarget:EventTarget"

	Ec2DefaultNetworkAcl         = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
	Ec2DefaultSecurityGroup      = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	Ec2EgressOnlyInternetGateway = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
	Ec2Eip                       = "aws:ec2/eip:Eip"
	Ec2EipAssociation            = "aws:ec2/eipAssociation:EipAssociation" //nolint:gosec // G101 reads "EipAssociation" as a password
	Ec2FlowLog                   = "aws:ec2/flowLog:FlowLog"
	Ec2Instance                  = "aws:ec2/instance:Instance"
	Ec2InternetGateway           = "aws:ec2/internetGateway:InternetGateway"
	Ec2LaunchTemplate            = "aws:ec2/launchTemplate:LaunchTemplate"
	Ec2MainRouteTableAssociation = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
	Ec2NatGateway                = "aws:ec2/natGateway:NatGateway"
	Ec2NetworkAcl                = "aws:ec2/networkAcl:NetworkAcl"
	Ec2NetworkInterface          = "aws:ec2/networkInterface:NetworkInterface"
	Ec2Route                     = "aws:ec2/route:Route"
	Ec2RouteTable                = "aws:ec2/routeTable:RouteTable"
	Ec2RouteTableAssociation     = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	Ec2SecurityGroup             = "aws:ec2/securityGroup:SecurityGroup"
	Ec2SecurityGroupRule         = "aws:ec2/securityGroupRule:SecurityGroupRule"
	Ec2Subnet                    = "aws:ec2/subnet:Subnet"
	Ec2Vpc                       = "aws:ec2/vpc:Vpc"
	Ec2VpcEndpoint               = "aws:ec2/vpcEndpoint:VpcEndpoint"

	EcrLifecyclePolicy = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	EcrRepository      = "aws:ecr/repository:Repository"

	EcsCluster                  = "aws:ecs/cluster:Cluster"
	EcsClusterCapacityProviders = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
	EcsService                  = "aws:ecs/service:Service"
	EcsTaskDefinition           = "aws:ecs/taskDefinition:TaskDefinition"

	ElasticacheCluster          = "aws:elasticache/cluster:Cluster"
	ElasticacheParameterGroup   = "aws:elasticache/parameterGroup:ParameterGroup"
	ElasticacheReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	ElasticacheServerlessCache  = "aws:elasticache/serverlessCache:ServerlessCache"
	ElasticacheSubnetGroup      = "aws:elasticache/subnetGroup:SubnetGroup"
	ElasticacheUser             = "aws:elasticache/user:User"
	ElasticacheUserGroup        = "aws:elasticache/userGroup:UserGroup"

	ElasticsearchDomain       = "aws:elasticsearch/domain:Domain"
	ElasticsearchDomainPolicy = "aws:elasticsearch/domainPolicy:DomainPolicy"

	IamGroupPolicy           = "aws:iam/groupPolicy:GroupPolicy"
	IamGroupPolicyAttachment = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	IamInstanceProfile       = "aws:iam/instanceProfile:InstanceProfile"
	IamPolicy                = "aws:iam/policy:Policy"
	IamPolicyAttachment      = "aws:iam/policyAttachment:PolicyAttachment"
	IamRole                  = "aws:iam/role:Role"
	IamRolePolicy            = "aws:iam/rolePolicy:RolePolicy"
	IamRolePolicyAttachment  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	IamServiceLinkedRole     = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
	IamUserPolicy            = "aws:iam/userPolicy:UserPolicy"
	IamUserPolicyAttachment  = "aws:iam/userPolicyAttachment:UserPolicyAttachment"

	KmsAlias = "aws:kms/alias:Alias"
	KmsKey   = "aws:kms/key:Key"

	LambdaFunction    = "aws:lambda/function:Function"
	LambdaFunctionUrl = "aws:lambda/functionUrl:FunctionUrl"
	LambdaInvocation  = "aws:lambda/invocation:Invocation"
	LambdaPermission  = "aws:lambda/permission:Permission"

	LbListener     = "aws:lb/listener:Listener"
	LbListenerRule = "aws:lb/listenerRule:ListenerRule"
	LbLoadBalancer = "aws:lb/loadBalancer:LoadBalancer"
	LbTargetGroup  = "aws:lb/targetGroup:TargetGroup"

	OpensearchDomain       = "aws:opensearch/domain:Domain"
	OpensearchDomainPolicy = "aws:opensearch/domainPolicy:DomainPolicy"

	RdsCluster               = "aws:rds/cluster:Cluster"
	RdsClusterInstance       = "aws:rds/clusterInstance:ClusterInstance"
	RdsClusterParameterGroup = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
	RdsInstance              = "aws:rds/instance:Instance"
	RdsParameterGroup        = "aws:rds/parameterGroup:ParameterGroup"
	RdsSubnetGroup           = "aws:rds/subnetGroup:SubnetGroup"

	Route53Record = "aws:route53/record:Record"
	Route53Zone   = "aws:route53/zone:Zone"

	S3Bucket                                    = "aws:s3/bucket:Bucket"
	S3BucketAcl                                 = "aws:s3/bucketAcl:BucketAcl"
	S3BucketAclV2                               = "aws:s3/bucketAclV2:BucketAclV2"
	S3BucketCorsConfigurationV2                 = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	S3BucketLifecycleConfiguration              = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
	S3BucketLifecycleConfigurationV2            = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	S3BucketLoggingV2                           = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	S3BucketObject                              = "aws:s3/bucketObject:BucketObject"
	S3BucketObjectv2                            = "aws:s3/bucketObjectv2:BucketObjectv2"
	S3BucketOwnershipControls                   = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	S3BucketPolicy                              = "aws:s3/bucketPolicy:BucketPolicy"
	S3BucketPublicAccessBlock                   = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	S3BucketServerSideEncryptionConfigurationV2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	S3BucketV2                                  = "aws:s3/bucketV2:BucketV2"
	S3BucketVersioning                          = "aws:s3/bucketVersioning:BucketVersioning"
	S3BucketVersioningV2                        = "aws:s3/bucketVersioningV2:BucketVersioningV2"

	SecretsmanagerSecret         = "aws:secretsmanager/secret:Secret"
	SecretsmanagerSecretPolicy   = "aws:secretsmanager/secretPolicy:SecretPolicy"
	SecretsmanagerSecretRotation = "aws:secretsmanager/secretRotation:SecretRotation"
	SecretsmanagerSecretVersion  = "aws:secretsmanager/secretVersion:SecretVersion"

	SchedulerSchedule = "aws:scheduler/schedule:Schedule"

	SnsTopic             = "aws:sns/topic:Topic"
	SnsTopicPolicy       = "aws:sns/topicPolicy:TopicPolicy"
	SnsTopicSubscription = "aws:sns/topicSubscription:TopicSubscription"

	SqsQueue = "aws:sqs/queue:Queue"

	SsmParameter = "aws:ssm/parameter:Parameter"

	VpcSecurityGroupEgressRule  = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	VpcSecurityGroupIngressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

	Wafv2IpSet                      = "aws:wafv2/ipSet:IpSet"
	Wafv2RuleGroup                  = "aws:wafv2/ruleGroup:RuleGroup"
	Wafv2WebAcl                     = "aws:wafv2/webAcl:WebAcl"
	PricingplanmanagerSubscription  = "aws:pricingplanmanager/subscription:Subscription"
	Wafv2WebAclAssociation          = "aws:wafv2/webAclAssociation:WebAclAssociation"
	Wafv2WebAclLoggingConfiguration = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"

	AwsxEcrImage      = "awsx:ecr:Image"
	AwsxEcrRepository = "awsx:ecr:Repository"

	RandomId       = "random:index/randomId:RandomId"
	RandomPassword = "random:index/randomPassword:RandomPassword"
	RandomString   = "random:index/randomString:RandomString"
)

// Alias sets: the provider spells some resources two ways. aws:alb is a module alias of aws:lb; pulumi-aws v6
// splits the S3 bucket into V2 resources that v7 names without the suffix (and v6 keeps the legacy Bucket);
// the Elasticsearch resources manage the same domains as the OpenSearch ones. A rule, a price or a mock answer keyed on one spelling
// must cover its whole set, or the other spelling slips past it. Each set starts with the spelling the
// components use, which Canonical returns.
var (
	AnyBucket             = []string{S3BucketV2, S3Bucket}
	AnyBucketAcl          = []string{S3BucketAclV2, S3BucketAcl}
	AnyBucketVersioning   = []string{S3BucketVersioningV2, S3BucketVersioning}
	AnyBucketLifecycle    = []string{S3BucketLifecycleConfigurationV2, S3BucketLifecycleConfiguration}
	AnyBucketObject       = []string{S3BucketObjectv2, S3BucketObject}
	AnyLoadBalancer       = []string{LbLoadBalancer, AlbLoadBalancer}
	AnyTargetGroup        = []string{LbTargetGroup, AlbTargetGroup}
	AnyListener           = []string{LbListener, AlbListener}
	AnyListenerRule       = []string{LbListenerRule, AlbListenerRule}
	AnySearchDomain       = []string{OpensearchDomain, ElasticsearchDomain}
	AnySearchDomainPolicy = []string{OpensearchDomainPolicy, ElasticsearchDomainPolicy}
)

// AliasSets are all the alias sets above.
var AliasSets = [][]string{AnyBucket, AnyBucketAcl, AnyBucketVersioning, AnyBucketLifecycle, AnyBucketObject,
	AnyLoadBalancer, AnyTargetGroup, AnyListener, AnyListenerRule, AnySearchDomain, AnySearchDomainPolicy}

var canonical = func() map[string]string {
	m := map[string]string{}
	for _, set := range AliasSets {
		for _, typ := range set[1:] {
			m[typ] = set[0]
		}
	}
	return m
}()

// Canonical returns the first spelling of typ's alias set, or typ when it has no alias, so a table keyed on
// canonical spellings answers for every spelling.
func Canonical(typ string) string {
	if c, ok := canonical[typ]; ok {
		return c
	}
	return typ
}
