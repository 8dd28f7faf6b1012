package policies_test

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/shopstack/shopstack/policies"
)

// obj is a fixture's inputs; values may be resource.PropertyValue (secret, unknown).
type obj = map[string]any

func secret(v any) resource.PropertyValue { return resource.MakeSecret(resource.NewPropertyValue(v)) }

// unknown is a value computed at preview time.
func unknown() resource.PropertyValue { return resource.MakeComputed(resource.NewProperty("")) }

func jsonStr(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// res builds a resource of type typ (the short names below) with inputs in.
func res(typ, name string, in obj) policies.Resource {
	return policies.Resource{
		Type: typ, Name: name,
		URN:          "urn:pulumi:test::shopstack::" + typ + "::" + name,
		Inputs:       resource.NewPropertyMapFromMap(in),
		PropertyDeps: map[string][]string{},
	}
}

// dep records that input prop of r was computed from targets (adds the input
// when absent, so a join fixture only states the join).
func dep(r policies.Resource, prop string, targets ...policies.Resource) policies.Resource {
	out := r
	out.PropertyDeps = map[string][]string{}
	for k, v := range r.PropertyDeps {
		out.PropertyDeps[k] = v
	}
	for _, t := range targets {
		out.PropertyDeps[prop] = append(out.PropertyDeps[prop], t.URN)
	}
	if _, ok := out.Inputs[resource.PropertyKey(prop)]; !ok {
		in := out.Inputs.Copy()
		in[resource.PropertyKey(prop)] = resource.NewProperty(strings.ToLower(prop) + "-of-" + targets[0].Name)
		out.Inputs = in
	}
	return out
}

// Type tokens used by the fixtures.
const (
	tBucket      = "aws:s3/bucketV2:BucketV2"
	tBucketV1    = "aws:s3/bucket:Bucket"
	tPAB         = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tOwnership   = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	tBucketACL   = "aws:s3/bucketAclV2:BucketAclV2"
	tBucketPol   = "aws:s3/bucketPolicy:BucketPolicy"
	tVersioning  = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tLifecycle   = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	tDist        = "aws:cloudfront/distribution:Distribution"
	tRHP         = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
	tVpcOrigin   = "aws:cloudfront/vpcOrigin:VpcOrigin"
	tLB          = "aws:lb/loadBalancer:LoadBalancer"
	tALB         = "aws:alb/loadBalancer:LoadBalancer"
	tListener    = "aws:lb/listener:Listener"
	tTaskDef     = "aws:ecs/taskDefinition:TaskDefinition"
	tService     = "aws:ecs/service:Service"
	tCluster     = "aws:ecs/cluster:Cluster"
	tWebACL      = "aws:wafv2/webAcl:WebAcl"
	tWebACLAssoc = "aws:wafv2/webAclAssociation:WebAclAssociation"
	tWebACLLog   = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	tDB          = "aws:rds/instance:Instance"
	tDBCluster   = "aws:rds/cluster:Cluster"
	tDBClusterIn = "aws:rds/clusterInstance:ClusterInstance"
	tDBParams    = "aws:rds/parameterGroup:ParameterGroup"
	tDBCParams   = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
	tRepl        = "aws:elasticache/replicationGroup:ReplicationGroup"
	tServerless  = "aws:elasticache/serverlessCache:ServerlessCache"
	tCacheNode   = "aws:elasticache/cluster:Cluster"
	tSearch      = "aws:opensearch/domain:Domain"
	tVPC         = "aws:ec2/vpc:Vpc"
	tDefaultSG   = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	tFlowLog     = "aws:ec2/flowLog:FlowLog"
	tSG          = "aws:ec2/securityGroup:SecurityGroup"
	tSGIngress   = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tSGRule      = "aws:ec2/securityGroupRule:SecurityGroupRule"
	tSubnet      = "aws:ec2/subnet:Subnet"
	tRT          = "aws:ec2/routeTable:RouteTable"
	tRTAssoc     = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	tRoute       = "aws:ec2/route:Route"
	tIGW         = "aws:ec2/internetGateway:InternetGateway"
	tInstance    = "aws:ec2/instance:Instance"
	tRole        = "aws:iam/role:Role"
	tRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	tLogGroup    = "aws:cloudwatch/logGroup:LogGroup"
	tLogSource   = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
	tLogDelivery = "aws:cloudwatch/logDelivery:LogDelivery"
	tProvider    = "pulumi:providers:aws"
)

// Shared fixture pieces.
var (
	bucket     = res(tBucket, "media", obj{})
	goodPAB    = dep(res(tPAB, "media-pab", obj{"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}), "bucket", bucket)
	tlsDeny    = obj{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}}}
	oacAllow   = obj{"Effect": "Allow", "Principal": obj{"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": obj{"StringEquals": obj{"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/X"}}}
	goodPolicy = dep(res(tBucketPol, "media-policy", obj{"policy": jsonStr(obj{"Version": "2012-10-17", "Statement": []any{oacAllow, tlsDeny}})}), "bucket", bucket)
	versioning = dep(res(tVersioning, "media-versioning", obj{"versioningConfiguration": obj{"status": "Enabled"}}), "bucket", bucket)

	goodBehavior = obj{"viewerProtocolPolicy": "redirect-to-https", "responseHeadersPolicyId": "rhp-1"}
	goodOrigin   = obj{"originId": "site", "domainName": "b.s3.us-east-1.amazonaws.com", "originAccessControlId": "oac-1"}
	goodRHP      = res(tRHP, "headers", obj{"securityHeadersConfig": obj{
		"strictTransportSecurity": obj{"override": true}, "contentTypeOptions": obj{"override": true},
		"frameOptions": obj{"frameOption": "DENY"}, "referrerPolicy": obj{"referrerPolicy": "same-origin"}}})

	goodContainer = obj{"name": "shop", "user": "65532:65532", "readonlyRootFilesystem": true, "privileged": false,
		"logConfiguration": obj{"logDriver": "awslogs"},
		"environment":      []any{obj{"name": "DB_HOST", "value": "db.internal"}, obj{"name": "DB_SECRET_ARN", "value": "arn:aws:secretsmanager:us-east-1:1:secret:x"}},
		"secrets":          []any{obj{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:x"}}}

	goodDB = obj{"engine": "postgres", "engineVersion": "16.4", "storageEncrypted": true, "backupRetentionPeriod": 7,
		"iamDatabaseAuthenticationEnabled": true, "deletionProtection": true, "manageMasterUserPassword": true,
		"enabledCloudwatchLogsExports": []any{"postgresql"}, "multiAz": true, "instanceClass": "db.t4g.small",
		"monitoringInterval": 60, "monitoringRoleArn": "arn:aws:iam::1:role/rds-monitoring"}

	goodSearch = obj{"encryptAtRest": obj{"enabled": true}, "vpcOptions": obj{"subnetIds": []any{"subnet-1"}},
		"nodeToNodeEncryption": obj{"enabled": true}, "advancedSecurityOptions": obj{"enabled": true},
		"domainEndpointOptions": obj{"enforceHttps": true, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
		"logPublishingOptions":  []any{obj{"logType": "ES_APPLICATION_LOGS"}, obj{"logType": "AUDIT_LOGS"}},
		"clusterConfig": obj{"instanceType": "t3.small.search", "instanceCount": 3, "zoneAwarenessEnabled": true,
			"dedicatedMasterEnabled": true, "dedicatedMasterCount": 3},
		"softwareUpdateOptions": obj{"autoSoftwareUpdateEnabled": true}}

	vpc = res(tVPC, "net", obj{"cidrBlock": "10.0.0.0/16"})

	prod = policies.Settings{Stack: "prod", ProductionGrade: true, RequiredTags: policies.DefaultRequiredTags}
	dev  = policies.Settings{Stack: "dev", RequiredTags: policies.DefaultRequiredTags}
)

// with returns a copy of base with overrides applied; a nil override deletes the key.
func with(base obj, overrides obj) obj {
	out := obj{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range overrides {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func policyDoc(statements ...any) string {
	return jsonStr(obj{"Version": "2012-10-17", "Statement": statements})
}
