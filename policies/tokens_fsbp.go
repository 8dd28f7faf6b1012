package policies

// Type tokens of the FSBP rules added with issue 9 item 7, kept apart from tokens.go so the move of that table to
// a shared package merges cleanly. awsx:ecr:Repository is a component: under the recording mock (and in a plan)
// the stacks show only it, while a real engine also registers its aws:ecr children, so both spellings are rule
// targets.
var (
	tECRRepository      = Tokens{"aws:ecr/repository:Repository", "awsx:ecr:Repository"}
	tAwsxECRRepository  = Tokens{"awsx:ecr:Repository"}
	tAwsECRRepository   = Tokens{"aws:ecr/repository:Repository"}
	tECRLifecyclePolicy = Tokens{"aws:ecr/lifecyclePolicy:LifecyclePolicy"}
	tSecret             = Tokens{"aws:secretsmanager/secret:Secret"}
	tSecretRotation     = Tokens{"aws:secretsmanager/secretRotation:SecretRotation"}
)
