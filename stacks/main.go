// Command stacks is the shopstack Pulumi program (Pulumi.yaml: main: stacks/). All logic lives in package
// infra so tests and the offline plan run the same code.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/stacks/infra"
)

func main() { pulumi.Run(infra.Program) }
