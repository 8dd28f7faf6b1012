package components

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// initContainerName is the init container's name in the task definition.
const initContainerName = "init"

// ApiInitArgs is a one-shot container each task runs from the service's image before the service's
// container starts: the service's container waits for it to exit 0 (dependsOn SUCCESS), and a
// failure stops the task before it takes traffic. It is not essential, runs as the same non-root
// user with the same read-only root filesystem and dropped capabilities, and logs to the
// service's log group under the prefix "init". It inherits nothing from the service's container,
// so a credential given only here (the database's master secret for migrations) never reaches
// the process that serves requests.
type ApiInitArgs struct {
	// Command is the container's command, the arguments of the image's entrypoint (["migrate"]).
	// Required.
	Command []string
	// Environment holds its plain environment variables. Default none.
	Environment map[string]pulumi.StringInput
	// Secrets maps its environment variable names to Secrets Manager ARNs, as ApiArgs.Secrets;
	// the execution role may read these too. Default none.
	Secrets map[string]pulumi.StringInput
}

// containerVars collects the environment and secret values of every container, so one
// pulumi.All resolves them all.
type containerVars struct {
	inputs []any
}

// varKeys are the keys of one map given to containerVars.add, and where its first value sits
// among the resolved values (a map's values are consecutive, in key order).
type varKeys struct {
	first int
	keys  []string
}

func (c *containerVars) add(m map[string]pulumi.StringInput) varKeys {
	vk := varKeys{first: len(c.inputs), keys: sortedKeys(m)}
	for _, k := range vk.keys {
		c.inputs = append(c.inputs, m[k])
	}
	return vk
}

func environmentOf(vk varKeys, values []any) []keyValue {
	env := []keyValue{}
	for i, k := range vk.keys {
		env = append(env, keyValue{Name: k, Value: values[vk.first+i].(string)})
	}
	return env
}

func secretsOf(vk varKeys, values []any) []secretRef {
	refs := []secretRef{}
	for i, k := range vk.keys {
		refs = append(refs, secretRef{Name: k, ValueFrom: values[vk.first+i].(string)})
	}
	return refs
}
