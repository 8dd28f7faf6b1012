package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// stateful are the resource types that hold data a replacement or deletion would lose (with the aliases the
// policies know, e.g. the Elasticsearch spelling of a search domain).
var stateful = map[string]string{
	"aws:rds/instance:Instance":                         "database",
	"aws:rds/cluster:Cluster":                           "database",
	"aws:rds/clusterInstance:ClusterInstance":           "database",
	"aws:elasticache/replicationGroup:ReplicationGroup": "cache",
	"aws:elasticache/cluster:Cluster":                   "cache",
	"aws:elasticache/serverlessCache:ServerlessCache":   "cache",
	"aws:opensearch/domain:Domain":                      "search domain",
	"aws:elasticsearch/domain:Domain":                   "search domain",
	"aws:dynamodb/table:Table":                          "table",
	"aws:efs/fileSystem:FileSystem":                     "file system",
	"aws:s3/bucketV2:BucketV2":                          "bucket",
	"aws:s3/bucket:Bucket":                              "bucket",
}

// replaceOnChange lists, per stateful type, the inputs whose change makes the AWS provider replace the
// resource (delete and create) instead of updating it in place.
var replaceOnChange = map[string][]string{
	"aws:rds/instance:Instance": {"identifier", "identifierPrefix", "engine", "storageEncrypted", "kmsKeyId",
		"availabilityZone", "dbName", "username", "characterSetName", "timezone", "snapshotIdentifier"},
	"aws:rds/cluster:Cluster": {"clusterIdentifier", "clusterIdentifierPrefix", "engine", "engineMode",
		"storageEncrypted", "kmsKeyId", "databaseName", "masterUsername", "availabilityZones", "dbSubnetGroupName",
		"snapshotIdentifier"},
	"aws:rds/clusterInstance:ClusterInstance": {"identifier", "identifierPrefix", "clusterIdentifier", "engine",
		"availabilityZone", "dbSubnetGroupName"},
	"aws:elasticache/replicationGroup:ReplicationGroup": {"replicationGroupId", "atRestEncryptionEnabled",
		"kmsKeyId", "subnetGroupName", "port", "snapshotArns", "snapshotName", "dataTieringEnabled"},
	"aws:elasticache/cluster:Cluster":                 {"clusterId", "engine", "subnetGroupName", "port", "snapshotArns"},
	"aws:elasticache/serverlessCache:ServerlessCache": {"name", "engine", "kmsKeyId", "subnetIds"},
	"aws:opensearch/domain:Domain":                    {"domainName", "encryptAtRest", "vpcOptions.subnetIds"},
	"aws:elasticsearch/domain:Domain":                 {"domainName", "encryptAtRest", "vpcOptions.subnetIds"},
	"aws:dynamodb/table:Table":                        {"name", "hashKey", "rangeKey"},
	"aws:efs/fileSystem:FileSystem":                   {"encrypted", "kmsKeyId", "performanceMode", "creationToken", "availabilityZoneName"},
	"aws:s3/bucketV2:BucketV2":                        {"bucket", "bucketPrefix", "objectLockEnabled"},
	"aws:s3/bucket:Bucket":                            {"bucket", "bucketPrefix", "objectLockEnabled"},
}

// Change is one property-level difference, by path ("a.b[0].c").
type Change struct {
	Path          string
	Before, After any // nil when absent
}

// Changed is one resource present in both plans with different inputs or options.
type Changed struct {
	Old, New Resource
	Changes  []Change
	Replaces bool // a replace-forcing input of a stateful resource changed
}

// Delta is the difference between two plans.
type Delta struct {
	Stack          string
	Added, Removed []Resource
	Changed        []Changed
	OldUSD, NewUSD float64
	Warnings       []string
	// SiteFiles makes the markdown list every added, removed or changed file of a StaticSite instead of
	// summarising them per site.
	SiteFiles bool
}

