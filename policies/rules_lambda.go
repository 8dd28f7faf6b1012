package policies

import (
	"strings"

	"github.com/shopstack/shopstack/internal/awstype"
)

var (
	tFunctionURL = Tokens{awstype.LambdaFunctionUrl}
	tPermission  = Tokens{awstype.LambdaPermission}
)

// lambdaURLAuth is mandatory everywhere: an auth type NONE URL answers anyone on the internet, around the CDN, its
// WAF and its rate rule, and AWS_IAM costs nothing.
var lambdaURLAuth = &Rule{
	ID:    "lambda-url-iam-auth",
	Title: "Lambda Function URLs require AWS_IAM auth",
	Rationale: "A URL with auth type NONE is a public endpoint that bypasses the distribution, its WAF and its " +
		"rate rule; with AWS_IAM only principals the function's policy names (the distribution, by its ARN) get in.",
	Control: "Lambda.1",
	Level:   Mandatory,
	Types:   tFunctionURL,
	Check: func(c *Check, r Resource) {
		v := r.Get("authorizationType")
		switch s, _ := v.Str(); {
		case v.State == Unknown:
			c.Unknown(r, "authorizationType")
		case s != "AWS_IAM":
			c.Fail(r, "authorizationType is %q: anyone can invoke the function through its URL", s)
		}
	},
}

// lambdaPermissionScoped keeps a function's resource policy from granting the world or a whole AWS service: a
// grant to cloudfront.amazonaws.com without a source ARN admits every distribution of every account.
var lambdaPermissionScoped = &Rule{
	ID:    "lambda-permission-scoped",
	Title: "Lambda permissions name their caller: no \"*\" principal, and a service principal only with a source",
	Rationale: "A service principal without sourceArn or sourceAccount lets any customer's resource of that " +
		"service (another account's distribution, its schedules) invoke the function: the confused deputy.",
	Control: "Lambda.1",
	Level:   Mandatory,
	Types:   tPermission,
	Check: func(c *Check, r Resource) {
		p := r.Get("principal")
		principal, _ := p.Str()
		switch {
		case p.State == Unknown:
			c.Unknown(r, "principal")
		case principal == "*":
			c.Fail(r, "principal is \"*\": anyone may invoke the function")
		case strings.HasSuffix(principal, ".amazonaws.com") &&
			r.Get("sourceArn").State == Absent && r.Get("sourceAccount").State == Absent:
			c.Fail(r, "principal %s without sourceArn or sourceAccount: any %s resource of any account may invoke", principal, principal)
		}
	},
}
