package policies

import (
	"slices"
	"strconv"
	"strings"
)

var dbTypes = append(append(Tokens{}, tDBInstance...), tDBCluster...)

var rdsEncrypted = &Rule{
	ID:        "rds-storage-encrypted",
	Title:     "Databases encrypt their storage",
	Rationale: "Encryption at rest covers the volumes, snapshots and backups; it cannot be turned on later without a copy.",
	Control:   "RDS.3",
	Level:     Mandatory,
	Types:     dbTypes,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "storageEncrypted", true, false, "storage is not encrypted")
	},
}

var rdsNotPublic = &Rule{
	ID:        "rds-not-public",
	Title:     "Database instances are not publicly accessible",
	Rationale: "A public endpoint puts the database one leaked password away from the internet.",
	Control:   "RDS.2",
	Level:     Mandatory,
	Types:     append(append(Tokens{}, tDBInstance...), tDBClusterInstance...),
	Check: func(c *Check, r Resource) {
		c.Bool(r, "publiclyAccessible", false, false, "the database has a public endpoint")
	},
}

var rdsBackups = &Rule{
	ID:    "rds-backup-retention",
	Title: "Databases keep automated backups: at least 1 day everywhere, at least 7 days in production-grade stacks",
	Rationale: "A short window loses the ability to restore from a problem noticed after a weekend; " +
		"a cost-minimal stack may keep one day but never none.",
	Control: "RDS.11",
	Level:   Mandatory,
	Types:   dbTypes,
	Check: func(c *Check, r Resource) {
		v := r.Get("backupRetentionPeriod")
		n, ok := v.Num()
		switch v.State {
		case Unknown:
			c.Unknown(r, "backupRetentionPeriod")
			return
		case Absent:
			n, ok = 1, true // the AWS default
		}
		switch {
		case !ok:
			c.Fail(r, "backupRetentionPeriod is not a number")
		case n < 1:
			c.Fail(r, "backupRetentionPeriod is %v: automated backups are off", n)
		case n < 7 && c.Settings.ProductionGrade:
			c.Fail(r, "backupRetentionPeriod is %v day(s) in a production-grade stack, want at least 7", n)
		case n < 7:
			c.Advise(r, "backupRetentionPeriod is %v day(s), below the 7 of RDS.11", n)
		}
	},
}

var rdsIAMAuth = &Rule{
	ID:        "rds-iam-auth",
	Title:     "Databases accept IAM authentication",
	Rationale: "Short-lived IAM tokens replace long-lived database passwords for services and people.",
	Control:   "RDS.10",
	Level:     Mandatory,
	Types:     dbTypes,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "iamDatabaseAuthenticationEnabled", true, false, "IAM database authentication is off")
	},
}

var rdsDeletionProtection = &Rule{
	ID:             "rds-deletion-protection",
	Title:          "Databases in production-grade stacks have deletion protection",
	Rationale:      "One mistaken `pulumi destroy` or replacement must not delete the shop's data.",
	Control:        "RDS.8",
	Level:          Mandatory,
	ProductionOnly: true,
	Types:          dbTypes,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "deletionProtection", true, false, "the database can be deleted")
	},
}

var rdsManagedPassword = &Rule{
	ID:        "rds-no-plain-password",
	Title:     "Database master passwords are never plain values",
	Rationale: "A plain password input is stored readable in the Pulumi state and plan; let RDS manage it in Secrets Manager.",
	Level:     Mandatory,
	Types:     dbTypes,
	Check: func(c *Check, r Resource) {
		for _, p := range []string{"password", "masterPassword"} {
			if v := r.Get(p); v.State != Absent && !v.Secret {
				c.Fail(r, "%s is a plain value; use manageMasterUserPassword or a Pulumi secret", p)
			}
		}
	},
}

