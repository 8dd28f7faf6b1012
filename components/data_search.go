package components

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/opensearch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SearchArgs configures the search domain.
type SearchArgs struct {
	// Mode is SearchNone (default) or SearchDomain.
	Mode SearchMode
	// InstanceType is the data node type. Default "t3.small.search".
	InstanceType string
	// Instances is the data node count. Default 1.
	Instances int
	// ZoneAwareness spreads nodes over zones; it needs at least 2 nodes and
	// uses min(Instances, SubnetCount, 3) zones. Default false.
	ZoneAwareness bool
	// VolumeGb is each node's gp3 volume. Default 10.
	VolumeGb int
	// EngineVersion is the OpenSearch version. Default "OpenSearch_2.17".
	EngineVersion string
	// MasterRoleArn is the IAM role mapped to the fine-grained access control
	// master user, and the only principal the access policy admits. Default:
	// a new role `<name>-search-access` that principals of this account may
	// assume (give the Api's task role sts:AssumeRole on it).
	MasterRoleArn pulumi.StringInput
	// LogRetentionDays keeps the application and audit logs. Default 30.
	LogRetentionDays int
	// ServiceLinkedRoleExists says the account already holds OpenSearch's service-linked role
	// (AWSServiceRoleForAmazonOpenSearchService), which a domain in a VPC needs: an account holds only one,
	// so creating it again fails. Default false: Data creates it (`<name>-search-service-role`) and the
	// domain waits for it.
	ServiceLinkedRoleExists bool
}

// SearchServiceName is the service OpenSearch's service-linked role is for.
const SearchServiceName = "opensearchservice.amazonaws.com"

func (a *SearchArgs) withDefaults() SearchArgs {
	out := *a
	out.Mode = cmp.Or(out.Mode, SearchNone)
	out.InstanceType = cmp.Or(out.InstanceType, "t3.small.search")
	out.Instances = cmp.Or(out.Instances, 1)
	out.VolumeGb = cmp.Or(out.VolumeGb, 10)
	out.EngineVersion = cmp.Or(out.EngineVersion, "OpenSearch_2.17")
	out.LogRetentionDays = cmp.Or(out.LogRetentionDays, 30)
	return out
}

func (a *DataArgs) validateSearch(e *argErrors) {
	s := a.Search
	if !slices.Contains(SearchModes, s.Mode) {
		e.bad("Search.Mode", "%q is not one of %s", s.Mode, quoted(SearchModes))
	}
	if s.Mode != SearchDomain {
		return
	}
	if !strings.HasSuffix(s.InstanceType, ".search") {
		e.bad("Search.InstanceType", "%q does not end with \".search\"", s.InstanceType)
	}
	if s.Instances < 1 || s.Instances > 80 {
		e.bad("Search.Instances", "%d is out of range [1, 80]", s.Instances)
	}
	if s.ZoneAwareness && s.Instances < 2 {
		e.bad("Search.ZoneAwareness", "zone awareness needs at least 2 nodes, Search.Instances is %d", s.Instances)
	}
	// OpenSearch refuses an odd node count over two zones.
	if s.ZoneAwareness && a.searchZones() == 2 && s.Instances%2 != 0 {
		e.bad("Search.Instances", "%d nodes cannot spread evenly over 2 zones (SubnetCount %d); want an even number, or 3 subnets",
			s.Instances, a.SubnetCount)
	}
	if s.VolumeGb < 10 {
		e.bad("Search.VolumeGb", "%d is below 10 (the gp3 minimum)", s.VolumeGb)
	}
	e.retention("Search.LogRetentionDays", s.LogRetentionDays)
	if a.ProductionGrade && (s.Instances < 2 || !s.ZoneAwareness) {
		rejectInProduction(e, "Search.ZoneAwareness", "a search domain must be zone aware with at least 2 nodes (Instances is %d)", s.Instances)
	}
}

// searchZones is how many zones the search domain spans: 1 without zone
// awareness, else one per node up to the subnets' zones and OpenSearch's 3.
func (a *DataArgs) searchZones() int {
	if !a.Search.ZoneAwareness {
		return 1
	}
	return min(a.Search.Instances, a.SubnetCount, 3)
}

