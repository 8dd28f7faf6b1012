package policies_test

// Type tokens of the fixtures for the FSBP rules added with issue 9 item 7 (apart from fixtures_test.go so the
// shared token table can move without a merge conflict).
const (
	tECR            = "aws:ecr/repository:Repository"
	tAwsxECR        = "awsx:ecr:Repository"
	tECRLifecycle   = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	tSecret         = "aws:secretsmanager/secret:Secret"
	tSecretRotation = "aws:secretsmanager/secretRotation:SecretRotation"
)