var rdsLogExports = &Rule{
	ID:        "rds-log-exports",
	Title:     "PostgreSQL logs are exported to CloudWatch",
	Rationale: "Connection and error logs are needed to investigate incidents and slow queries.",
	Control:   "RDS.9",
	Level:     Advisory,
	Types:     dbTypes,
	Check: func(c *Check, r Resource) {
		logs, unknown := r.Get("enabledCloudwatchLogsExports").Strings()
		if unknown {
			c.Unknown(r, "enabledCloudwatchLogsExports")
			return
		}
		for _, l := range logs {
			if l == "postgresql" {
				return
			}
		}
		c.Fail(r, "enabledCloudwatchLogsExports does not include postgresql")
	},
}

var rdsMultiAZ = &Rule{
	ID:             "rds-multi-az",
	Title:          "Databases in production-grade stacks survive the loss of an availability zone",
	Rationale:      "A single-AZ database is down for the whole AZ outage; Multi-AZ or an Aurora reader fails over.",
	Control:        "RDS.5",
	Level:          Mandatory,
	ProductionOnly: true,
	CheckStack: func(c *Check, s *Stack) {
		for _, db := range s.Of(tDBInstance) {
			c.Bool(db, "multiAz", true, false, "single-AZ database")
		}
		for _, cl := range s.Of(tDBCluster) {
			if n := len(s.Referencing(cl, tDBClusterInstance, "clusterIdentifier")); n < 2 {
				c.Fail(cl, "the cluster has %d instance(s); a reader in another AZ is needed for failover", n)
			}
		}
	},
}

// enhancedMonitoringIntervals are the seconds RDS accepts between Enhanced Monitoring samples (0 turns it off).
var enhancedMonitoringIntervals = []float64{1, 5, 10, 15, 30, 60}

// rdsEnhancedMonitoring is mandatory only in production-grade stacks because it costs money there is no need to
// spend in a cost-minimal one: the OS metrics are billed as CloudWatch Logs ingestion, they need an IAM role for RDS
// to publish with, and on an Aurora Serverless v2 instance (dev scales to zero) the monitoring agent is one of the
// features AWS lists as able to hold capacity above the minimum.
var rdsEnhancedMonitoring = &Rule{
	ID:    "rds-enhanced-monitoring",
	Title: "Database instances in production-grade stacks have Enhanced Monitoring",
	Rationale: "Per-process CPU, memory and I/O from the instance's own OS show what the hypervisor metrics cannot, " +
		"when a slow query or a noisy neighbour has to be told apart.",
	Control:        "RDS.6",
	Level:          Mandatory,
	ProductionOnly: true,
	Types:          append(append(Tokens{}, tDBInstance...), tDBClusterInstance...),
	Check: func(c *Check, r Resource) {
		v := r.Get("monitoringInterval")
		n, ok := v.Num()
		switch {
		case v.State == Unknown:
			c.Unknown(r, "monitoringInterval")
			return
		case v.State == Absent || (ok && n == 0):
			c.Fail(r, "monitoringInterval is not set (or 0): Enhanced Monitoring is off")
			return
		case !ok:
			c.Fail(r, "monitoringInterval is not a number")
			return
		case !slices.Contains(enhancedMonitoringIntervals, n):
			c.Fail(r, "monitoringInterval is %v, not one of %v seconds", n, enhancedMonitoringIntervals)
			return
		}
		// An unknown ARN is a role of this stack not created yet: the role is there.
		if r.Get("monitoringRoleArn").State == Absent {
			c.Fail(r, "monitoringRoleArn is not set: RDS needs a role to publish the metrics to CloudWatch Logs")
		}
	},
}

