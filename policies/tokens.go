package policies

// Type token sets. Aliases and renamed resources are listed together so a rule
// cannot be bypassed by picking the other spelling.
var (
	tBucket             = Tokens{"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}
	tBucketPAB          = Tokens{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"}
	tBucketOwnership    = Tokens{"aws:s3/bucketOwnershipControls:BucketOwnershipControls"}
	tBucketACL          = Tokens{"aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl"}
	tBucketPolicy       = Tokens{"aws:s3/bucketPolicy:BucketPolicy"}
	tBucketVersioning   = Tokens{"aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketVersioning:BucketVersioning"}
	tBucketLifecycle    = Tokens{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"}
	tDistribution       = Tokens{"aws:cloudfront/distribution:Distribution"}
	tRespHeadersPolicy  = Tokens{"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"}
	tVpcOrigin          = Tokens{"aws:cloudfront/vpcOrigin:VpcOrigin"}
	tLoadBalancer       = Tokens{"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
	tListener           = Tokens{"aws:lb/listener:Listener", "aws:alb/listener:Listener"}
	tTaskDefinition     = Tokens{"aws:ecs/taskDefinition:TaskDefinition"}
	tECSService         = Tokens{"aws:ecs/service:Service"}
	tECSCluster         = Tokens{"aws:ecs/cluster:Cluster"}
	tWebACL             = Tokens{"aws:wafv2/webAcl:WebAcl"}
	tWebACLAssociation  = Tokens{"aws:wafv2/webAclAssociation:WebAclAssociation"}
	tWebACLLogging      = Tokens{"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"}
	tDBInstance         = Tokens{"aws:rds/instance:Instance"}
	tDBCluster          = Tokens{"aws:rds/cluster:Cluster"}
	tDBClusterInstance  = Tokens{"aws:rds/clusterInstance:ClusterInstance"}
	tDBParamGroup       = Tokens{"aws:rds/parameterGroup:ParameterGroup"}
	tDBClusterParamGrp  = Tokens{"aws:rds/clusterParameterGroup:ClusterParameterGroup"}
	tCacheReplGroup     = Tokens{"aws:elasticache/replicationGroup:ReplicationGroup"}
	tCacheServerless    = Tokens{"aws:elasticache/serverlessCache:ServerlessCache"}
	tCacheCluster       = Tokens{"aws:elasticache/cluster:Cluster"}
	tSearchDomain       = Tokens{"aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"}
	tSearchDomainPolicy = Tokens{"aws:opensearch/domainPolicy:DomainPolicy", "aws:elasticsearch/domainPolicy:DomainPolicy"}
	tVPC                = Tokens{"aws:ec2/vpc:Vpc"}
	tDefaultSG          = Tokens{"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}
	tFlowLog            = Tokens{"aws:ec2/flowLog:FlowLog"}
	tSecurityGroup      = Tokens{"aws:ec2/securityGroup:SecurityGroup"}
	tSGRule             = Tokens{"aws:ec2/securityGroupRule:SecurityGroupRule"}
	tSGIngressRule      = Tokens{"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"}
	tSubnet             = Tokens{"aws:ec2/subnet:Subnet"}
	tRoute              = Tokens{"aws:ec2/route:Route"}
	tRouteTableAssoc    = Tokens{"aws:ec2/routeTableAssociation:RouteTableAssociation"}
	tInternetGateway    = Tokens{"aws:ec2/internetGateway:InternetGateway"}
	tEC2Instance        = Tokens{"aws:ec2/instance:Instance"}
	tIAMPolicyDocs      = Tokens{"aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"}
	tIAMRole            = Tokens{"aws:iam/role:Role"}
	tIAMAttachments     = Tokens{"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"}
	tLogGroup           = Tokens{"aws:cloudwatch/logGroup:LogGroup"}
	tLogDeliverySource  = Tokens{"aws:cloudwatch/logDeliverySource:LogDeliverySource"}
	tLogDelivery        = Tokens{"aws:cloudwatch/logDelivery:LogDelivery"}
	tMetricAlarm        = Tokens{"aws:cloudwatch/metricAlarm:MetricAlarm"}
	tSNSTopic           = Tokens{"aws:sns/topic:Topic"}
	tBudget             = Tokens{"aws:budgets/budget:Budget"}
)

// taggable are the resource types the stacks create that accept tags; a type
// with a "tags" input is taggable too.
var taggable = Tokens{
	"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
	"aws:cloudfront/distribution:Distribution",
	"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
	"aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup",
	"aws:lb/listener:Listener", "aws:alb/listener:Listener",
	"aws:ecs/cluster:Cluster", "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition",
	"aws:wafv2/webAcl:WebAcl",
	"aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance",
	"aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup",
	"aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/serverlessCache:ServerlessCache",
	"aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/cluster:Cluster",
	"aws:opensearch/domain:Domain",
	"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/routeTable:RouteTable", "aws:ec2/instance:Instance",
	"aws:ec2/flowLog:FlowLog", "aws:ec2/vpcEndpoint:VpcEndpoint",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:iam/role:Role", "aws:iam/policy:Policy",
	"aws:secretsmanager/secret:Secret", "aws:kms/key:Key",
	"aws:ecr/repository:Repository", "aws:acm/certificate:Certificate", "aws:route53/zone:Zone",
}