// search creates the OpenSearch domain, the role mapped to its master user (unless the caller names one),
// its log groups and its access policy.
func (d *Data) search(ctx *pulumi.Context, name string, a DataArgs, sg *ec2.SecurityGroup, conn *Connection) error {
	caller, err := aws.GetCallerIdentity(ctx, nil, pulumi.Parent(d))
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	roleArn := a.Search.MasterRoleArn
	if roleArn == nil {
		if roleArn, err = d.searchRole(ctx, name, caller.AccountId); err != nil {
			return err
		}
	}
	logs, err := d.searchLogs(ctx, name, a.Search, caller.AccountId)
	if err != nil {
		return err
	}
	// OpenSearch checks, before it starts, that it may write the logs and manage its network interfaces.
	before := []pulumi.Resource{logs.policy}
	if !a.Search.ServiceLinkedRoleExists {
		role, err := d.searchServiceRole(ctx, name)
		if err != nil {
			return err
		}
		before = append(before, role)
	}
	domain, err := d.searchDomain(ctx, name, a, sg, roleArn, logs, before)
	if err != nil {
		return err
	}
	if err := d.searchAccessPolicy(ctx, name, domain, roleArn); err != nil {
		return err
	}
	d.watched.search, d.watched.account = domain.DomainName, pulumi.String(caller.AccountId).ToStringOutput()
	conn.SearchEndpoint = pulumi.Sprintf("https://%s", domain.Endpoint)
	conn.SearchDomainArn = domain.Arn
	conn.SearchRoleArn = roleArn.ToStringOutput()
	return nil
}

// searchRole is the default master role: principals of this account may assume it.
func (d *Data) searchRole(ctx *pulumi.Context, name, accountID string) (pulumi.StringInput, error) {
	role, err := iam.NewRole(ctx, name+"-search-access", &iam.RoleArgs{
		Description: pulumi.String(name + " search: the OpenSearch master user; assume it to query the domain"),
		AssumeRolePolicy: pulumi.String(mustJSON(map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::" + accountID + ":root"},
				"Action":    "sts:AssumeRole",
			}},
		})),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	return role.Arn, nil
}

// searchServiceRole is OpenSearch's service-linked role, through which it places the domain's network
// interfaces in the VPC; without it the first domain of an account fails to create. It is the account's, not
// this stack's (other domains may use it, and AWS refuses to delete it while one does), so a destroy leaves it.
func (d *Data) searchServiceRole(ctx *pulumi.Context, name string) (*iam.ServiceLinkedRole, error) {
	return iam.NewServiceLinkedRole(ctx, name+"-search-service-role", &iam.ServiceLinkedRoleArgs{
		AwsServiceName: pulumi.String(SearchServiceName),
		Description:    pulumi.String("OpenSearch Service: domains in a VPC (created by " + name + ")"),
	}, pulumi.Parent(d), pulumi.RetainOnDelete(true))
}

// searchLogGroups are the domain's application and audit log groups, and the resource policy that lets
// OpenSearch write to them.
type searchLogGroups struct {
	app, audit *cloudwatch.LogGroup
	policy     *cloudwatch.LogResourcePolicy
}

func (d *Data) searchLogs(ctx *pulumi.Context, name string, s SearchArgs, accountID string) (searchLogGroups, error) {
	group := func(kind string) (*cloudwatch.LogGroup, error) {
		return cloudwatch.NewLogGroup(ctx, name+"-search-"+kind+"-logs", &cloudwatch.LogGroupArgs{
			RetentionInDays: pulumi.Int(s.LogRetentionDays),
		}, pulumi.Parent(d))
	}
	var logs searchLogGroups
	var err error
	if logs.app, err = group("app"); err != nil {
		return logs, err
	}
	if logs.audit, err = group("audit"); err != nil {
		return logs, err
	}
	logs.policy, err = cloudwatch.NewLogResourcePolicy(ctx, name+"-search-logs", &cloudwatch.LogResourcePolicyArgs{
		PolicyName: pulumi.String(stackName(ctx, name, "search-logs", 255)),
		PolicyDocument: pulumi.JSONMarshal(pulumi.All(logs.app.Arn, logs.audit.Arn).ApplyT(func(arns []any) map[string]any {
			return map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": "es.amazonaws.com"},
					"Action":    []string{"logs:CreateLogStream", "logs:PutLogEvents"},
					"Resource":  []string{arns[0].(string) + ":*", arns[1].(string) + ":*"},
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": accountID}},
				}},
			}
		})),
	}, pulumi.Parent(d))
	return logs, err
}