var rdsForceSSL = &Rule{
	ID:        "rds-force-ssl",
	Title:     "PostgreSQL databases reject connections without TLS",
	Rationale: "Without rds.force_ssl=1 a misconfigured client sends credentials and data in clear text inside the VPC.",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		check := func(db Resource, paramProp string, groups Tokens, defaultOn func(Resource) bool) {
			if e, _ := db.Get("engine").Str(); !strings.Contains(e, "postgres") {
				return
			}
			pgs := s.Deps(db, paramProp)
			found := false
			for _, pg := range pgs {
				if !groups.Has(pg.Type) {
					continue
				}
				found = true
				ps := pg.Get("parameters")
				if ps.State == Unknown {
					c.Unknown(pg, "parameters")
					continue
				}
				on := false
				for _, p := range ps.Items() {
					n, _ := p.Field("name").Str()
					v, _ := p.Field("value").Str()
					if n == "rds.force_ssl" {
						on = v == "1"
					}
				}
				if !on {
					c.Fail(pg, "parameter rds.force_ssl is not 1")
				}
			}
			if !found && !defaultOn(db) {
				c.Fail(db, "%s does not name a parameter group of this stack setting rds.force_ssl=1", paramProp)
			}
		}
		for _, db := range s.Of(tDBInstance) {
			// RDS for PostgreSQL 15 and later defaults rds.force_ssl to 1.
			check(db, "parameterGroupName", tDBParamGroup, func(r Resource) bool {
				v, _ := r.Get("engineVersion").Str()
				major, err := strconv.Atoi(strings.Split(v, ".")[0])
				return err == nil && major >= 15
			})
		}
		for _, cl := range s.Of(tDBCluster) {
			check(cl, "dbClusterParameterGroupName", tDBClusterParamGrp, func(Resource) bool { return false })
		}
	},
}

var cacheAtRest = &Rule{
	ID:        "elasticache-at-rest-encryption",
	Title:     "Cache replication groups encrypt data at rest",
	Rationale: "Snapshots and swap hold session and cart data.",
	Control:   "ElastiCache.4",
	Level:     Mandatory,
	Types:     tCacheReplGroup,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "atRestEncryptionEnabled", true, false, "data at rest is not encrypted")
	},
}

var cacheInTransit = &Rule{
	ID:        "elasticache-in-transit-encryption",
	Title:     "Cache replication groups and cache clusters require TLS",
	Rationale: "Without TLS the auth token and cached data cross the VPC in clear text.",
	Control:   "ElastiCache.5",
	Level:     Mandatory,
	Types:     append(append(Tokens{}, tCacheReplGroup...), tCacheCluster...),
	Check: func(c *Check, r Resource) {
		c.Bool(r, "transitEncryptionEnabled", true, false, "traffic is not encrypted")
	},
}

var cacheAuth = &Rule{
	ID:        "elasticache-auth",
	Title:     "Caches require authentication, with the token kept secret",
	Rationale: "Security groups are the only barrier otherwise; a plain token would sit readable in state.",
	Control:   "ElastiCache.6",
	Level:     Mandatory,
	Types:     append(append(append(Tokens{}, tCacheReplGroup...), tCacheServerless...), tCacheCluster...),
	Check: func(c *Check, r Resource) {
		if tCacheCluster.Has(r.Type) {
			// aws:elasticache/cluster takes neither authToken nor user groups: any client that reaches it connects.
			c.Fail(r, "a standalone cache cluster cannot require authentication; use a replication group or a serverless cache")
			return
		}
		if tCacheServerless.Has(r.Type) {
			if r.Get("userGroupId").State == Absent {
				c.Advise(r, "no userGroupId: any client that reaches the endpoint can connect (network access only)")
			}
			return
		}
		tok := r.Get("authToken")
		switch {
		case tok.State == Absent && r.Get("userGroupIds").State == Absent:
			c.Fail(r, "neither authToken nor userGroupIds is set")
		case tok.State != Absent && !tok.Secret:
			c.Fail(r, "authToken is a plain value; pass it as a Pulumi secret")
		}
	},
}

var cacheBackups = &Rule{
	ID:             "elasticache-backups",
	Title:          "Caches in production-grade stacks keep automatic snapshots",
	Rationale:      "A restore point for the cache avoids a cold start and lost sessions after a failure.",
	Control:        "ElastiCache.1",
	Level:          Mandatory,
	ProductionOnly: true,
	Types:          append(append(Tokens{}, tCacheReplGroup...), tCacheServerless...),
	Check: func(c *Check, r Resource) {
		v := r.Get("snapshotRetentionLimit")
		n, _ := v.Num()
		switch {
		case v.State == Unknown:
			c.Unknown(r, "snapshotRetentionLimit")
		case n < 1:
			c.Fail(r, "snapshotRetentionLimit is %v (AWS default 0: no snapshots)", n)
		}
	},
}

