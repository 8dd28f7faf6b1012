package components

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// usEast1 registers `name-us-east-1`, a provider in the region CloudFront reads
// certificates and web ACLs from and registers its log delivery sources in,
// when the site needs any of them; otherwise it returns nil.
func (s *StaticSite) usEast1(ctx *pulumi.Context, name string, a *StaticSiteArgs) (*aws.Provider, error) {
	if a.Domain == "" && a.AccessLogBucketArn == nil && a.Waf.Disabled && !a.Alarms.on() {
		return nil, nil
	}
	return aws.NewProvider(ctx, name+"-us-east-1", &aws.ProviderArgs{
		Region: pulumi.String("us-east-1"),
	}, pulumi.Parent(s))
}

// certificate requests a DNS-validated certificate for a.Domain in us-east-1
// (`name-cert`, `name-cert-validation`, `name-cert-validated`) and returns its
// ARN once validated; without a Domain it returns nil.
func (s *StaticSite) certificate(ctx *pulumi.Context, name string, a *StaticSiteArgs, useast1 *aws.Provider,
) (pulumi.StringInput, error) {
	if a.Domain == "" {
		return nil, nil
	}
	parent := pulumi.Parent(s)
	cert, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		DomainName:       pulumi.String(a.Domain),
		ValidationMethod: pulumi.String("DNS"),
		KeyAlgorithm:     pulumi.String("EC_prime256v1"),
	}, parent, pulumi.Provider(useast1))
	if err != nil {
		return nil, err
	}
	// One domain, so exactly one validation record, known before deployment.
	opt := cert.DomainValidationOptions.Index(pulumi.Int(0))
	record, err := route53.NewRecord(ctx, name+"-cert-validation", &route53.RecordArgs{
		ZoneId:         a.HostedZoneId,
		Name:           opt.ResourceRecordName().Elem(),
		Type:           opt.ResourceRecordType().Elem(),
		Records:        pulumi.StringArray{opt.ResourceRecordValue().Elem()},
		Ttl:            pulumi.Int(300),
		AllowOverwrite: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	validation, err := acm.NewCertificateValidation(ctx, name+"-cert-validated", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, parent, pulumi.Provider(useast1))
	if err != nil {
		return nil, err
	}
	return validation.CertificateArn, nil
}

// aliasRecords points a.Domain at the distribution (`name-alias-a`,
// `name-alias-aaaa`); without a Domain there are none.
func (s *StaticSite) aliasRecords(ctx *pulumi.Context, name string, a *StaticSiteArgs, dist *cloudfront.Distribution) error {
	if a.Domain == "" {
		return nil
	}
	for _, typ := range []string{"A", "AAAA"} {
		if _, err := route53.NewRecord(ctx, name+"-alias-"+strings.ToLower(typ), &route53.RecordArgs{
			ZoneId: a.HostedZoneId,
			Name:   pulumi.String(a.Domain),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 dist.DomainName,
				ZoneId:               dist.HostedZoneId,
				EvaluateTargetHealth: pulumi.Bool(false),
			}},
		}, pulumi.Parent(s)); err != nil {
			return err
		}
	}
	return nil
}
