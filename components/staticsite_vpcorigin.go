package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// vpcOriginSslProtocols are the TLS versions CloudFront may use to the Api.
var vpcOriginSslProtocols = []string{"TLSv1.2"}

// vpcOrigin registers `name-api-origin`, the VPC origin in front of the Api's
// internal load balancer.
//
// CloudFront refuses to update a VPC origin that a distribution uses (409,
// "currently associated with one or more distributions";
// terraform-provider-aws#40905, aws-cdk#35765), so an in-place update (a
// certificate that makes it https-only, new ports, a tag) would fail the
// deploy. Every change therefore replaces it (ReplaceOnChanges "*"), new one
// first (DeleteBeforeReplace false): the distribution moves to the new VPC
// origin, then the old one, no longer associated, is deleted. Its name carries
// a hash of its configuration, so the new one never has the old one's name.
func (s *StaticSite) vpcOrigin(ctx *pulumi.Context, name string, o *ApiOrigin) (*cloudfront.VpcOrigin, error) {
	config := []any{o.HttpPort, o.HttpsPort, o.ProtocolPolicy, vpcOriginSslProtocols}
	originName := pulumi.All(o.Name, o.LoadBalancerArn).ApplyT(func(v []any) string {
		return vpcOriginName(v[0].(string), append([]any{v[1]}, config...)...)
	}).(pulumi.StringOutput)
	return cloudfront.NewVpcOrigin(ctx, name+"-api-origin", &cloudfront.VpcOriginArgs{
		VpcOriginEndpointConfig: cloudfront.VpcOriginVpcOriginEndpointConfigArgs{
			Name:                 originName,
			Arn:                  o.LoadBalancerArn,
			HttpPort:             pulumi.Int(o.HttpPort),
			HttpsPort:            pulumi.Int(o.HttpsPort),
			OriginProtocolPolicy: pulumi.String(o.ProtocolPolicy),
			OriginSslProtocols: cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs{
				Items:    pulumi.ToStringArray(vpcOriginSslProtocols),
				Quantity: pulumi.Int(len(vpcOriginSslProtocols)),
			},
		},
	}, pulumi.Parent(s), pulumi.ReplaceOnChanges([]string{"*"}), pulumi.DeleteBeforeReplace(false))
}

// vpcOriginName is base, "-" and eight hex digits of the hash of config.
func vpcOriginName(base string, config ...any) string {
	parts := make([]string, len(config))
	for i, c := range config {
		parts[i] = fmt.Sprint(c)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return base + "-" + hex.EncodeToString(sum[:4])
}
