package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/shopstack/shopstack/stacks/infra"
)

// Schema is one key of the project's typed config schema (Pulumi.yaml `config:`).
type Schema struct {
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
	Default     any    `yaml:"default"`
	Secret      bool   `yaml:"secret"`
}

// Project is the part of Pulumi.yaml the plan reads.
type Project struct {
	Name    string            `yaml:"name"`
	Runtime any               `yaml:"runtime"`
	Main    string            `yaml:"main"`
	Config  map[string]Schema `yaml:"config"`
}

// StackConfig is a stack's effective configuration as the Pulumi CLI hands it to the program: schema defaults
// overlaid with the stack file's values, keys namespaced ("shopstack:natStrategy"), values as strings.
type StackConfig struct {
	Values     map[string]string
	SecretKeys []string
}

// secretPlaceholder stands for an encrypted stack value: the plan never has (or needs) the decryption key.
const secretPlaceholder = infra.OfflineSecretPlaceholder

// ReadProject parses repoRoot/Pulumi.yaml.
func ReadProject(repoRoot string) (Project, error) {
	var p Project
	b, err := os.ReadFile(filepath.Clean(filepath.Join(repoRoot, "Pulumi.yaml")))
	if err != nil {
		return p, fmt.Errorf("read project: %w", err)
	}
	if err := yaml.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("parse Pulumi.yaml: %w", err)
	}
	if p.Name == "" {
		return p, errors.New("project file Pulumi.yaml: missing name")
	}
	for k, s := range p.Config {
		switch s.Type {
		case "string", "integer", "boolean", "array":
		default:
			return p, fmt.Errorf("project file Pulumi.yaml: config %s: type %q is not string, integer, boolean or array", k, s.Type)
		}
		if s.Default != nil {
			if _, err := scalar(s.Type, s.Default); err != nil {
				return p, fmt.Errorf("project file Pulumi.yaml: config %s: default: %w", k, err)
			}
		}
	}
	return p, nil
}

// ReadStackConfig reads Pulumi.<stack>.yaml and applies the project's schema: defaults for absent keys, a type
// check for present ones (the error names the file and the key), unknown project keys rejected.
func ReadStackConfig(repoRoot, stack string) (StackConfig, error) {
	proj, err := ReadProject(repoRoot)
	if err != nil {
		return StackConfig{}, err
	}
	file := "Pulumi." + stack + ".yaml"
	b, err := os.ReadFile(filepath.Clean(filepath.Join(repoRoot, file)))
	if err != nil {
		return StackConfig{}, fmt.Errorf("stack %q: %w", stack, err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return StackConfig{}, fmt.Errorf("parse %s: %w", file, err)
	}

	sc := StackConfig{Values: map[string]string{}}
	secret := map[string]bool{}
	for key, s := range proj.Config {
		full := proj.Name + ":" + key
		if s.Default != nil {
			v, _ := scalar(s.Type, s.Default)
			sc.Values[full] = v
		}
	}
	for key, raw := range doc.Config {
		full := key
		if !strings.Contains(key, ":") {
			full = proj.Name + ":" + key
		}
		ns, name, _ := strings.Cut(full, ":")
		s, declared := proj.Config[name]
		if ns == proj.Name && !declared {
			return StackConfig{}, fmt.Errorf("%s: %s: not declared in Pulumi.yaml's config schema", file, full)
		}
		if m, ok := raw.(map[string]any); ok {
			if _, enc := m["secure"]; enc && len(m) == 1 {
				sc.Values[full] = secretPlaceholder
				secret[full] = true
				continue
			}
		}
		if ns != proj.Name {
			v, err := scalar("", raw)
			if err != nil {
				return StackConfig{}, fmt.Errorf("%s: %s: %w", file, full, err)
			}
			sc.Values[full] = v
			continue
		}
		v, err := scalar(s.Type, raw)
		if err != nil {
			return StackConfig{}, fmt.Errorf("%s: %s: %w", file, full, err)
		}
		sc.Values[full] = v
	}
	for k := range secret {
		if _, set := sc.Values[k]; set {
			sc.SecretKeys = append(sc.SecretKeys, k)
		}
	}
	sort.Strings(sc.SecretKeys)
	return sc, nil
}

// scalar renders a YAML value the way the Pulumi CLI passes config to a program, checking it against the
// schema type ("" accepts any scalar).
func scalar(typ string, v any) (string, error) {
	switch typ {
	case "integer":
		if n, ok := v.(int); ok {
			return strconv.Itoa(n), nil
		}
		return "", fmt.Errorf("want an integer, got %s", describe(v))
	case "boolean":
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
		return "", fmt.Errorf("want a boolean, got %s", describe(v))
	case "string":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return "", fmt.Errorf("want a string, got %s", describe(v))
	case "array":
		// The Pulumi CLI hands a structured value to the program as JSON.
		if l, ok := v.([]any); ok {
			b, err := json.Marshal(l)
			return string(b), err
		}
		return "", fmt.Errorf("want a list, got %s", describe(v))
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case int, bool, float64:
		return fmt.Sprint(x), nil
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return "", fmt.Errorf("unsupported value %s", describe(v))
		}
		return string(b), nil
	}
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case nil:
		return "nothing"
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
}
