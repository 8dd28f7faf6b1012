package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// apiOrigin is the /api/* origin: the Function URL of a ComputeLambda Api (o.FunctionName set), signed by
// `name-api-oac`, or the VPC origin in front of a Fargate Api's internal load balancer.
func (s *StaticSite) apiOrigin(ctx *pulumi.Context, name string, o *ApiOrigin) (cloudfront.DistributionOriginArgs, error) {
	if o.FunctionName == nil {
		vpcOrigin, err := s.vpcOrigin(ctx, name, o)
		if err != nil {
			return cloudfront.DistributionOriginArgs{}, err
		}
		return cloudfront.DistributionOriginArgs{
			OriginId:        pulumi.String(apiOriginId),
			DomainName:      o.DomainName,
			VpcOriginConfig: cloudfront.DistributionOriginVpcOriginConfigArgs{VpcOriginId: vpcOrigin.ID()},
		}, nil
	}
	// Signing "always": CloudFront signs every request with SigV4 (replacing any Authorization header a
	// viewer sent), and the URL's AWS_IAM auth refuses anything unsigned. A request with a body must carry
	// its SHA-256 in x-amz-content-sha256, since CloudFront does not hash bodies itself (app/README.md).
	oac, err := cloudfront.NewOriginAccessControl(ctx, name+"-api-oac", &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("Function URL of the " + name + " API"),
		OriginAccessControlOriginType: pulumi.String("lambda"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, pulumi.Parent(s))
	if err != nil {
		return cloudfront.DistributionOriginArgs{}, err
	}
	return cloudfront.DistributionOriginArgs{
		OriginId:              pulumi.String(apiOriginId),
		DomainName:            o.DomainName,
		OriginAccessControlId: oac.ID(),
		CustomOriginConfig: cloudfront.DistributionOriginCustomOriginConfigArgs{
			HttpPort:             pulumi.Int(o.HttpPort),
			HttpsPort:            pulumi.Int(o.HttpsPort),
			OriginProtocolPolicy: pulumi.String("https-only"),
			OriginSslProtocols:   pulumi.ToStringArray(vpcOriginSslProtocols),
			// CloudFront's ceiling without a quota increase (default 30): the request that finds the database
			// paused waits for its resume (DefaultLambdaTimeoutSeconds) instead of ending in a 504 at 30 s.
			OriginReadTimeout: pulumi.Int(60),
		},
	}, nil
}

// allowFunctionInvoke grants this distribution, and no other, the two permissions CloudFront's origin access
// control needs on a Function URL (`name-api-invoke-url`, `name-api-invoke`): lambda:InvokeFunctionUrl, and
// since AWS's 2025 change to Function URL authorisation also lambda:InvokeFunction. Both are conditioned on
// the distribution's ARN, so another distribution (another account's included) with its own OAC cannot
// reach the function. Nothing without a Function URL origin.
func (s *StaticSite) allowFunctionInvoke(ctx *pulumi.Context, name string, a *StaticSiteArgs, dist *cloudfront.Distribution) error {
	if a.ApiOrigin == nil || a.ApiOrigin.FunctionName == nil {
		return nil
	}
	fn := a.ApiOrigin.FunctionName
	if _, err := lambda.NewPermission(ctx, name+"-api-invoke-url", &lambda.PermissionArgs{
		Function:            fn,
		Action:              pulumi.String("lambda:InvokeFunctionUrl"),
		Principal:           pulumi.String("cloudfront.amazonaws.com"),
		SourceArn:           dist.Arn,
		FunctionUrlAuthType: pulumi.String("AWS_IAM"),
	}, pulumi.Parent(s)); err != nil {
		return err
	}
	_, err := lambda.NewPermission(ctx, name+"-api-invoke", &lambda.PermissionArgs{
		Function:  fn,
		Action:    pulumi.String("lambda:InvokeFunction"),
		Principal: pulumi.String("cloudfront.amazonaws.com"),
		SourceArn: dist.Arn,
	}, pulumi.Parent(s))
	return err
}