var cacheFailover = &Rule{
	ID:             "elasticache-automatic-failover",
	Title:          "Cache replication groups in production-grade stacks fail over automatically",
	Rationale:      "Without it a primary failure needs a human to promote a replica.",
	Control:        "ElastiCache.3",
	Level:          Mandatory,
	ProductionOnly: true,
	Types:          tCacheReplGroup,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "automaticFailoverEnabled", true, false, "no automatic failover")
	},
}

// cacheMinorUpgrades is mandatory everywhere: the upgrades are free and land in the maintenance window. Serverless
// caches are not targeted because AWS applies their minor versions itself.
var cacheMinorUpgrades = &Rule{
	ID:        "elasticache-auto-minor-upgrades",
	Title:     "Cache replication groups and cache clusters apply minor engine upgrades automatically",
	Rationale: "Minor engine versions carry security and bug fixes; pinned, they wait for someone to remember them.",
	Control:   "ElastiCache.2",
	Level:     Mandatory,
	Types:     append(append(Tokens{}, tCacheReplGroup...), tCacheCluster...),
	Check: func(c *Check, r Resource) {
		c.Bool(r, "autoMinorVersionUpgrade", true, true, "minor engine upgrades wait for a manual upgrade")
	},
}

// OpenSearch endpoint TLS policies: Opensearch.8 accepts only the forward-secrecy one; the older TLS 1.2 policy is
// advised against rather than failed, since it still refuses TLS 1.0 and 1.1.
const (
	searchTLSPolicyPFS = "Policy-Min-TLS-1-2-PFS-2023-10"
	searchTLSPolicy12  = "Policy-Min-TLS-1-2-2019-07"
)

