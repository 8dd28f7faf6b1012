package policies

import (
	"fmt"
	"regexp"
	"strings"
)

// containers decodes a task definition's containerDefinitions JSON string.
// ok is false when the rule cannot evaluate (recorded on c).
func containers(c *Check, r Resource) ([]map[string]any, bool) {
	v := r.Get("containerDefinitions")
	switch v.State {
	case Unknown:
		c.Unknown(r, "containerDefinitions")
		return nil, false
	case Absent:
		c.Fail(r, "containerDefinitions is not set")
		return nil, false
	}
	doc, err := v.JSON()
	if err != nil {
		c.Fail(r, "containerDefinitions: %v", err)
		return nil, false
	}
	arr, ok := doc.([]any)
	if !ok {
		c.Fail(r, "containerDefinitions is not a JSON array")
		return nil, false
	}
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, true
}

func containerName(m map[string]any) string {
	n, _ := m["name"].(string)
	return n
}

func containerRule(id, title, rationale, control string, check func(c *Check, r Resource, ctr map[string]any)) *Rule {
	return &Rule{
		ID: id, Title: title, Rationale: rationale, Control: control, Level: Mandatory, Types: tTaskDefinition,
		Check: func(c *Check, r Resource) {
			ctrs, ok := containers(c, r)
			if !ok {
				return
			}
			for _, ctr := range ctrs {
				check(c, r, ctr)
			}
		},
	}
}

var ecsReadOnlyRoot = containerRule("ecs-readonly-root",
	"Containers run with a read-only root filesystem",
	"An attacker who gets code execution cannot modify the image's binaries or drop tools on disk.",
	"ECS.5",
	func(c *Check, r Resource, ctr map[string]any) {
		if ro, _ := ctr["readonlyRootFilesystem"].(bool); !ro {
			c.Fail(r, "container %q: readonlyRootFilesystem is not true", containerName(ctr))
		}
	})

var ecsNonPrivileged = containerRule("ecs-non-privileged",
	"Containers are not privileged",
	"A privileged container has root on the host.",
	"ECS.4",
	func(c *Check, r Resource, ctr map[string]any) {
		if p, _ := ctr["privileged"].(bool); p {
			c.Fail(r, "container %q is privileged", containerName(ctr))
		}
	})

var ecsNonRoot = containerRule("ecs-non-root-user",
	"Containers run as a non-root user",
	"Root in the container widens every escape and file-permission mistake.",
	"ECS.20",
	func(c *Check, r Resource, ctr map[string]any) {
		u, _ := ctr["user"].(string)
		name, _, _ := strings.Cut(u, ":")
		if name == "" || name == "root" || name == "0" {
			c.Fail(r, "container %q: user is %q (the image default, usually root)", containerName(ctr), u)
		}
	})

var ecsLogging = containerRule("ecs-logging",
	"Containers send their logs to a log driver",
	"Without a log configuration the container's output is lost.",
	"ECS.9",
	func(c *Check, r Resource, ctr map[string]any) {
		lc, _ := ctr["logConfiguration"].(map[string]any)
		if d, _ := lc["logDriver"].(string); d == "" {
			c.Fail(r, "container %q has no logConfiguration.logDriver", containerName(ctr))
		}
	})

var credentialName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)`)

// credentialURL matches a URL with a password (postgres://user:pass@host).
var credentialURL = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://[^/:@\s]+:[^/@\s]+@`)

var ecsNoPlainSecrets = &Rule{
	ID:    "ecs-no-plain-secrets",
	Title: "No credentials in a container's plain environment",
	Rationale: "Plain environment values are visible to anyone who can describe the task definition; " +
		"secrets belong in `secrets` (Secrets Manager ARNs) read by the execution role.",
	Control: "ECS.8",
	Level:   Mandatory,
	Types:   tTaskDefinition,
	Check: func(c *Check, r Resource) {
		if v := r.Get("containerDefinitions"); v.Secret {
			c.Fail(r, "containerDefinitions carries a Pulumi secret: a secret value was written into the task definition "+
				"instead of being referenced through `secrets`")
		}
		ctrs, ok := containers(c, r)
		if !ok {
			return
		}
		for _, ctr := range ctrs {
			env, _ := ctr["environment"].([]any)
			for _, e := range env {
				kv, _ := e.(map[string]any)
				name, _ := kv["name"].(string)
				val := fmt.Sprint(kv["value"])
				switch {
				case credentialURL.MatchString(val):
					c.Fail(r, "container %q: environment %s holds a URL with a password", containerName(ctr), name)
				case credentialName.MatchString(name) && val != "" && !strings.HasPrefix(val, "arn:"):
					c.Fail(r, "container %q: environment %s looks like a credential in plain text; use `secrets`",
						containerName(ctr), name)
				}
			}
		}
	},
}

var ecsNoHostPID = &Rule{
	ID:        "ecs-no-host-pid",
	Title:     "Task definitions do not share the host's process namespace",
	Rationale: "pidMode host lets a container see and signal every process on the host.",
	Control:   "ECS.3",
	Level:     Mandatory,
	Types:     tTaskDefinition,
	Check: func(c *Check, r Resource) {
		if m, _ := r.Get("pidMode").Str(); m == "host" {
			c.Fail(r, "pidMode is host")
		}
	},
}

