package components

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LogRetentionDays are the retention periods CloudWatch Logs accepts. It is the one list: every component that
// creates a log group checks against it, and so does the stacks' config validation.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
	2557, 2922, 3288, 3653}

// IsLogRetention reports whether days is a retention CloudWatch Logs accepts.
func IsLogRetention(days int) bool { return slices.Contains(LogRetentionDays, days) }

// argErrors collects every problem with a component's arguments, so one run reports them all. Each message
// names its field as "<ArgsType>.<Field>: <problem>", the way a reader finds it in the code that builds the
// args.
type argErrors struct {
	typ  string
	errs []error
}

func newArgErrors(argsType string) *argErrors { return &argErrors{typ: argsType} }

// bad records one problem with field (a path below the args type, e.g. "Database.Engine").
func (e *argErrors) bad(field, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%s.%s: %s", e.typ, field, fmt.Sprintf(format, args...)))
}

// retention records a problem when days is not a CloudWatch Logs retention.
func (e *argErrors) retention(field string, days int) {
	if !IsLogRetention(days) {
		e.bad(field, "%d is not a CloudWatch Logs retention; allowed: %v", days, LogRetentionDays)
	}
}

func (e *argErrors) err() error { return errors.Join(e.errs...) }

// componentError prefixes err with the component kind and name ("api \"shop\": ..."), the one error-prefix
// style of every constructor.
func componentError(kind, name string, err error) error {
	return fmt.Errorf("%s %q: %w", kind, name, err)
}

// quoted lists an enum's values for a message: "A", "B".
func quoted[T ~string](values []T) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(string(v))
	}
	return strings.Join(q, ", ")
}

// mustJSON renders a policy document built from plain Go values; it cannot
// fail for maps, slices and strings, so a failure is a programming error.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("components: " + err.Error())
	}
	return string(b)
}

// engineVersionFollowsAWS is the option of a resource that upgrades its own minor engine versions
// (autoMinorVersionUpgrade): its engineVersion is the version it is created with. Without it, after AWS has
// upgraded the engine the next `pulumi up` (after a refresh) tries to go back ("Cannot upgrade
// aurora-postgresql from 16.6 to 16.4"). A major upgrade is a deliberate change of the code: the new
// version, the parameter group family, allowMajorVersionUpgrade, and this option lifted for that deploy.
func engineVersionFollowsAWS() pulumi.ResourceOption {
	return pulumi.IgnoreChanges([]string{"engineVersion"})
}
