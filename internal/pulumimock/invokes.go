package pulumimock

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// exampleAMI answers every image lookup. AMI ids are checked for their shape (ami- and 17 hex digits),
// which leaves no room for the mock marker, so the mock answers AWS's documentation example, as it does
// with the account.
const exampleAMI = "ami-0abcdef1234567890"

// AWS-managed CloudFront policies, by name, with their real ids.
var (
	managedCachePolicies = map[string]string{
		"Managed-CachingOptimized":                       "658327ea-f89d-4fab-a63d-7e88639e58f6",
		"Managed-CachingDisabled":                        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
		"Managed-CachingOptimizedForUncompressedObjects": "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
		"Managed-Elemental-MediaPackage":                 "08627262-05a9-4f76-9ded-b50ca2e3a84f",
		"Managed-Amplify":                                "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
	}
	managedOriginRequestPolicies = map[string]string{
		"Managed-AllViewer":                             "216adef6-5c7f-47e4-b989-5492eafa07d3",
		"Managed-AllViewerExceptHostHeader":             "b689b0a8-53d0-40ab-baf2-68738e2966ac",
		"Managed-AllViewerAndCloudFrontHeaders-2022-06": "33f36d7e-f396-46d9-90e0-52428a34d9dc",
		"Managed-CORS-CustomOrigin":                     "59781a5b-3903-41f3-afcb-af62929ccde1",
		"Managed-CORS-S3Origin":                         "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
		"Managed-UserAgentRefererHeaders":               "acba4595-bd28-49b8-b9fe-13317c0390fa",
	}
	managedResponseHeadersPolicies = map[string]string{
		"Managed-SecurityHeadersPolicy":                         "67f7725c-6f97-4210-82d7-5512b31e9d03",
		"Managed-SimpleCORS":                                    "60669652-455b-4ae9-85a4-c4c02393f86c",
		"Managed-CORS-With-Preflight":                           "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
		"Managed-CORS-and-SecurityHeadersPolicy":                "e61eb60c-9c35-4d20-a928-2b84e02af89c",
		"Managed-CORS-with-preflight-and-SecurityHeadersPolicy": "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
	}
	// managedPrefixLists are AWS-managed prefix lists (ids as in us-east-1).
	managedPrefixLists = map[string]string{
		"com.amazonaws.global.cloudfront.origin-facing": "pl-3b927c52",
		"com.amazonaws.us-east-1.s3":                    "pl-63a5400a",
		"com.amazonaws.us-east-1.dynamodb":              "pl-02cd2c6b",
	}
)

// answer returns the result of an invoke. Unknown tokens echo their arguments,
// so a missing answer shows up in the recorded invokes and in the program's values.
func (r *Recorder) answer(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	fn, ok := invokes[token]
	if !ok {
		return args, nil
	}
	return fn(r, invoke{outs: outs{pm: args}, h: hash(token, fmt.Sprint(args.Mappable()))})
}

