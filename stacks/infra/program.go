package infra

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	ecrtypes "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Program is the stack: typed config, a default-tags provider, then Network -> Data -> Api -> StaticSite.
func Program(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	prov, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: DefaultTags(ctx)},
	})
	if err != nil {
		return err
	}
	withAWS := pulumi.Providers(prov)

	image, err := serviceImage(ctx, cfg, withAWS)
	if err != nil {
		return err
	}
	ctx.Export("imageUri", image)
	return nil
}

// DefaultTags are set on every taggable AWS resource through the provider.
func DefaultTags(ctx *pulumi.Context) pulumi.StringMap {
	return pulumi.StringMap{
		"project":    pulumi.String(ctx.Project()),
		"stack":      pulumi.String(ctx.Stack()),
		"managed-by": pulumi.String("pulumi"),
	}
}

// serviceImage is the configured pre-built image (the CI deploy path builds and pushes once, then deploys
// the same digest to every stack), or app/Dockerfile built and pushed to a new ECR repository.
func serviceImage(ctx *pulumi.Context, cfg Config, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	if cfg.ImageURI != "" {
		return pulumi.String(cfg.ImageURI).ToStringOutput(), nil
	}
	repo, err := ecr.NewRepository(ctx, "api-images", &ecr.RepositoryArgs{
		ImageScanningConfiguration: &ecrtypes.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
		ForceDelete:                pulumi.Bool(!cfg.ProtectStateful),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	platform := "linux/arm64"
	if cfg.ApiArchitecture == "X86_64" {
		platform = "linux/amd64"
	}
	// Pulumi runs the program in its main directory (stacks/), so the build context is the repository root.
	img, err := ecr.NewImage(ctx, "api-image", &ecr.ImageArgs{
		RepositoryUrl: repo.Url,
		Context:       pulumi.String(".."),
		Dockerfile:    pulumi.String("../app/Dockerfile"),
		Platform:      pulumi.String(platform),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return img.ImageUri, nil
}
