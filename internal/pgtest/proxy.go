package pgtest

import (
	"context"
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // PostgreSQL's md5 password verifier, checked, never produced
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Proxy is a TCP proxy in front of the test server that a test can cut and restore, to see
// what a service does while its database cannot be reached and whether it recovers, without
// stopping the server other tests use.
//
// With CheckPasswords it also does what the test server's pg_hba (trust on loopback) does not:
// it asks each new connection for its password and checks it against the role's real
// verifier in pg_authid (SCRAM-SHA-256 or md5), so a test can rotate a password with ALTER
// ROLE and see the old one refused, as a server with password authentication would.
type Proxy struct {
	t      testing.TB
	target string // host:port of the server
	addr   string

	mu             sync.Mutex
	ln             net.Listener
	conns          map[net.Conn]struct{}
	checkPasswords bool
}

// NewProxy starts a proxy on a free loopback port in front of the server of ServerURL. It is
// closed when the test ends.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", EnvURL, err)
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	p := &Proxy{t: t, target: net.JoinHostPort(u.Hostname(), port), conns: map[net.Conn]struct{}{}}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Cut)
	return p
}

// URL is dbURL with its host and port replaced by the proxy's.
func (p *Proxy) URL(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		p.t.Fatalf("pgtest: proxy: parse URL: %v", err)
	}
	u.Host = p.addr
	return u.String()
}

// CheckPasswords makes the proxy authenticate new connections itself; see Proxy.
func (p *Proxy) CheckPasswords() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checkPasswords = true
}

// Cut stops listening and closes every open connection: new connections are refused, open
// ones break mid-use, as when the database host goes away.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// Restore listens again on the same address.
func (p *Proxy) Restore() {
	p.t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", p.addr)
	if err != nil {
		p.t.Fatalf("pgtest: proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c)
		}
	}()
}

// track registers c as open, or closes it if the proxy was cut meanwhile.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		return
	}
	p.mu.Lock()
	check := p.checkPasswords
	p.mu.Unlock()
	var startup *pgproto3.StartupMessage
	if check {
		var err error
		if startup, err = p.authenticate(client); err != nil {
			_ = client.Close()
			return
		}
	}
	server, err := (&net.Dialer{Timeout: adminTimeout}).DialContext(context.Background(), "tcp", p.target)
	if err != nil || !p.track(server) {
		_ = client.Close()
		return
	}
	if startup != nil {
		fe := pgproto3.NewFrontend(server, server)
		fe.Send(startup)
		if err := fe.Flush(); err != nil {
			_ = client.Close()
			_ = server.Close()
			return
		}
	}
	go func() { _, _ = io.Copy(server, client); _ = server.Close() }()
	_, _ = io.Copy(client, server)
	_ = client.Close()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// authenticate reads the client's startup message, asks for its password in clear text (the
// connection is loopback) and checks it; the startup goes on to the server only if it holds.
func (p *Proxy) authenticate(client net.Conn) (*pgproto3.StartupMessage, error) {
	be := pgproto3.NewBackend(client, client)
	for {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return nil, err
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := client.Write([]byte("N")); err != nil {
				return nil, err
			}
			continue
		case *pgproto3.StartupMessage:
			user := m.Parameters["user"]
			be.Send(&pgproto3.AuthenticationCleartextPassword{})
			if err := be.Flush(); err != nil {
				return nil, err
			}
			if err := be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
				return nil, err
			}
			reply, err := be.Receive()
			if err != nil {
				return nil, err
			}
			pm, ok := reply.(*pgproto3.PasswordMessage)
			if !ok || !passwordMatches(user, pm.Password) {
				be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "28P01",
					Message: fmt.Sprintf("password authentication failed for user %q", user)})
				_ = be.Flush()
				return nil, errors.New("password refused")
			}
			return m, nil
		default:
			return nil, fmt.Errorf("unexpected startup message %T", msg)
		}
	}
}

// passwordMatches checks password against the verifier PostgreSQL stores for user, as the
// server's own password authentication would (a role without a password never matches).
func passwordMatches(user, password string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var verifier string
	err = conn.QueryRow(ctx, `SELECT rolpassword FROM pg_authid
		WHERE rolname = $1 AND rolcanlogin AND rolpassword IS NOT NULL
		AND (rolvaliduntil IS NULL OR rolvaliduntil > now())`, user).Scan(&verifier)
	if err != nil {
		return false
	}
	if md5hex, ok := strings.CutPrefix(verifier, "md5"); ok {
		sum := md5.Sum([]byte(password + user)) //nolint:gosec // see the import
		return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(md5hex)) == 1
	}
	return scramMatches(verifier, password)
}

// scramMatches checks password against a SCRAM-SHA-256 verifier
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (RFC 5802, as PostgreSQL stores it).
func scramMatches(verifier, password string) bool {
	mech, rest, _ := strings.Cut(verifier, "$")
	params, keys, _ := strings.Cut(rest, "$")
	iterText, saltText, _ := strings.Cut(params, ":")
	storedText, _, _ := strings.Cut(keys, ":")
	iterations, err1 := strconv.Atoi(iterText)
	salt, err2 := base64.StdEncoding.DecodeString(saltText)
	stored, err3 := base64.StdEncoding.DecodeString(storedText)
	if mech != "SCRAM-SHA-256" || err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, salted)
	mac.Write([]byte("Client Key"))
	clientKey := sha256.Sum256(mac.Sum(nil))
	return subtle.ConstantTimeCompare(clientKey[:], stored) == 1
}
