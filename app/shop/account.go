package shop

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// User is an account. The password hash never leaves the storage adapter.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	IsAdmin   bool      `json:"is_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is an authenticated login. Token is the secret sent to the client; only its hash is stored.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// AccountStore keeps users and their sessions. postgres.Store implements it.
//
// Register and Login start the session themselves, in the statement that proves the account
// and its credentials are still the ones just created or checked: a session never outlives a
// change of password or role that committed while it was being made (see EnsureAdmin).
type AccountStore interface {
	// Register creates the account and its first session. Registrations are rate-limited per
	// clientIP (CodeTooManyAttempts); the password is hashed under the store's bound (CodeBusy).
	Register(ctx context.Context, r Registration, clientIP string) (User, Session, error)
	// Login checks credentials under the login throttle, per account and per clientIP, and
	// starts a session.
	Login(ctx context.Context, c Credentials, clientIP string) (User, Session, error)
	UserBySession(ctx context.Context, token string) (User, error)
	DeleteSession(ctx context.Context, token string) error
}

// Limits of the account Parse constructors.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// Registration is a validated sign-up.
type Registration struct {
	Email    string
	Password string
	Name     string
}

// ParseRegistration decodes and validates a POST /api/auth/register body.
func ParseRegistration(data []byte) (Registration, error) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return Registration{}, err
	}
	var fe fieldErrors
	email, err := ParseEmail(body.Email)
	if err != nil {
		fe.add("email", err.Error())
	}
	if n := utf8.RuneCountInString(body.Password); n < MinPasswordLen || n > MaxPasswordLen || !utf8.ValidString(body.Password) {
		fe.add("password", fmt.Sprintf("must be %d to %d characters", MinPasswordLen, MaxPasswordLen))
	}
	name, ok := parseText(body.Name, 1, 100, false)
	if !ok {
		fe.add("name", "must be 1 to 100 characters without control characters")
	} else if r, bidi := firstRune(name, isBidiControl); bidi {
		// A bidi override shown next to other text (an order, an admin's user list) can make
		// it read as something else.
		fe.add("name", fmt.Sprintf("must not contain the bidirectional control character %U", r))
	}
	return Registration{Email: email, Password: body.Password, Name: name}, fe.err()
}

func isBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// Credentials is a login attempt. It is only shape-checked: a login never says which part was wrong.
type Credentials struct {
	Email    string
	Password string
}

// ParseCredentials decodes a POST /api/auth/login body.
func ParseCredentials(data []byte) (Credentials, error) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return Credentials{}, err
	}
	var fe fieldErrors
	switch {
	case body.Email == "" || len(body.Email) > 4*MaxEmailLen:
		fe.add("email", "is required")
	case strings.ContainsFunc(body.Email, unicode.IsControl):
		// No account can have such an address, and PostgreSQL text cannot hold a NUL, so
		// refusing it here reveals nothing and keeps it away from the queries.
		fe.add("email", "must not contain control characters")
	}
	if body.Password == "" || len(body.Password) > 4*MaxPasswordLen {
		fe.add("password", "is required")
	}
	// The same normalisation as at registration, so "ａda@ＥXAMPLE.com" logs in as
	// "ada@example.com" and counts against its throttle. An address that does not parse is
	// looked up as typed (no account registered since can have it), so the answer is the same
	// as for a wrong password.
	email := strings.TrimSpace(body.Email)
	if normalised, err := ParseEmail(email); err == nil {
		email = normalised
	}
	return Credentials{Email: email, Password: body.Password}, fe.err()
}

// argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane), which keeps
// a login at tens of milliseconds on a small instance.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash (PHC string format) of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash, in constant time.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) != argonKeyLen {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, argonKeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1
}

// DummyPasswordHash is compared against when a login names an unknown email, so the response
// takes as long as for a known one and does not reveal which emails have accounts.
var DummyPasswordHash = func() string {
	h, err := HashPassword("not-a-real-password-" + rand.Text())
	if err != nil {
		panic(err)
	}
	return h
}()