// Compare computes the difference from old to cur, matching resources by URN.
func Compare(old, cur *Plan) Delta {
	d := Delta{Stack: cur.Stack, OldUSD: old.Cost.MonthlyUSD, NewUSD: cur.Cost.MonthlyUSD}
	oldBy := map[string]Resource{}
	for _, r := range old.Resources {
		oldBy[r.URN] = r
	}
	newBy := map[string]Resource{}
	for _, r := range cur.Resources {
		newBy[r.URN] = r
		o, ok := oldBy[r.URN]
		if !ok {
			d.Added = append(d.Added, r)
			continue
		}
		changes := diffValues("", o.Inputs, r.Inputs)
		if o.Protect != r.Protect {
			changes = append(changes, Change{Path: "(protect)", Before: o.Protect, After: r.Protect})
		}
		if o.Parent != r.Parent {
			changes = append(changes, Change{Path: "(parent)", Before: o.Parent, After: r.Parent})
		}
		if o.Bytes != r.Bytes {
			changes = append(changes, Change{Path: "(bytes)", Before: o.Bytes, After: r.Bytes})
		}
		if len(changes) == 0 {
			continue
		}
		c := Changed{Old: o, New: r, Changes: changes}
		for _, ch := range changes {
			if forcesReplace(r.Type, ch.Path) {
				c.Replaces = true
			}
		}
		d.Changed = append(d.Changed, c)
	}
	for _, r := range old.Resources {
		if _, ok := newBy[r.URN]; !ok {
			d.Removed = append(d.Removed, r)
		}
	}
	d.Warnings = warnings(d)
	return d
}

func forcesReplace(typ, path string) bool {
	for _, p := range replaceOnChange[typ] {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

func warnings(d Delta) []string {
	var w []string
	added := map[string]bool{}
	for _, r := range d.Added {
		added[r.Type+"\x00"+r.Name] = true
	}
	for _, r := range d.Removed {
		kind, ok := stateful[r.Type]
		if !ok {
			continue
		}
		if added[r.Type+"\x00"+r.Name] {
			w = append(w, fmt.Sprintf("%s `%s` (`%s`) moves to a new URN: without `pulumi.Aliases` Pulumi REPLACES it and its data is lost", kind, r.Name, r.Type))
		} else {
			w = append(w, fmt.Sprintf("%s `%s` (`%s`) is DELETED with its data", kind, r.Name, r.Type))
		}
	}
	for _, c := range d.Changed {
		kind, ok := stateful[c.New.Type]
		if !ok {
			continue
		}
		var paths, forcing, inPlace []string
		for _, ch := range c.Changes {
			p := "`" + ch.Path + "`"
			paths = append(paths, p)
			if forcesReplace(c.New.Type, ch.Path) {
				forcing = append(forcing, p)
			} else {
				inPlace = append(inPlace, p)
			}
		}
		switch {
		case c.Replaces:
			msg := fmt.Sprintf("%s `%s` (`%s`) is REPLACED (data loss) by a change to %s", kind, c.New.Name, c.New.Type, strings.Join(forcing, ", "))
			if len(inPlace) > 0 {
				msg += "; also changes " + strings.Join(inPlace, ", ")
			}
			w = append(w, msg)
		case c.Old.Protect && !c.New.Protect:
			w = append(w, fmt.Sprintf("%s `%s` (`%s`) loses `protect`", kind, c.New.Name, c.New.Type))
		default:
			w = append(w, fmt.Sprintf("%s `%s` (`%s`) changes in place: %s", kind, c.New.Name, c.New.Type, strings.Join(paths, ", ")))
		}
	}
	return w
}

// diffValues lists the paths where a and b differ; arrays compare element by element.
func diffValues(path string, a, b any) []Change {
	if reflect.DeepEqual(a, b) {
		return nil
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []Change
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, diffValues(p, am[k], bm[k])...)
		}
		return out
	}
	if as, bs, ok := jsonDocs(a, b); ok {
		// Policies and container definitions are JSON inside a string: compare what they say.
		return diffValues(path+"(json)", as, bs)
	}
	aa, aok := a.([]any)
	ba, bok := b.([]any)
	if aok && bok && len(aa) == len(ba) {
		var out []Change
		for i := range aa {
			out = append(out, diffValues(path+"["+strconv.Itoa(i)+"]", aa[i], ba[i])...)
		}
		return out
	}
	if aok && bok {
		return diffLists(path, aa, ba)
	}
	return []Change{{Path: path, Before: a, After: b}}
}

