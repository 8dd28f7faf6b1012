package policies

import "github.com/shopstack/shopstack/internal/awstype"

// Type token sets. A resource the provider spells two ways is one awstype alias set, so a rule cannot be
// bypassed by picking the other spelling.
var (
	tBucket             = Tokens(awstype.AnyBucket)
	tBucketPAB          = Tokens{awstype.S3BucketPublicAccessBlock}
	tBucketOwnership    = Tokens{awstype.S3BucketOwnershipControls}
	tBucketACL          = Tokens(awstype.AnyBucketAcl)
	tBucketPolicy       = Tokens{awstype.S3BucketPolicy}
	tBucketVersioning   = Tokens(awstype.AnyBucketVersioning)
	tBucketLifecycle    = Tokens(awstype.AnyBucketLifecycle)
	tDistribution       = Tokens{awstype.CloudfrontDistribution}
	tRespHeadersPolicy  = Tokens{awstype.CloudfrontResponseHeadersPolicy}
	tVpcOrigin          = Tokens{awstype.CloudfrontVpcOrigin}
	tLoadBalancer       = Tokens(awstype.AnyLoadBalancer)
	tListener           = Tokens(awstype.AnyListener)
	tTaskDefinition     = Tokens{awstype.EcsTaskDefinition}
	tECSService         = Tokens{awstype.EcsService}
	tECSCluster         = Tokens{awstype.EcsCluster}
	tWebACL             = Tokens{awstype.Wafv2WebAcl}
	tWebACLAssociation  = Tokens{awstype.Wafv2WebAclAssociation}
	tWebACLLogging      = Tokens{awstype.Wafv2WebAclLoggingConfiguration}
	tDBInstance         = Tokens{awstype.RdsInstance}
	tDBCluster          = Tokens{awstype.RdsCluster}
	tDBClusterInstance  = Tokens{awstype.RdsClusterInstance}
	tDBParamGroup       = Tokens{awstype.RdsParameterGroup}
	tDBClusterParamGrp  = Tokens{awstype.RdsClusterParameterGroup}
	tCacheReplGroup     = Tokens{awstype.ElasticacheReplicationGroup}
	tCacheServerless    = Tokens{awstype.ElasticacheServerlessCache}
	tCacheCluster       = Tokens{awstype.ElasticacheCluster}
	tSearchDomain       = Tokens(awstype.AnySearchDomain)
	tSearchDomainPolicy = Tokens(awstype.AnySearchDomainPolicy)
	tVPC                = Tokens{awstype.Ec2Vpc}
	tDefaultSG          = Tokens{awstype.Ec2DefaultSecurityGroup}
	tFlowLog            = Tokens{awstype.Ec2FlowLog}
	tSecurityGroup      = Tokens{awstype.Ec2SecurityGroup}
	tSGRule             = Tokens{awstype.Ec2SecurityGroupRule}
	tSGIngressRule      = Tokens{awstype.VpcSecurityGroupIngressRule}
	tSubnet             = Tokens{awstype.Ec2Subnet}
	tRoute              = Tokens{awstype.Ec2Route}
	tRouteTableAssoc    = Tokens{awstype.Ec2RouteTableAssociation}
	tInternetGateway    = Tokens{awstype.Ec2InternetGateway}
	tEC2Instance        = Tokens{awstype.Ec2Instance}
	tIAMPolicyDocs      = Tokens{awstype.IamPolicy, awstype.IamRolePolicy, awstype.IamUserPolicy, awstype.IamGroupPolicy}
	tIAMRole            = Tokens{awstype.IamRole}
	tIAMAttachments     = Tokens{awstype.IamRolePolicyAttachment, awstype.IamPolicyAttachment, awstype.IamUserPolicyAttachment, awstype.IamGroupPolicyAttachment}
	tLogGroup           = Tokens{awstype.CloudwatchLogGroup}
	tLogDeliverySource  = Tokens{awstype.CloudwatchLogDeliverySource}
	tLogDelivery        = Tokens{awstype.CloudwatchLogDelivery}
	tMetricAlarm        = Tokens{awstype.CloudwatchMetricAlarm}
	tSNSTopic           = Tokens{awstype.SnsTopic}
	tBudget             = Tokens{awstype.BudgetsBudget}
	tSecret             = Tokens{awstype.SecretsmanagerSecret}
	tSecretRotation     = Tokens{awstype.SecretsmanagerSecretRotation}
	tEventRule          = Tokens{awstype.CloudwatchEventRule}
	tEventTarget        = Tokens{awstype.CloudwatchEventTarget}
	tECRLifecyclePolicy = Tokens{awstype.EcrLifecyclePolicy}
	// awsx:ecr:Repository is a component: under the recording mock (and in a plan) the stacks show only it,
	// while a real engine also registers its aws:ecr children, so both spellings are rule targets.
	tECRRepository     = Tokens{awstype.EcrRepository, awstype.AwsxEcrRepository}
	tAwsxECRRepository = Tokens{awstype.AwsxEcrRepository}
	tAwsECRRepository  = Tokens{awstype.EcrRepository}
)

// taggable are the resource types the stacks create that accept tags; a type
// with a "tags" input is taggable too.
var taggable = join(
	awstype.AnyBucket, []string{awstype.CloudfrontDistribution},
	awstype.AnyLoadBalancer, awstype.AnyTargetGroup, awstype.AnyListener,
	[]string{awstype.EcsCluster, awstype.EcsService, awstype.EcsTaskDefinition,
		awstype.Wafv2WebAcl,
		awstype.RdsInstance, awstype.RdsCluster, awstype.RdsClusterInstance,
		awstype.RdsSubnetGroup, awstype.RdsParameterGroup, awstype.RdsClusterParameterGroup,
		awstype.ElasticacheReplicationGroup, awstype.ElasticacheServerlessCache,
		awstype.ElasticacheSubnetGroup, awstype.ElasticacheCluster,
		awstype.OpensearchDomain,
		awstype.Ec2Vpc, awstype.Ec2Subnet, awstype.Ec2SecurityGroup, awstype.Ec2InternetGateway,
		awstype.Ec2NatGateway, awstype.Ec2Eip, awstype.Ec2RouteTable, awstype.Ec2Instance,
		awstype.Ec2FlowLog, awstype.Ec2VpcEndpoint,
		awstype.CloudwatchLogGroup,
		awstype.IamRole, awstype.IamPolicy,
		awstype.SecretsmanagerSecret, awstype.KmsKey,
		awstype.EcrRepository, awstype.AcmCertificate, awstype.Route53Zone},
)

// join is the union of token lists, as one new set.
func join(sets ...[]string) Tokens {
	var out Tokens
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}
