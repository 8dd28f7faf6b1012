package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/components"
)

func TestApiSecurityGroups(t *testing.T) {
	t.Parallel()
	t.Run("defaults: only CloudFront reaches the load balancer; only the load balancer reaches the tasks", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, baseApiArgs()).rec
		lbSG := rec.Must(t, rtSG, "api-lb-sg")
		taskSG := rec.Must(t, rtSG, "api-task-sg")
		assert.Equal(t, "vpc-123", lbSG.Str("vpcId"))
		assert.Empty(t, lbSG.Plain("ingress"), "no inline rules")
		assert.Empty(t, taskSG.Plain("ingress"), "no inline rules")
		for _, res := range rec.ByType(rtIngress) {
			assert.False(t, res.Has("cidrIpv4"), "%s: nothing admitted by address", res.Name)
			assert.False(t, res.Has("cidrIpv6"), "%s: nothing admitted by address", res.Name)
		}
		cf := rec.Must(t, rtIngress, "api-lb-in-cloudfront-80")
		assert.Equal(t, lbSG.ID, cf.Str("securityGroupId"))
		assert.Equal(t, "pl-3b927c52", cf.Str("prefixListId"), "CloudFront origin-facing prefix list")
		assert.Equal(t, []float64{80, 80}, []float64{cf.Num("fromPort"), cf.Num("toPort")})
		assert.Equal(t, "tcp", cf.Str("ipProtocol"))
		lbOut := rec.Must(t, rtEgress, "api-lb-out-tasks")
		assert.Equal(t, lbSG.ID, lbOut.Str("securityGroupId"))
		assert.Equal(t, taskSG.ID, lbOut.Str("referencedSecurityGroupId"))
		assert.Equal(t, []float64{8080, 8080}, []float64{lbOut.Num("fromPort"), lbOut.Num("toPort")})
		taskIn := rec.Must(t, rtIngress, "api-task-in-lb")
		assert.Equal(t, taskSG.ID, taskIn.Str("securityGroupId"))
		assert.Equal(t, lbSG.ID, taskIn.Str("referencedSecurityGroupId"))
		assert.Equal(t, []float64{8080, 8080}, []float64{taskIn.Num("fromPort"), taskIn.Num("toPort")})
	})

	t.Run("internet-facing with a certificate: the internet on 80 and 443, IPv4 and IPv6", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, internetApiArgs()).rec
		var ingress []string
		for _, res := range rec.ByType(rtIngress) {
			ingress = append(ingress, res.Name)
			assert.False(t, res.Has("prefixListId"), res.Name)
		}
		assert.ElementsMatch(t, []string{"api-lb-in-ipv4-80", "api-lb-in-ipv6-80", "api-lb-in-ipv4-443", "api-lb-in-ipv6-443", "api-task-in-lb"}, ingress)
		assert.Equal(t, "0.0.0.0/0", rec.Must(t, rtIngress, "api-lb-in-ipv4-443").Str("cidrIpv4"))
		assert.Equal(t, "::/0", rec.Must(t, rtIngress, "api-lb-in-ipv6-443").Str("cidrIpv6"))
	})

	t.Run("behind CloudFront with a certificate: CloudFront on 443 only", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, cloudFrontHTTPSApiArgs()).rec
		var ingress []string
		for _, res := range rec.ByType(rtIngress) {
			ingress = append(ingress, res.Name)
		}
		assert.ElementsMatch(t, []string{"api-lb-in-cloudfront-443", "api-task-in-lb"}, ingress)
		assert.Equal(t, "pl-3b927c52", rec.Must(t, rtIngress, "api-lb-in-cloudfront-443").Str("prefixListId"))
	})

	t.Run("the container port is the one opened to the tasks", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, tunedApiArgs()).rec
		assert.Equal(t, 9000.0, rec.Must(t, rtIngress, "api-task-in-lb").Num("fromPort"))
		assert.Equal(t, 9000.0, rec.Must(t, rtEgress, "api-lb-out-tasks").Num("toPort"))
	})
}