// diffLists compares lists of different lengths as multisets: each element of a without an equal element
// in b is removed (at its index in a), each element of b without an equal one in a is added (at its index
// in b). Two whole lists, cut to one table cell, would hide which element came or went.
func diffLists(path string, a, b []any) []Change {
	matched := make([]bool, len(b))
	var removed []Change
	for i, x := range a {
		found := false
		for j, y := range b {
			if !matched[j] && reflect.DeepEqual(x, y) {
				matched[j], found = true, true
				break
			}
		}
		if !found {
			removed = append(removed, Change{Path: path + "[" + strconv.Itoa(i) + "]", Before: x})
		}
	}
	out := removed
	for j, y := range b {
		if !matched[j] {
			out = append(out, Change{Path: path + "[" + strconv.Itoa(j) + "]", After: y})
		}
	}
	return out
}

// jsonDocs parses a and b when both are strings holding a JSON object or array.
func jsonDocs(a, b any) (any, any, bool) {
	as, aok := a.(string)
	bs, bok := b.(string)
	if !aok || !bok {
		return nil, nil, false
	}
	parse := func(s string) (any, bool) {
		t := strings.TrimSpace(s)
		if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			return nil, false
		}
		var v any
		return v, json.Unmarshal([]byte(t), &v) == nil
	}
	av, ok1 := parse(as)
	bv, ok2 := parse(bs)
	return av, bv, ok1 && ok2
}

// maxChangesShown caps the property rows per changed resource in the markdown.
const maxChangesShown = 40

// Markdown renders the delta for a pull-request comment: the stateful warning first, then the cost delta,
// the sections (the policy report), then added, removed and changed resources with property-level diffs.
func (d Delta) Markdown(sections ...Section) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Stack `%s`\n\n", d.Stack)
	if len(d.Warnings) > 0 {
		b.WriteString("> [!CAUTION]\n> **This change touches stateful resources.** Review before merging:\n")
		for _, w := range d.Warnings {
			fmt.Fprintf(&b, "> - %s\n", w)
		}
		b.WriteString("\n")
	}
	delta := d.NewUSD - d.OldUSD
	fmt.Fprintf(&b, "**Idle monthly cost:** $%.2f → $%.2f (**%s**)\n\n", d.OldUSD, d.NewUSD, signed(delta))
	// The reports (the policy report) come before the resource lists, so truncating a long diff never
	// hides a violation.
	for _, s := range sections {
		fmt.Fprintf(&b, "#### %s\n\n%s\n\n", s.Title, strings.TrimRight(s.Markdown, "\n"))
	}
	if len(d.Added)+len(d.Removed)+len(d.Changed) == 0 {
		b.WriteString("No resource changes.\n\n")
	}
	d.resourceTable(&b, "Added", d.Added)
	d.resourceTable(&b, "Removed", d.Removed)
	d.changed(&b)
	return b.String()
}

// resourceTable writes the added or removed resources, a StaticSite's files as one row per site.
func (d Delta) resourceTable(b *strings.Builder, title string, rs []Resource) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(b, "#### %s (%d)\n\n| Resource | Type |\n|---|---|\n", title, len(rs))
	files, rest := []Resource(nil), rs
	if !d.SiteFiles {
		files, rest = splitSiteObjects(rs)
	}
	for _, r := range rest {
		fmt.Fprintf(b, "| `%s` | `%s` |\n", r.Name, r.Type)
	}
	for _, u := range summariseSites(files) {
		var classes []string
		for _, c := range u.Classes {
			classes = append(classes, mdCell(c.String()))
		}
		fmt.Fprintf(b, "| `%s`: %s; by cacheControl %s (each file: `-site-files`) | `%s` |\n",
			urnName(u.Site), u, strings.Join(classes, "; "), siteObjectType)
	}
	b.WriteString("\n")
}

