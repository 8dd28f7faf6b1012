package pulumimock

import (
	"fmt"

	"github.com/shopstack/shopstack/internal/awstype"
)

// rdsZone is RDS's hosted zone in us-east-1.
const rdsZone = "Z2R2ITUGPM61AM"

// dataKinds: RDS, ElastiCache and OpenSearch.
var dataKinds = map[string]kind{
	awstype.RdsInstance: {name: "identifier", compute: func(f *fill) {
		port := f.num("port", 5432)
		addr := fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", f.name, mockID(f.h, 12), f.region)
		f.arn("rds", "db:"+f.name)
		f.set("address", addr)
		f.set("endpoint", fmt.Sprintf("%s:%d", addr, port))
		f.set("port", float64(port))
		f.set("resourceId", "db-"+mockIDUpper(f.h, 22))
		f.set("hostedZoneId", rdsZone)
		masterSecret(f, "rds!db-"+f.uuid())
	}},
	awstype.RdsCluster: {name: "clusterIdentifier", compute: func(f *fill) {
		port := f.num("port", 5432)
		f.arn("rds", "cluster:"+f.name)
		f.set("endpoint", fmt.Sprintf("%s.cluster-%s.%s.rds.amazonaws.com", f.name, mockID(f.h, 12), f.region))
		f.set("readerEndpoint", fmt.Sprintf("%s.cluster-ro-%s.%s.rds.amazonaws.com", f.name, mockID(f.h, 12), f.region))
		f.set("port", float64(port))
		f.set("clusterResourceId", "cluster-"+mockIDUpper(f.h, 22))
		f.set("hostedZoneId", rdsZone)
		masterSecret(f, "rds!cluster-"+f.uuid())
	}},
	awstype.RdsClusterInstance: {name: "identifier", compute: func(f *fill) {
		f.arn("rds", "db:"+f.name)
		f.set("endpoint", fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", f.name, mockID(f.h, 12), f.region))
		f.set("port", float64(5432))
	}},
	awstype.RdsSubnetGroup:           {name: "name", compute: arnNamed("rds", "subgrp:")},
	awstype.RdsParameterGroup:        {name: "name", compute: arnNamed("rds", "pg:")},
	awstype.RdsClusterParameterGroup: {name: "name", compute: arnNamed("rds", "cluster-pg:")},

	awstype.ElasticacheServerlessCache: {name: "name", compute: func(f *fill) {
		f.arn("elasticache", "serverlesscache:"+f.name)
		addr := fmt.Sprintf("%s-%s.serverless.%s.cache.amazonaws.com", f.name, mockID(f.h, 6), shortRegion(f.region))
		f.set("endpoints", []any{map[string]any{"address": addr, "port": float64(6379)}})
		f.set("readerEndpoints", []any{map[string]any{"address": addr, "port": float64(6380)}})
		f.set("status", "available")
	}},
	awstype.ElasticacheReplicationGroup: {name: "replicationGroupId", compute: func(f *fill) {
		f.arn("elasticache", "replicationgroup:"+f.name)
		host := fmt.Sprintf("%s.%s.%s.cache.amazonaws.com", f.name, mockID(f.h, 6), shortRegion(f.region))
		f.set("primaryEndpointAddress", "master."+host)
		f.set("readerEndpointAddress", "replica."+host)
		f.set("port", float64(f.num("port", 6379)))
	}},
	awstype.ElasticacheCluster:        {name: "clusterId"},
	awstype.ElasticacheSubnetGroup:    {name: "name", compute: arnNamed("elasticache", "subnetgroup:")},
	awstype.ElasticacheParameterGroup: {name: "name", compute: arnNamed("elasticache", "parametergroup:")},
	// An elasticache:Connect grant names the user and its group by ARNs in this form, ending in their ids.
	awstype.ElasticacheUser:      {name: "userId", compute: arnNamed("elasticache", "user:")},
	awstype.ElasticacheUserGroup: {name: "userGroupId", compute: arnNamed("elasticache", "usergroup:")},

	awstype.OpensearchDomain: {name: "domainName", compute: func(f *fill) {
		f.arn("es", "domain/"+f.name)
		f.set("domainId", f.acct+"/"+f.name)
		host := fmt.Sprintf("vpc-%s-%s.%s.es.amazonaws.com", f.name, mockID(f.h, 20), f.region)
		f.set("endpoint", host)
		f.set("dashboardEndpoint", host+"/_dashboards")
	}},
}

// masterSecret adds the RDS-managed master password secret when the program asked for it.
func masterSecret(f *fill, name string) {
	if !f.bool("manageMasterUserPassword") {
		return
	}
	f.set("masterUserSecrets", []any{map[string]any{
		"secretArn":    fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s%s", f.region, f.acct, name, secretSuffix(f.h)),
		"kmsKeyId":     fmt.Sprintf("arn:aws:kms:%s:%s:alias/aws/secretsmanager", f.region, f.acct),
		"secretStatus": "active",
	}})
}
