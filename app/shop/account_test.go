package shop_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestParseRegistration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		code       shop.Code
		field      string
	}{
		{"valid", `{"email":"ada@example.com","password":"correct horse","name":"Ada"}`, "", ""},
		{"email with display name", `{"email":"Ada <ada@example.com>","password":"correct horse","name":"Ada"}`, shop.CodeInvalidInput, "email"},
		{"no domain dot", `{"email":"ada@localhost","password":"correct horse","name":"Ada"}`, shop.CodeInvalidInput, "email"},
		{"short password", `{"email":"ada@example.com","password":"short","name":"Ada"}`, shop.CodeInvalidInput, "password"},
		{"blank name", `{"email":"ada@example.com","password":"correct horse","name":"   "}`, shop.CodeInvalidInput, "name"},
		{"control char in name", `{"email":"ada@example.com","password":"correct horse","name":"A\u0000da"}`, shop.CodeInvalidInput, "name"},
		{"unknown field", `{"email":"ada@example.com","password":"correct horse","name":"Ada","is_admin":true}`, shop.CodeInvalidInput, "is_admin"},
		{"wrong type", `{"email":1,"password":"correct horse","name":"Ada"}`, shop.CodeInvalidInput, "email"},
		{"malformed", `{"email":`, shop.CodeMalformedJSON, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := shop.ParseRegistration([]byte(tt.body))
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, "ada@example.com", r.Email)
				return
			}
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code)
			if tt.field != "" {
				assert.Equal(t, tt.field, e.Details.([]shop.FieldError)[0].Field)
			}
		})
	}
}

func TestParseCredentials(t *testing.T) {
	t.Parallel()
	c, err := shop.ParseCredentials([]byte(`{"email":" a@example.com ","password":"pw"}`))
	require.NoError(t, err)
	assert.Equal(t, shop.Credentials{Email: "a@example.com", Password: "pw"}, c)
	for body, problem := range map[string]string{
		`{"email":"","password":"pw"}`:                    "is required",
		`{"email":"a@example.com","password":""}`:         "is required",
		`{"email":"a\u0000@example.com","password":"pw"}`: "must not contain control characters",
		`{"email":"a\n@example.com","password":"pw"}`:     "must not contain control characters",
	} {
		_, err := shop.ParseCredentials([]byte(body))
		var e *shop.Error
		require.ErrorAs(t, err, &e, body)
		assert.Equal(t, shop.CodeInvalidInput, e.Code, body)
		assert.Equal(t, problem, e.Details.([]shop.FieldError)[0].Problem, body)
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := shop.HashPassword("correct horse")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$"))
	assert.True(t, shop.CheckPassword(h, "correct horse"))
	assert.False(t, shop.CheckPassword(h, "correct horsE"))
	assert.False(t, shop.CheckPassword("garbage", "correct horse"))
	h2, err := shop.HashPassword("correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "salted")
}