func TestApiLoadBalancer(t *testing.T) {
	t.Parallel()
	t.Run("defaults: internal, hardened, plain HTTP to the target group", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, baseApiArgs()).rec
		alb := rec.Must(t, rtLB, "api-alb")
		assert.True(t, alb.Bool("internal"))
		assert.Equal(t, "application", alb.Str("loadBalancerType"))
		assert.Equal(t, []any{"subnet-priv-a", "subnet-priv-b"}, alb.Plain("subnets"))
		assert.Equal(t, []any{rec.Must(t, rtSG, "api-lb-sg").ID}, alb.Plain("securityGroups"))
		assert.True(t, alb.Bool("dropInvalidHeaderFields"))
		assert.Equal(t, "strictest", alb.Str("desyncMitigationMode"))
		assert.True(t, alb.Bool("enableDeletionProtection"))
		assert.False(t, alb.Has("accessLogs"))
		assert.False(t, alb.Has("name"), "autonamed")
		tg := rec.Must(t, rtTG, "api-tg")
		assert.Equal(t, "ip", tg.Str("targetType"))
		assert.Equal(t, 8080.0, tg.Num("port"))
		assert.Equal(t, "HTTP", tg.Str("protocol"))
		assert.Equal(t, "/api/healthz", tg.Str("healthCheck.path"))
		assert.Equal(t, "200", tg.Str("healthCheck.matcher"))
		listener := rec.Must(t, rtListener, "api-http")
		assert.Equal(t, 80.0, listener.Num("port"))
		assert.Equal(t, "HTTP", listener.Str("protocol"))
		assert.Equal(t, "forward", listener.Str("defaultActions[0].type"))
		assert.Equal(t, tg.Out("arn").StringValue(), listener.Str("defaultActions[0].targetGroupArn"))
	})

	t.Run("internet-facing with a certificate: public subnets, HTTPS, port 80 redirects", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, internetApiArgs()).rec
		alb := rec.Must(t, rtLB, "api-alb")
		assert.False(t, alb.Bool("internal"))
		assert.Equal(t, []any{"subnet-pub-a", "subnet-pub-b"}, alb.Plain("subnets"))

		https := rec.Must(t, rtListener, "api-https")
		assert.Equal(t, 443.0, https.Num("port"))
		assert.Equal(t, "HTTPS", https.Str("protocol"))
		assert.Equal(t, components.DefaultApiSslPolicy, https.Str("sslPolicy"))
		assert.Contains(t, https.Str("sslPolicy"), "TLS13")
		assert.Equal(t, testCertificateArn, https.Str("certificateArn"))
		assert.Equal(t, "forward", https.Str("defaultActions[0].type"))
		redirect := rec.Must(t, rtListener, "api-http-redirect")
		assert.Equal(t, 80.0, redirect.Num("port"))
		assert.Equal(t, "redirect", redirect.Str("defaultActions[0].type"))
		assert.Equal(t, "HTTPS", redirect.Str("defaultActions[0].redirect.protocol"))
		assert.Equal(t, "443", redirect.Str("defaultActions[0].redirect.port"))
		assert.Equal(t, "HTTP_301", redirect.Str("defaultActions[0].redirect.statusCode"))
		_, plain := rec.Find(rtListener, "api-http")
		assert.False(t, plain, "no plain HTTP forwarding with a certificate")
	})

	t.Run("behind CloudFront with a certificate: HTTPS only", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, cloudFrontHTTPSApiArgs()).rec
		assert.Equal(t, 443.0, rec.Must(t, rtListener, "api-https").Num("port"))
		_, redirect := rec.Find(rtListener, "api-http-redirect")
		assert.False(t, redirect, "nothing reaches port 80 behind CloudFront")
	})

	t.Run("options: desync mode, deletion protection, access logs, target port and health path", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, tunedApiArgs()).rec
		alb := rec.Must(t, rtLB, "api-alb")
		assert.Equal(t, "defensive", alb.Str("desyncMitigationMode"))
		assert.True(t, alb.Has("enableDeletionProtection"))
		assert.False(t, alb.Bool("enableDeletionProtection"))
		assert.Equal(t, "alb-logs-bucket", alb.Str("accessLogs.bucket"))
		assert.True(t, alb.Bool("accessLogs.enabled"))
		assert.Equal(t, "api", alb.Str("accessLogs.prefix"))
		assert.Equal(t, 9000.0, rec.Must(t, rtTG, "api-tg").Num("port"))
		assert.Equal(t, "/api/ready", rec.Must(t, rtTG, "api-tg").Str("healthCheck.path"))
	})

	t.Run("every TLS 1.3 policy with a TLS 1.2 minimum is accepted", func(t *testing.T) {
		t.Parallel()
		for _, policy := range []string{
			"ELBSecurityPolicy-TLS13-1-2-2021-06",
			"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
			"ELBSecurityPolicy-TLS13-1-3-2021-06",
			"ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
			"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
		} {
			t.Run(policy, func(t *testing.T) {
				t.Parallel()
				args := baseApiArgs()
				args.Exposure = components.ApiInternetFacing
				args.PublicSubnetIds = pulumi.ToStringArray(testPrivateSubnets)
				args.CertificateArn = pulumi.String(testCertificateArn)
				args.SslPolicy = policy
				r := runApi(t, args)
				assert.Equal(t, policy, r.rec.Must(t, rtListener, "api-https").Str("sslPolicy"))
			})
		}
	})
}
