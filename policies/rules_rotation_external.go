package policies

import (
	"net/mail"
	"regexp"
	"strconv"
)

// Tags of a secret issued outside AWS (the stack sets them: stacks/infra/payments.go).
const (
	RotationTag         = "rotation"
	RotationExternal    = "external"
	RotationOwnerTag    = "rotation-owner"
	RotationIntervalTag = "rotation-interval-days"
	// MaxExternalRotationDays is the longest interval accepted: a year, as PCI DSS asks of key changes.
	MaxExternalRotationDays = 365
)

// reminderRate is an EventBridge rate of whole days.
var reminderRate = regexp.MustCompile(`^rate\((\d+) days?\)$`)

// externalRotation is secrets-rotation for a secret tagged rotation=external: the tags name an owner (an email
// address) and an interval (1 to MaxExternalRotationDays days), and an EventBridge rule on a schedule no longer
// than the interval has a target whose input came from the secret (the reminder says which secret to roll).
func externalRotation(c *Check, s *Stack, sec Resource) {
	tags := sec.Get("tags")
	owner, _ := tags.Field(RotationOwnerTag).Str()
	if a, err := mail.ParseAddress(owner); err != nil || a.Address != owner {
		c.Fail(sec, "rotation=external without a %s tag naming who rotates it (an email address), got %q", RotationOwnerTag, owner)
	}
	raw, _ := tags.Field(RotationIntervalTag).Str()
	days, err := strconv.Atoi(raw)
	if err != nil || days < 1 || days > MaxExternalRotationDays {
		c.Fail(sec, "rotation=external without a %s tag of 1 to %d days, got %q", RotationIntervalTag, MaxExternalRotationDays, raw)
		return
	}
	targets := s.Referencing(sec, tEventTarget, "input")
	if len(targets) == 0 {
		c.Fail(sec, "rotation=external but no EventBridge target's input names this secret: nobody is reminded to rotate it")
		return
	}
	for _, t := range targets {
		for _, rule := range s.Deps(t, "rule") {
			if !tEventRule.Has(rule.Type) {
				continue
			}
			expr := rule.Get("scheduleExpression")
			if expr.State == Unknown {
				c.Unknown(rule, "scheduleExpression")
				return
			}
			v, _ := expr.Str()
			if m := reminderRate.FindStringSubmatch(v); m != nil {
				if n, _ := strconv.Atoi(m[1]); n <= days {
					return
				}
			}
		}
	}
	c.Fail(sec, "rotation=external: the reminder's rule is not scheduled as rate(N days) with N at most %s=%d", RotationIntervalTag, days)
}
