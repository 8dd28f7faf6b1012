package components

import "encoding/json"

// mustJSON renders a policy document built from plain Go values; it cannot
// fail for maps, slices and strings, so a failure is a programming error.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("components: " + err.Error())
	}
	return string(b)
}