var searchDomain = []*Rule{
	{
		ID: "opensearch-encryption-at-rest", Title: "OpenSearch domains encrypt data at rest",
		Rationale: "Indexes hold customer and order data.", Control: "Opensearch.1", Level: Mandatory, Types: tSearchDomain,
		Check: func(c *Check, r Resource) {
			c.Bool(r, "encryptAtRest.enabled", true, false, "data at rest is not encrypted")
		},
	},
	{
		ID: "opensearch-in-vpc", Title: "OpenSearch domains live in the VPC",
		Rationale: "A public domain endpoint is reachable from the internet.", Control: "Opensearch.2", Level: Mandatory,
		Types: tSearchDomain,
		Check: func(c *Check, r Resource) {
			ids, unknown := r.Get("vpcOptions.subnetIds").Strings()
			if unknown && len(ids) == 0 {
				c.Unknown(r, "vpcOptions.subnetIds")
			} else if len(ids) == 0 && !unknown {
				c.Fail(r, "no vpcOptions.subnetIds: the domain has a public endpoint")
			}
		},
	},
	{
		ID: "opensearch-node-to-node-encryption", Title: "OpenSearch nodes encrypt traffic between themselves",
		Rationale: "Shard replication carries all indexed data.", Control: "Opensearch.3", Level: Mandatory, Types: tSearchDomain,
		Check: func(c *Check, r Resource) {
			c.Bool(r, "nodeToNodeEncryption.enabled", true, false, "node-to-node traffic is not encrypted")
		},
	},
	{
		ID: "opensearch-fine-grained-access", Title: "OpenSearch domains use fine-grained access control",
		Rationale: "Index- and document-level permissions mapped to IAM roles instead of all-or-nothing.",
		Control:   "Opensearch.7", Level: Mandatory, Types: tSearchDomain,
		Check: func(c *Check, r Resource) {
			c.Bool(r, "advancedSecurityOptions.enabled", true, false, "fine-grained access control is off")
		},
	},
	{
		ID: "opensearch-https-tls12", Title: "OpenSearch domains require HTTPS with TLS 1.2 or newer",
		Rationale: "The default policy accepts TLS 1.0.", Control: "Opensearch.8", Level: Mandatory, Types: tSearchDomain,
		Check: func(c *Check, r Resource) {
			c.Bool(r, "domainEndpointOptions.enforceHttps", true, false, "plain HTTP is accepted")
			v := r.Get("domainEndpointOptions.tlsSecurityPolicy")
			switch s, _ := v.Str(); {
			case v.State == Unknown:
				c.Unknown(r, "domainEndpointOptions.tlsSecurityPolicy")
			case v.State == Absent:
				c.Fail(r, "domainEndpointOptions.tlsSecurityPolicy is not set and AWS defaults it to Policy-Min-TLS-1-0-2019-07")
			case s == searchTLSPolicyPFS:
			case s == searchTLSPolicy12:
				c.Advise(r, "domainEndpointOptions.tlsSecurityPolicy is %q: TLS 1.2 without forward secrecy, and Opensearch.8 accepts only %s",
					s, searchTLSPolicyPFS)
			default:
				c.Fail(r, "domainEndpointOptions.tlsSecurityPolicy is %q, want %s", s, searchTLSPolicyPFS)
			}
		},
	},
	searchLogRule("opensearch-logs", "OpenSearch domains publish error (application) logs",
		"Error logs show failed queries, mapping errors and node trouble.", "Opensearch.4", "ES_APPLICATION_LOGS"),
	searchLogRule("opensearch-audit-logs", "OpenSearch domains publish audit logs",
		"Audit logs record who authenticated and which index they read or changed.", "Opensearch.5", "AUDIT_LOGS"),
	{
		ID: "opensearch-access-policy", Title: "OpenSearch access policies name their principals",
		Rationale: "An Allow for Principal * without a condition lets every network-reachable caller use the domain.",
		Level:     Mandatory, Types: append(append(Tokens{}, tSearchDomain...), tSearchDomainPolicy...),
		Check: func(c *Check, r Resource) {
			v := r.Get("accessPolicies")
			switch v.State {
			case Absent:
				return
			case Unknown:
				c.Unknown(r, "accessPolicies")
				return
			}
			sts, err := parseStatements(v)
			if err != nil {
				c.Fail(r, "accessPolicies: %v", err)
				return
			}
			for i, st := range sts {
				if strings.EqualFold(st.Effect, "Allow") && st.publicPrincipal() && len(st.Condition) == 0 {
					c.Fail(r, "accessPolicies statement %d allows everyone (Principal *) without a condition", i)
				}
			}
		},
	},
	searchDataNodes, searchSoftwareUpdate, searchDedicatedMasters,
}

// searchLogRule requires logPublishingOptions to publish logType (an option without "enabled" counts as on).
func searchLogRule(id, title, rationale, control, logType string) *Rule {
	return &Rule{
		ID: id, Title: title, Rationale: rationale, Control: control, Level: Advisory, Types: tSearchDomain,
		Check: func(c *Check, r Resource) {
			opts := r.Get("logPublishingOptions")
			if opts.State == Unknown {
				c.Unknown(r, "logPublishingOptions")
				return
			}
			for _, o := range opts.Items() {
				t, _ := o.Field("logType").Str()
				if on, ok := o.Field("enabled").Bool(); t == logType && (!ok || on) {
					return
				}
			}
			c.Fail(r, "logPublishingOptions has no %s", logType)
		},
	}
}

// searchDataNodes is advisory in every stack, production-grade ones included. Nothing in the shop needs the domain
// to be correct (the app reads no search endpoint yet, and the house style puts search behind an interface with a
// PostgreSQL default), so an outage costs speed, not orders. And three data nodes over the prod stack's two zones
// means four (zone awareness over two zones wants an even count): about $55 a month more, which would take prod
// past its $250 budget (its estimate is in plan/testdata/plan.prod.json).
var searchDataNodes = &Rule{
	ID:    "opensearch-data-nodes",
	Title: "OpenSearch domains run at least three data nodes with zone awareness",
	Rationale: "With one or two master-eligible nodes the domain loses its quorum when a node fails; " +
		"without zone awareness a replica may sit in the same zone as its primary.",
	Control: "Opensearch.6",
	Level:   Advisory,
	Types:   tSearchDomain,
	Check: func(c *Check, r Resource) {
		v := r.Get("clusterConfig.instanceCount")
		n, ok := v.Num()
		switch {
		case v.State == Unknown:
			c.Unknown(r, "clusterConfig.instanceCount")
		case v.State == Absent:
			c.Fail(r, "clusterConfig.instanceCount is not set and AWS defaults it to 1 data node")
		case !ok:
			c.Fail(r, "clusterConfig.instanceCount is not a number")
		case n < 3:
			c.Fail(r, "clusterConfig.instanceCount is %v: fewer than three data nodes lose their quorum when one fails", n)
		}
		c.Bool(r, "clusterConfig.zoneAwarenessEnabled", true, false, "shards are not spread over zones")
	},
}