// searchDomain is the domain in the private subnets: encrypted, HTTPS only with TLS 1.2 or later, fine-grained
// access control with roleArn as master user, service software updates installed automatically, and its logs
// published.
func (d *Data) searchDomain(ctx *pulumi.Context, name string, a DataArgs, sg *ec2.SecurityGroup,
	roleArn pulumi.StringInput, logs searchLogGroups, before []pulumi.Resource) (*opensearch.Domain, error) {
	s := a.Search
	zones := a.searchZones()
	subnetIDs := a.SubnetIds.ToStringArrayOutput().ApplyT(func(ids []string) []string {
		return ids[:min(zones, len(ids))]
	}).(pulumi.StringArrayOutput)
	cluster := &opensearch.DomainClusterConfigArgs{
		InstanceType:         pulumi.String(s.InstanceType),
		InstanceCount:        pulumi.Int(s.Instances),
		ZoneAwarenessEnabled: pulumi.Bool(s.ZoneAwareness),
	}
	if s.ZoneAwareness {
		cluster.ZoneAwarenessConfig = &opensearch.DomainClusterConfigZoneAwarenessConfigArgs{
			AvailabilityZoneCount: pulumi.Int(zones),
		}
	}
	return opensearch.NewDomain(ctx, name+"-search", &opensearch.DomainArgs{
		EngineVersion: pulumi.String(s.EngineVersion),
		ClusterConfig: cluster,
		EbsOptions: &opensearch.DomainEbsOptionsArgs{
			EbsEnabled: pulumi.Bool(true),
			VolumeSize: pulumi.Int(s.VolumeGb),
			VolumeType: pulumi.String("gp3"),
		},
		EncryptAtRest:        &opensearch.DomainEncryptAtRestArgs{Enabled: pulumi.Bool(true), KmsKeyId: a.KmsKeyArn},
		NodeToNodeEncryption: &opensearch.DomainNodeToNodeEncryptionArgs{Enabled: pulumi.Bool(true)},
		DomainEndpointOptions: &opensearch.DomainDomainEndpointOptionsArgs{
			EnforceHttps:      pulumi.Bool(true),
			TlsSecurityPolicy: pulumi.String("Policy-Min-TLS-1-2-PFS-2023-10"),
		},
		AdvancedSecurityOptions: &opensearch.DomainAdvancedSecurityOptionsArgs{
			Enabled:                     pulumi.Bool(true),
			AnonymousAuthEnabled:        pulumi.Bool(false),
			InternalUserDatabaseEnabled: pulumi.Bool(false),
			MasterUserOptions:           &opensearch.DomainAdvancedSecurityOptionsMasterUserOptionsArgs{MasterUserArn: roleArn},
		},
		VpcOptions: &opensearch.DomainVpcOptionsArgs{
			SubnetIds:        subnetIDs,
			SecurityGroupIds: pulumi.StringArray{sg.ID()},
		},
		// Service software updates carry the platform's security fixes; AWS installs them in the domain's
		// off-peak window (on by default for new domains), instead of waiting for someone to start them.
		SoftwareUpdateOptions: &opensearch.DomainSoftwareUpdateOptionsArgs{AutoSoftwareUpdateEnabled: pulumi.Bool(true)},
		LogPublishingOptions: opensearch.DomainLogPublishingOptionArray{
			&opensearch.DomainLogPublishingOptionArgs{LogType: pulumi.String("ES_APPLICATION_LOGS"), CloudwatchLogGroupArn: logs.app.Arn},
			&opensearch.DomainLogPublishingOptionArgs{LogType: pulumi.String("AUDIT_LOGS"), CloudwatchLogGroupArn: logs.audit.Arn},
		},
	}, pulumi.Parent(d), pulumi.DependsOn(before))
}

// searchAccessPolicy admits only roleArn. It is its own resource because it names the domain's ARN.
func (d *Data) searchAccessPolicy(ctx *pulumi.Context, name string, domain *opensearch.Domain, roleArn pulumi.StringInput) error {
	_, err := opensearch.NewDomainPolicy(ctx, name+"-search-policy", &opensearch.DomainPolicyArgs{
		DomainName: domain.DomainName,
		AccessPolicies: pulumi.JSONMarshal(pulumi.All(roleArn, domain.Arn).ApplyT(func(v []any) map[string]any {
			return map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"AWS": v[0].(string)},
					"Action":    "es:ESHttp*",
					"Resource":  v[1].(string) + "/*",
				}},
			}
		})),
	}, pulumi.Parent(d))
	return err
}