var ecsNoPublicIP = &Rule{
	ID:        "ecs-no-public-ip",
	Title:     "ECS services do not assign public IPs",
	Rationale: "Tasks sit in private subnets behind the load balancer; a public IP exposes them directly.",
	Control:   "ECS.2",
	Level:     Mandatory,
	Types:     tECSService,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "networkConfiguration.assignPublicIp", false, false, "tasks get public IPs")
	},
}

var ecsContainerInsights = &Rule{
	ID:        "ecs-container-insights",
	Title:     "ECS clusters have Container Insights on",
	Rationale: "Per-task CPU, memory and restart metrics are needed to operate the service.",
	Control:   "ECS.12",
	Level:     Advisory,
	Types:     tECSCluster,
	Check: func(c *Check, r Resource) {
		v := r.Get("settings")
		if v.State == Unknown {
			c.Unknown(r, "settings")
			return
		}
		for _, s := range v.Items() {
			n, _ := s.Field("name").Str()
			val, _ := s.Field("value").Str()
			if n == "containerInsights" && (val == "enabled" || val == "enhanced") {
				return
			}
		}
		c.Fail(r, "containerInsights is not enabled")
	},
}

var ec2IMDSv2 = &Rule{
	ID:        "ec2-imdsv2",
	Title:     "EC2 instances require IMDSv2",
	Rationale: "IMDSv1 answers unauthenticated GETs, the classic SSRF path to instance credentials.",
	Control:   "EC2.8",
	Level:     Mandatory,
	Types:     tEC2Instance,
	Check: func(c *Check, r Resource) {
		v := r.Get("metadataOptions.httpTokens")
		switch s, _ := v.Str(); {
		case v.State == Unknown:
			c.Unknown(r, "metadataOptions.httpTokens")
		case s != "required":
			c.Fail(r, "metadataOptions.httpTokens is %q (AWS default optional), want required", s)
		}
	},
}

var ec2EBSEncrypted = &Rule{
	ID:        "ec2-ebs-encrypted",
	Title:     "EC2 root volumes are encrypted",
	Rationale: "Snapshots and detached volumes of unencrypted disks are readable by anyone who can copy them.",
	Control:   "EC2.3",
	Level:     Advisory,
	Types:     tEC2Instance,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "rootBlockDevice.encrypted", true, false, "root volume encryption relies on the account default")
	},
}

// ecrImmutableTags is mandatory everywhere: immutability costs nothing, and the stacks' images are pushed under a
// new tag each build (awsx's Image picks a random one when no imageTag is given), so no deploy re-pushes a tag.
var ecrImmutableTags = &Rule{
	ID:    "ecr-immutable-tags",
	Title: "ECR repositories make image tags immutable",
	Rationale: "A mutable tag can be pointed at another image after it was scanned and deployed; an immutable one " +
		"always names the image that was reviewed.",
	Control: "ECR.2",
	Level:   Mandatory,
	Types:   tECRRepository,
	Check: func(c *Check, r Resource) {
		v := r.Get("imageTagMutability")
		switch s, _ := v.Str(); {
		case v.State == Unknown:
			c.Unknown(r, "imageTagMutability")
		case v.State == Absent:
			c.Fail(r, "imageTagMutability is not set and AWS defaults it to MUTABLE")
		case s == "IMMUTABLE":
		case s == "IMMUTABLE_WITH_EXCLUSION":
			c.Advise(r, "imageTagMutability is IMMUTABLE_WITH_EXCLUSION: the excluded tags stay mutable, and ECR.2 passes only IMMUTABLE")
		default:
			c.Fail(r, "imageTagMutability is %q, want IMMUTABLE", s)
		}
	},
}

// ecrLifecyclePolicy is mandatory everywhere: a lifecycle policy costs nothing and stops the storage bill of
// every pushed image from growing forever. An awsx Repository creates one (untagged images expire after a day)
// unless lifecyclePolicy.skip is set; a plain repository needs a LifecyclePolicy computed from it.
var ecrLifecyclePolicy = &Rule{
	ID:        "ecr-lifecycle-policy",
	Title:     "ECR repositories have a lifecycle policy",
	Rationale: "Every build pushes an image; without expiry the repository keeps them all and bills their storage.",
	Control:   "ECR.3",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, r := range s.Of(tAwsxECRRepository) {
			v := r.Get("lifecyclePolicy.skip")
			if skip, _ := v.Bool(); v.State == Unknown {
				c.Unknown(r, "lifecyclePolicy.skip")
			} else if skip {
				c.Fail(r, "lifecyclePolicy.skip is true: awsx creates no lifecycle policy")
			}
		}
		for _, r := range s.Of(tAwsECRRepository) {
			if len(s.Referencing(r, tECRLifecyclePolicy, "repository")) == 0 {
				c.Fail(r, "no LifecyclePolicy refers to this repository")
			}
		}
	},
}
