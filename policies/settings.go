package policies

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Stack config keys the rules read (values as the Pulumi CLI hands them to a
// program: namespaced keys, string values, project schema defaults applied).
const (
	// KeyProductionGrade marks a production-grade stack explicitly.
	KeyProductionGrade = "shopstack:policyProductionGrade"
	// KeyProtectStateful is the stacks' own production switch; it stands in for
	// KeyProductionGrade when that key is not declared.
	KeyProtectStateful = "shopstack:protectStateful"
	// KeyBudgetUSD is the idle monthly budget in USD.
	KeyBudgetUSD = "shopstack:policyBudgetUsd"
	// KeyMaxInstanceSize is the largest instance size allowed (default xlarge).
	KeyMaxInstanceSize = "shopstack:policyMaxInstanceSize"
	// KeyRequiredTags is a comma-separated list of tag keys (default project,stack,managed-by).
	KeyRequiredTags = "shopstack:policyRequiredTags"
	// KeyDefaultTags is the default AWS provider's tags.
	KeyDefaultTags = "aws:defaultTags"
)

// SettingsFromConfig builds the rule settings of a stack from its effective
// configuration. Errors name the key.
func SettingsFromConfig(stack string, config map[string]string) (Settings, error) {
	s := Settings{Stack: stack, RequiredTags: slices.Clone(DefaultRequiredTags)}
	boolKey := func(k string) (bool, bool, error) {
		v, ok := config[k]
		if !ok {
			return false, false, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, false, fmt.Errorf("policies: config %s: %q is not a boolean", k, v)
		}
		return b, true, nil
	}
	if b, ok, err := boolKey(KeyProductionGrade); err != nil {
		return s, err
	} else if ok {
		s.ProductionGrade = b
	} else if b, _, err := boolKey(KeyProtectStateful); err != nil {
		return s, err
	} else {
		s.ProductionGrade = b
	}
	if v, ok := config[KeyBudgetUSD]; ok && v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return s, fmt.Errorf("policies: config %s: %q is not a non-negative number", KeyBudgetUSD, v)
		}
		s.BudgetUSD = f
	}
	if v, ok := config[KeyMaxInstanceSize]; ok && v != "" {
		if !slices.Contains(sizeOrder, v) {
			return s, fmt.Errorf("policies: config %s: %q is not an instance size (%s)", KeyMaxInstanceSize, v,
				strings.Join(sizeOrder, ", "))
		}
		s.MaxInstanceSize = v
	}
	if v, ok := config[KeyRequiredTags]; ok {
		s.RequiredTags = nil
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				s.RequiredTags = append(s.RequiredTags, t)
			}
		}
	}
	if v, ok := config[KeyDefaultTags]; ok && v != "" {
		var dt struct {
			Tags map[string]string `json:"tags"`
		}
		if err := json.Unmarshal([]byte(v), &dt); err != nil {
			return s, fmt.Errorf("policies: config %s: %w", KeyDefaultTags, err)
		}
		s.DefaultTags = dt.Tags
	}
	return s, nil
}
