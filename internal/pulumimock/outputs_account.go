package pulumimock

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

// accountKinds: IAM, keys and secrets, logs, messaging, parameters and the random provider.
var accountKinds = map[string]kind{
	awstype.IamRole: {name: "name", compute: func(f *fill) {
		f.arn("iam", "role/"+f.name)
		f.set("uniqueId", "AROA"+mockIDUpper(f.h, 13))
	}},
	awstype.IamPolicy: {name: "name", compute: func(f *fill) {
		f.arn("iam", "policy/"+f.name)
		f.set("policyId", "ANPA"+mockIDUpper(f.h, 13))
	}},
	awstype.IamInstanceProfile:      {name: "name", compute: arnNamed("iam", "instance-profile/")},
	awstype.IamRolePolicy:           {name: "name", compute: ownID},
	awstype.IamRolePolicyAttachment: {compute: ownID},

	awstype.KmsKey: {compute: func(f *fill) {
		f.id = f.uuid()
		f.set("keyId", f.id)
		f.arn("kms", "key/"+f.id)
	}},
	awstype.KmsAlias: {name: "name", compute: arnNamed("kms", "")},
	awstype.SecretsmanagerSecret: {name: "name", compute: func(f *fill) {
		f.arn("secretsmanager", "secret:"+f.name+secretSuffix(f.h))
		f.idIsArn()
	}},
	awstype.SecretsmanagerSecretVersion: {compute: func(f *fill) {
		f.set("versionId", f.uuid())
		f.set("arn", f.str("secretId"))
		f.id = f.str("secretId") + "|" + f.uuid()
	}},

	awstype.CloudwatchLogGroup: {name: "name", compute: arnNamed("logs", "log-group:")},
	awstype.CloudwatchLogDeliverySource: {name: "name", compute: func(f *fill) {
		f.arn("logs", "delivery-source:"+f.name)
		if parts := strings.Split(f.str("resourceArn"), ":"); len(parts) > 2 {
			f.set("service", parts[2])
		}
	}},
	awstype.CloudwatchLogDeliveryDestination: {name: "name", compute: func(f *fill) {
		f.arn("logs", "delivery-destination:"+f.name)
		f.set("deliveryDestinationType", "S3")
	}},
	awstype.CloudwatchLogDelivery: {compute: func(f *fill) {
		f.id = mockID(f.h, 12)
		f.arn("logs", "delivery:"+f.id)
	}},

	awstype.SnsTopic: {name: "name", compute: func(f *fill) {
		f.arn("sns", f.name)
		f.idIsArn()
	}},
	awstype.SnsTopicSubscription: {compute: func(f *fill) {
		f.set("arn", f.str("topic")+":"+f.uuid())
		f.idIsArn()
		f.set("pendingConfirmation", f.str("protocol") == "email")
	}},
	// A topic policy's id is its topic's ARN.
	awstype.SnsTopicPolicy: {compute: func(f *fill) {
		if f.id = f.str("arn"); f.id == "" {
			ownID(f)
		}
	}},
	awstype.CloudwatchMetricAlarm: {name: "name", compute: func(f *fill) {
		f.arn("cloudwatch", "alarm:"+f.name)
	}},
	awstype.CloudwatchDashboard: {name: "dashboardName", compute: func(f *fill) {
		f.set("dashboardArn", fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s", f.acct, f.name))
		f.id = f.name
	}},
	awstype.BudgetsBudget: {name: "name", compute: func(f *fill) {
		f.set("arn", fmt.Sprintf("arn:aws:budgets::%s:budget/%s", f.acct, f.name))
		f.id = f.acct + ":" + f.name
	}},
	awstype.SqsQueue:     {name: "name"},
	awstype.SsmParameter: {name: "name"},

	awstype.RandomPassword: {compute: func(f *fill) {
		randomResult(f)
		f.setSecret("bcryptHash", "$2a$10$"+hash(f.res.URN, "bcrypt")[:53])
	}},
	awstype.RandomString: {compute: randomResult},
	awstype.RandomId: {compute: func(f *fill) {
		n := f.num("byteLength", 8)
		random := hash(f.res.URN, "random")
		f.set("hex", random[:2*n])
		f.set("dec", strconv.Itoa(digits(f.h, 12)))
		f.set("b64Url", random[:n])
		f.set("b64Std", random[:n])
		f.id = f.str("b64Url")
	}},
}

// ownID gives a resource whose AWS id is not its name (an inline or attached policy) the made-up id.
func ownID(f *fill) { f.id = f.fallbackID() }

// randomResult is random's result, a secret because programs pass it on as one.
func randomResult(f *fill) {
	f.setSecret("result", randomText(hash(f.res.URN, "random"), f.num("length", 16)))
	f.id = "none"
}