// invoke is one data-source call's arguments, and a hash of them for the values the mock makes up.
type invoke struct {
	outs
	h string
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

// invokes answer the data sources the programs call, by function token.
var invokes = map[string]func(r *Recorder, a invoke) (resource.PropertyMap, error){
	"aws:index/getRegion:getRegion":                                    getRegion,
	"aws:index/getCallerIdentity:getCallerIdentity":                    getCallerIdentity,
	"aws:index/getPartition:getPartition":                              getPartition,
	"aws:index/getAvailabilityZones:getAvailabilityZones":              getAvailabilityZones,
	"aws:index/getDefaultTags:getDefaultTags":                          getDefaultTags,
	"aws:ec2/getAmi:getAmi":                                            getAmi,
	"aws:ssm/getParameter:getParameter":                                getParameter,
	"aws:ec2/getManagedPrefixList:getManagedPrefixList":                getManagedPrefixList,
	"aws:iam/getPolicyDocument:getPolicyDocument":                      getPolicyDocument,
	"aws:cloudfront/getCachePolicy:getCachePolicy":                     managed("cache policy", managedCachePolicies),
	"aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy":     managed("origin request policy", managedOriginRequestPolicies),
	"aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy": managed("response headers policy", managedResponseHeadersPolicies),
	"aws:elb/getServiceAccount:getServiceAccount":                      getServiceAccount,
	"aws:lb/getServiceAccount:getServiceAccount":                       getServiceAccount,
	"aws:route53/getZone:getZone":                                      getZone,
	"aws:acm/getCertificate:getCertificate":                            getCertificate,
	"aws:secretsmanager/getRandomPassword:getRandomPassword":           getRandomPassword,
}

func getRegion(r *Recorder, _ invoke) (resource.PropertyMap, error) {
	return props(map[string]any{"name": r.region, "id": r.region, "region": r.region,
		"description": r.region, "endpoint": "ec2." + r.region + ".amazonaws.com"}), nil
}

func getCallerIdentity(r *Recorder, _ invoke) (resource.PropertyMap, error) {
	return props(map[string]any{"accountId": r.accountID, "id": r.accountID,
		"arn": "arn:aws:iam::" + r.accountID + ":user/mock", "userId": "AIDAMOCK"}), nil
}

func getPartition(*Recorder, invoke) (resource.PropertyMap, error) {
	return props(map[string]any{"partition": "aws", "id": "aws", "dnsSuffix": "amazonaws.com",
		"reverseDnsPrefix": "com.amazonaws"}), nil
}

func getDefaultTags(*Recorder, invoke) (resource.PropertyMap, error) {
	return props(map[string]any{"tags": map[string]any{}, "id": "aws"}), nil
}

func getRandomPassword(_ *Recorder, a invoke) (resource.PropertyMap, error) {
	return props(map[string]any{"id": "random", "randomPassword": randomText(a.h, a.num("passwordLength", 32))}), nil
}

func getAvailabilityZones(r *Recorder, _ invoke) (resource.PropertyMap, error) {
	names, ids := make([]any, len(r.azs)), make([]any, len(r.azs))
	for i, az := range r.azs {
		names[i] = az
		ids[i] = fmt.Sprintf("%s-az%d", shortRegion(r.region), i+1)
	}
	return props(map[string]any{"names": names, "zoneIds": ids, "id": r.region,
		"groupNames": []any{r.region}, "state": "available"}), nil
}

func getAmi(_ *Recorder, a invoke) (resource.PropertyMap, error) {
	arch := "arm64"
	if strings.Contains(fmt.Sprint(a.pm.Mappable()), "x86_64") {
		arch = "x86_64"
	}
	return props(map[string]any{"id": exampleAMI, "imageId": exampleAMI, "architecture": arch,
		"name": "al2023-ami-mock-" + arch, "ownerId": "137112412989"}), nil
}

func getParameter(r *Recorder, a invoke) (resource.PropertyMap, error) {
	name := a.str("name")
	value := "mock-value-of-" + name
	if strings.Contains(name, "ami") {
		value = exampleAMI
	}
	return props(map[string]any{"id": name, "name": name, "value": value, "insecureValue": value,
		"type": "String", "version": float64(1),
		"arn": fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", r.region, r.accountID, name)}), nil
}

func getManagedPrefixList(r *Recorder, a invoke) (resource.PropertyMap, error) {
	name := a.str("name")
	if name == "" {
		name = prefixListFilterName(a.pm)
	}
	id := a.str("id")
	if id == "" {
		id = managedPrefixLists[name]
	}
	if id == "" {
		return nil, errorf("no managed prefix list named %q (known: %v)", name, keys(managedPrefixLists))
	}
	return props(map[string]any{"id": id, "name": name, "addressFamily": "IPv4", "maxEntries": float64(55),
		"ownerId": "AWS", "entries": []any{}, "version": float64(1),
		"arn": fmt.Sprintf("arn:aws:ec2:%s:aws:prefix-list/%s", r.region, id)}), nil
}

func getPolicyDocument(_ *Recorder, a invoke) (resource.PropertyMap, error) {
	doc, err := renderPolicyDocument(a.pm)
	if err != nil {
		return nil, err
	}
	return props(map[string]any{"id": mockID(hash(doc), 10), "json": doc, "minifiedJson": doc}), nil
}

// getServiceAccount is the ELB account of us-east-1; other regions have their own.
func getServiceAccount(*Recorder, invoke) (resource.PropertyMap, error) {
	return props(map[string]any{"id": "127311923021", "arn": "arn:aws:iam::127311923021:root"}), nil
}

func getZone(_ *Recorder, a invoke) (resource.PropertyMap, error) {
	name := strings.TrimSuffix(a.str("name"), ".")
	id := a.str("zoneId")
	if id == "" {
		id = "Z" + mockIDUpper(hash(name), 16)
	}
	return props(map[string]any{"id": id, "zoneId": id, "name": name,
		"arn": "arn:aws:route53:::hostedzone/" + id, "privateZone": false}), nil
}

func getCertificate(r *Recorder, a invoke) (resource.PropertyMap, error) {
	d := a.str("domain")
	return props(map[string]any{"id": d, "domain": d, "status": "ISSUED",
		"arn": fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", r.region, r.accountID, mockUUID(hash(d)))}), nil
}

// managed answers a lookup of an AWS-managed CloudFront policy by name (or id).
func managed(what string, ids map[string]string) func(*Recorder, invoke) (resource.PropertyMap, error) {
	return func(_ *Recorder, a invoke) (resource.PropertyMap, error) {
		name := a.str("name")
		id := a.str("id")
		if id == "" {
			id = ids[name]
		}
		if id == "" {
			return nil, errorf("no managed CloudFront %s named %q (known: %v)", what, name, keys(ids))
		}
		return props(map[string]any{"id": id, "name": name, "etag": "E" + mockIDUpper(hash(id), 9)}), nil
	}
}

// prefixListFilterName reads filters [{name: "prefix-list-name", values: [X]}].
func prefixListFilterName(args resource.PropertyMap) string {
	f, ok := args["filters"]
	if !ok || !f.IsArray() {
		return ""
	}
	for _, e := range f.ArrayValue() {
		if !e.IsObject() {
			continue
		}
		o := e.ObjectValue()
		if n, ok := o["name"]; ok && n.IsString() && n.StringValue() == "prefix-list-name" {
			if v, ok := o["values"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 && v.ArrayValue()[0].IsString() {
				return v.ArrayValue()[0].StringValue()
			}
		}
	}
	return ""
}

// renderPolicyDocument renders iam.getPolicyDocument's arguments the way the
// provider does: single values as strings, lists otherwise.
func renderPolicyDocument(args resource.PropertyMap) (string, error) {
	m := Plain(args, false)
	doc := map[string]any{"Version": "2012-10-17"}
	if v, ok := m["version"].(string); ok && v != "" {
		doc["Version"] = v
	}
	if id, ok := m["policyId"].(string); ok && id != "" {
		doc["Id"] = id
	}
	var stmts []any
	list, _ := m["statements"].([]any)
	for _, raw := range list {
		s, ok := raw.(map[string]any)
		if !ok {
			return "", errorf("getPolicyDocument: statement is %T, want an object", raw)
		}
		out := map[string]any{"Effect": "Allow"}
		if e, ok := s["effect"].(string); ok && e != "" {
			out["Effect"] = e
		}
		if sid, ok := s["sid"].(string); ok && sid != "" {
			out["Sid"] = sid
		}
		for in, key := range map[string]string{"actions": "Action", "notActions": "NotAction",
			"resources": "Resource", "notResources": "NotResource"} {
			if v := oneOrMany(s[in]); v != nil {
				out[key] = v
			}
		}
		for in, key := range map[string]string{"principals": "Principal", "notPrincipals": "NotPrincipal"} {
			ps, _ := s[in].([]any)
			if len(ps) == 0 {
				continue
			}
			pm := map[string]any{}
			for _, p := range ps {
				p, _ := p.(map[string]any)
				typ, _ := p["type"].(string)
				if typ == "*" {
					out[key] = "*"
					continue
				}
				pm[typ] = oneOrMany(p["identifiers"])
			}
			if len(pm) > 0 {
				out[key] = pm
			}
		}
		if cs, _ := s["conditions"].([]any); len(cs) > 0 {
			cm := map[string]any{}
			for _, c := range cs {
				c, _ := c.(map[string]any)
				test, _ := c["test"].(string)
				variable, _ := c["variable"].(string)
				inner, _ := cm[test].(map[string]any)
				if inner == nil {
					inner = map[string]any{}
					cm[test] = inner
				}
				inner[variable] = oneOrMany(c["values"])
			}
			out["Condition"] = cm
		}
		stmts = append(stmts, out)
	}
	doc["Statement"] = stmts
	b, err := json.Marshal(doc)
	if err != nil {
		return "", errorf("getPolicyDocument: %v", err)
	}
	return string(b), nil
}

func oneOrMany(v any) any {
	l, ok := v.([]any)
	if !ok {
		return nil
	}
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