// searchDedicatedMasters is advisory everywhere, for the reasons of searchDataNodes and because its remedy costs
// three more instances (at least $79 a month at t3.small.search, more at the classes AWS recommends for
// masters); once opensearch-data-nodes holds, the data nodes keep a quorum without them.
var searchDedicatedMasters = &Rule{
	ID:    "opensearch-dedicated-masters",
	Title: "OpenSearch domains have at least three dedicated master nodes",
	Rationale: "Dedicated masters keep cluster management (elections, shard allocation) responsive while the " +
		"data nodes are busy indexing or searching.",
	Control: "Opensearch.11",
	Level:   Advisory,
	Types:   tSearchDomain,
	Check: func(c *Check, r Resource) {
		on := r.Get("clusterConfig.dedicatedMasterEnabled")
		if b, _ := on.Bool(); on.State != Unknown && !b {
			c.Fail(r, "clusterConfig.dedicatedMasterEnabled is not true: the data nodes also act as masters")
			return
		}
		v := r.Get("clusterConfig.dedicatedMasterCount")
		n, _ := v.Num()
		switch {
		case on.State == Unknown || v.State == Unknown:
			c.Unknown(r, "clusterConfig.dedicatedMasterEnabled/dedicatedMasterCount")
		case v.State == Absent:
			c.Fail(r, "clusterConfig.dedicatedMasterCount is not set")
		case n < 3:
			c.Fail(r, "clusterConfig.dedicatedMasterCount is %v, want at least 3", n)
		}
	},
}

// searchSoftwareUpdate is the plan-time side of Opensearch.10, which fails a domain while a service software
// update is available and not installed: a plan cannot see pending updates, but it can require that the domain
// installs them itself, in its off-peak window. Mandatory everywhere: it costs nothing, and a required update left
// uninstalled for 30 days gets the domain isolated.
var searchSoftwareUpdate = &Rule{
	ID:        "opensearch-auto-software-update",
	Title:     "OpenSearch domains install service software updates automatically",
	Rationale: "Service software updates carry the platform's security fixes; waiting for a person to start them leaves the domain unpatched.",
	Control:   "Opensearch.10",
	Level:     Mandatory,
	Types:     tSearchDomain,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "softwareUpdateOptions.autoSoftwareUpdateEnabled", true, false, "service software updates wait for a manual start")
	},
}

var statefulProtect = &Rule{
	ID:    "stateful-protect",
	Title: "Stateful resources in production-grade stacks are protected (databases, caches, search domains, versioned buckets)",
	Rationale: "Pulumi's protect option refuses a delete or a replacement, so a refactor cannot destroy data; " +
		"deletion protection on the AWS side does not cover buckets or caches.",
	Level:          Mandatory,
	ProductionOnly: true,
	CheckStack: func(c *Check, s *Stack) {
		stateful := append(append(append(append(append(Tokens{}, dbTypes...), tCacheReplGroup...), tCacheServerless...),
			tCacheCluster...), tSearchDomain...)
		for _, r := range s.Of(stateful) {
			if !r.Protect {
				c.Fail(r, "not protected: `pulumi up` may delete or replace it")
			}
		}
		for _, b := range s.Of(tBucket) {
			if versioned, _ := bucketVersioned(s, b); versioned && !b.Protect {
				c.Fail(b, "versioned bucket is not protected: `pulumi up` may delete it")
			}
		}
	},
}
