package shop

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What the Parse constructors of every entity share: the JSON decoding, ids and text.

// DecodeJSON decodes exactly one JSON value into v, rejecting unknown fields and trailing data.
// Syntax errors are CodeMalformedJSON; well-formed JSON of the wrong shape is CodeInvalidInput.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Errorf(CodeMalformedJSON, "the body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(CodeMalformedJSON, "the body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return invalidField(field, "must be a JSON "+jsonKind(typ.Type.String()))
	}
	// encoding/json reports an unknown field only as text; its message names the field and is
	// about the client's own input, so it is safe to return.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalidField(strings.Trim(name, `"`), "unknown field")
	}
	return Errorf(CodeInvalidInput, "the body does not match the expected JSON shape")
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "*int"):
		return "integer in range"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case strings.Contains(goType, "string"):
		return "string"
	case strings.Contains(goType, "bool"):
		return "boolean"
	}
	return "object"
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ParseID validates an opaque id (a lowercase UUID) from a path or a body.
func ParseID(s string) (string, bool) {
	s = strings.ToLower(s)
	return s, uuidRE.MatchString(s)
}

// parseText trims s and checks its length in runes and that it holds no control characters
// (newlines and tabs are allowed when multiline).
func parseText(s string, minLen, maxLen int, multiline bool) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", false
	}
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen {
		return "", false
	}
	for _, r := range s {
		allowed := multiline && (r == '\n' || r == '\t' || r == '\r')
		if unicode.IsControl(r) && !allowed {
			return "", false
		}
	}
	return s, true
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
