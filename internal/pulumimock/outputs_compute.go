package pulumimock

import (
	"fmt"
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

// computeKinds: ECS, ECR, Application Auto Scaling and Lambda.
var computeKinds = map[string]kind{
	awstype.EcsCluster: {name: "name", compute: func(f *fill) {
		f.arn("ecs", "cluster/"+f.name)
		f.idIsArn()
	}},
	awstype.EcsService: {name: "name", compute: func(f *fill) {
		f.arn("ecs", "service/"+f.name)
		f.idIsArn()
	}},
	awstype.EcsTaskDefinition: {name: "family", compute: func(f *fill) {
		f.arn("ecs", "task-definition/"+f.name+":1")
		f.set("arnWithoutRevision", fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s", f.region, f.acct, f.name))
		f.set("revision", float64(1))
	}},
	awstype.EcrRepository: {name: "name", compute: func(f *fill) {
		f.arn("ecr", "repository/"+f.name)
		f.set("repositoryUrl", ecrURL(f.acct, f.region, f.name))
		f.set("registryId", f.acct)
	}},
	awstype.AppautoscalingPolicy: {name: "name", compute: func(f *fill) {
		f.arn("autoscaling", fmt.Sprintf("scalingPolicy:%s:resource/%s", f.uuid(), f.name))
	}},
	awstype.LambdaFunction: {name: "name", compute: func(f *fill) {
		f.arn("lambda", "function:"+f.name)
		f.set("qualifiedArn", f.str("arn")+":$LATEST")
		f.set("invokeArn", fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", f.region, f.str("arn")))
		f.set("version", "$LATEST")
	}},
	// A Function URL's id is the function's name; its URL a made-up 32-character url-id.
	awstype.LambdaFunctionUrl: {compute: func(f *fill) {
		urlID := strings.ToLower(mockID(f.h, 27))
		f.set("urlId", urlID)
		f.set("functionUrl", fmt.Sprintf("https://%s.lambda-url.%s.on.aws/", urlID, f.region))
		f.set("functionArn", fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", f.region, f.acct, f.str("functionName")))
		f.id = f.str("functionName")
		if f.id == "" {
			f.id = f.fallbackID()
		}
	}},
	awstype.LambdaPermission: {compute: func(f *fill) {
		f.set("statementId", mockID(f.h, 10))
		f.id = f.str("statementId")
	}},
	awstype.SchedulerSchedule: {name: "name", compute: func(f *fill) {
		f.set("groupName", "default")
		f.arn("scheduler", "schedule/default/"+f.name)
		f.id = "default/" + f.name
	}},
}

func ecrURL(acct, region, name string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", acct, region, name)
}

// remoteOutputs computes the outputs of the multi-language components the programs use: a provider
// (awsx) builds their children and outputs, so without an answer here they would resolve empty. Like a
// custom resource's computed outputs, they stay unknown in a preview.
var remoteOutputs = map[string]func(r *Recorder, res Resource, o outs){
	// awsx names the aws:ecr/repository child after its own name in lower case (ECR names must be), and
	// the provider autonames that child unless `name` is given; url is the child's repositoryUrl.
	// `repository` (a resource reference to that child) is not answered: the SDK's mock monitor rehydrates
	// a reference through getResource, which knows only what the program registered, and the child is the
	// awsx provider's. Programs take the URL (the stack derives the repository ARN from it).
	awstype.AwsxEcrRepository: func(r *Recorder, res Resource, o outs) {
		name := o.str("name")
		if name == "" {
			name = strings.ToLower(res.Name) + "-" + hash(res.URN)[:7]
		}
		o.set("url", ecrURL(r.accountID, r.regionOf(res), name))
	},
	// awsx's Image pushes to repositoryUrl and answers the pushed digest: <repositoryUrl>@sha256:<digest>.
	// The mock's digest is derived from the URN and the build inputs, so a changed build shows in a plan;
	// it has a real digest's 64 characters, not its hex alphabet.
	awstype.AwsxEcrImage: func(_ *Recorder, res Resource, o outs) {
		digest := hash(res.URN, o.str("context"), o.str("dockerfile"), o.str("platform"))
		o.set("imageUri", fmt.Sprintf("%s@sha256:%s", o.str("repositoryUrl"), mockID(digest, 59)))
	},
}