// changed writes each changed resource's property table, a StaticSite's files as one line per site naming
// the properties that changed and in how many files.
func (d Delta) changed(b *strings.Builder) {
	if len(d.Changed) == 0 {
		return
	}
	fmt.Fprintf(b, "#### Changed (%d)\n\n", len(d.Changed))
	cut := false
	var files []Resource
	paths := map[string]map[string]int{} // site URN -> changed path -> files
	for _, c := range d.Changed {
		if !d.SiteFiles && isSiteObject(c.New) {
			files = append(files, c.New)
			if paths[c.New.Parent] == nil {
				paths[c.New.Parent] = map[string]int{}
			}
			for _, ch := range c.Changes {
				paths[c.New.Parent][ch.Path]++
			}
			continue
		}
		tag := ""
		if c.Replaces {
			tag = " — **replaces**"
		}
		fmt.Fprintf(b, "<details><summary><code>%s</code> (<code>%s</code>)%s: %d properties</summary>\n\n",
			c.New.Name, c.New.Type, tag, len(c.Changes))
		b.WriteString("| Property | Before | After |\n|---|---|---|\n")
		for i, ch := range c.Changes {
			if i == maxChangesShown {
				fmt.Fprintf(b, "| … %d more | | |\n", len(c.Changes)-maxChangesShown)
				break
			}
			before, cutBefore := cell(ch.Before)
			after, cutAfter := cell(ch.After)
			cut = cut || cutBefore || cutAfter
			fmt.Fprintf(b, "| `%s` | %s | %s |\n", ch.Path, before, after)
		}
		b.WriteString("\n</details>\n\n")
	}
	for _, u := range summariseSites(files) {
		var changed []string
		for p, n := range paths[u.Site] {
			changed = append(changed, fmt.Sprintf("`%s` in %s", p, count(n, "file")))
		}
		sort.Strings(changed)
		fmt.Fprintf(b, "`%s` (`%s`): %s changed: %s (each file: `-site-files`)\n\n",
			urnName(u.Site), siteObjectType, u, strings.Join(changed, ", "))
	}
	if cut {
		b.WriteString("Values cut with … are whole in the plan JSON files.\n\n")
	}
}

func signed(v float64) string {
	if v >= 0.005 {
		return fmt.Sprintf("+$%.2f", v)
	}
	if v <= -0.005 {
		return fmt.Sprintf("-$%.2f", -v)
	}
	return "±$0.00"
}

// cell renders a value for a markdown table cell: one line, pipes escaped, cut short (and says if it was).
func cell(v any) (string, bool) {
	if v == nil {
		return "_(absent)_", false
	}
	s, cut := compact(v, 80)
	return "`" + mdCell(s) + "`", cut
}

// mdCell makes s safe inside a code span in a table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "`", "'")
}

// Truncate cuts markdown to at most limit bytes on a line boundary, closing an open <details> block, and says
// so: a GitHub comment body is limited to 65536 characters.
func Truncate(md string, limit int) string {
	if len(md) <= limit {
		return md
	}
	const note = "\n\n</details>\n\n> Output truncated: run `make plan-diff` locally for the full diff.\n"
	if limit < len(note)+1 {
		// No room for the note: the whole lines that fit, or nothing (never half a rune).
		cut := md[:limit]
		if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
			return cut[:i+1]
		}
		return ""
	}
	cut := md[:limit-len(note)]
	cut = cut[:max(strings.LastIndexByte(cut, '\n'), 0)]
	if strings.Count(cut, "<details>") <= strings.Count(cut, "</details>") {
		return cut + strings.Replace(note, "\n\n</details>", "", 1)
	}
	return cut + note
}
