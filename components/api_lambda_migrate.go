package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MigrateEvent is what the migration function is invoked with once per deploy: the shop's migrate event
// (app/README.md), which applies the schema and ensures the application role under the advisory lock.
const MigrateEvent = `{"shop_migrate":{}}`

// ApiLambdaMigrateArgs is the migration function of a ComputeLambda Api: a second function from the same
// archive, with the schema owner's connection settings, which the deploy invokes once whenever the code
// changes. The serving function never gets them (it connects as the least-privilege application role).
type ApiLambdaMigrateArgs struct {
	// Environment is the migration's own environment (nothing is inherited), e.g. DATABASE_URL naming the
	// schema owner with SHOP_DB_IAM_AUTH. Required.
	Environment map[string]pulumi.StringInput
	// Statements are the migration role's permissions besides its logs and network interfaces, e.g.
	// rds-db:connect for the schema owner only. Default none.
	Statements []PolicyStatement
	// TimeoutSeconds bounds one migration, the database's resume included. Default 300.
	TimeoutSeconds int
}

// migration is `name-migrate` (its own role and log group, the serving function's security group, one
// instance at a time) and `name-migrate-run`, the invocation of MigrateEvent that Pulumi makes on create and
// again whenever the archive's SHA-256 changes: a deploy of new code migrates before anyone depends on it, and
// a failed migration fails the deploy. Nothing without Lambda.Migrate.
func (b *apiBuild) migration(loc apiLocation, sg *ec2.SecurityGroup) error {
	m := b.args.Lambda.Migrate
	if m == nil {
		return nil
	}
	logs, err := cloudwatch.NewLogGroup(b.ctx, b.name+"-migrate-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(b.args.LogRetentionDays),
	}, b.parent)
	if err != nil {
		return err
	}
	role, err := b.lambdaRole("migrate", loc, logs, m.Statements)
	if err != nil {
		return err
	}
	fn, err := b.newFunction("migrate", "Migrates the database of "+b.name+" (invoked once per deploy)",
		functionSpec{role: role, sg: sg, logs: logs, env: m.Environment, timeout: m.TimeoutSeconds, reserved: 1})
	if err != nil {
		return err
	}
	sum, err := fileSHA256(b.args.Lambda.Archive)
	if err != nil {
		return err
	}
	_, err = lambda.NewInvocation(b.ctx, b.name+"-migrate-run", &lambda.InvocationArgs{
		FunctionName: fn.Name,
		Input:        pulumi.String(MigrateEvent),
		Triggers:     pulumi.StringMap{"archiveSha256": pulumi.String(sum)},
	}, b.parent)
	return err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path) // #nosec G304 -- the archive path is the component's own argument
	if err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
