package policies_test

import "github.com/shopstack/shopstack/policies"

const (
	tFunctionURL = "aws:lambda/functionUrl:FunctionUrl"
	tPermission  = "aws:lambda/permission:Permission"
)

func lambdaRuleCases() []ruleCase {
	rs := func(r ...policies.Resource) []policies.Resource { return r }
	dist := "arn:aws:cloudfront::123456789012:distribution/E1"
	return []ruleCase{
		{rule: "lambda-url-iam-auth", name: "AWS_IAM", rs: rs(res(tFunctionURL, "url", obj{"authorizationType": "AWS_IAM"})), want: pass},
		{rule: "lambda-url-iam-auth", name: "NONE", rs: rs(res(tFunctionURL, "url", obj{"authorizationType": "NONE"})), want: fires, on: "url"},
		{rule: "lambda-url-iam-auth", name: "unknown", rs: rs(res(tFunctionURL, "url", obj{"authorizationType": unknown()})), want: cantTell},

		{rule: "lambda-permission-scoped", name: "distribution by ARN", rs: rs(res(tPermission, "p", obj{
			"principal": "cloudfront.amazonaws.com", "action": "lambda:InvokeFunctionUrl", "sourceArn": dist})), want: pass},
		{rule: "lambda-permission-scoped", name: "source ARN computed", rs: rs(res(tPermission, "p", obj{
			"principal": "cloudfront.amazonaws.com", "sourceArn": unknown()})), want: pass},
		{rule: "lambda-permission-scoped", name: "an account principal", rs: rs(res(tPermission, "p", obj{
			"principal": "123456789012"})), want: pass},
		{rule: "lambda-permission-scoped", name: "service without source", rs: rs(res(tPermission, "p", obj{
			"principal": "cloudfront.amazonaws.com", "action": "lambda:InvokeFunction"})), want: fires, on: "p"},
		{rule: "lambda-permission-scoped", name: "anyone", rs: rs(res(tPermission, "p", obj{
			"principal": "*", "sourceArn": dist})), want: fires, on: "p"},
		{rule: "lambda-permission-scoped", name: "principal unknown", rs: rs(res(tPermission, "p", obj{"principal": unknown()})), want: cantTell},
	}
}
