// Package redistest starts a private redis-server for a test (on a free port, optionally with
// TLS and ACL users), so a test can stop and restart it without disturbing anything else.
//
// There is no skip path: without redis-server on PATH the test fails and says how to get it.
package redistest

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a redis-server process owned by one test.
type Server struct {
	t    testing.TB
	Port int
	bin  string
	args []string
	cmd  *exec.Cmd
}

// Options configure Start.
type Options struct {
	// TLS serves only TLS on Port (--port 0 --tls-port Port) with a certificate for 127.0.0.1
	// and localhost, signed by a CA generated for the test (TLSCA).
	TLS bool
	// Users are ACL rules, one user each, e.g. "shop on >secret ~shop:* +@all".
	Users []string
	// NoDefaultUser turns the default user off, so every client must authenticate.
	NoDefaultUser bool
}

// Start starts redis-server on a free port and stops it when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redistest: redis-server is not on PATH; install it (apt-get install redis-server) to run the cache tests")
	}
	dir := t.TempDir()
	s := &Server{t: t, Port: freePort(t), bin: bin}
	s.args = []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning",
		"--logfile", filepath.Join(dir, "redis.log")}
	if o.TLS {
		writeCerts(t, dir)
		s.args = append(s.args, "--port", "0", "--tls-port", strconv.Itoa(s.Port),
			"--tls-cert-file", filepath.Join(dir, "server.crt"), "--tls-key-file", filepath.Join(dir, "server.key"),
			"--tls-ca-cert-file", filepath.Join(dir, "ca.crt"), "--tls-auth-clients", "no")
	} else {
		s.args = append(s.args, "--port", strconv.Itoa(s.Port))
	}
	if o.NoDefaultUser {
		s.args = append(s.args, "--user", "default", "off")
	}
	for _, u := range o.Users {
		s.args = append(s.args, append([]string{"--user"}, strings.Fields(u)...)...)
	}
	s.cmd = exec.CommandContext(context.Background(), s.bin, s.args...) //nolint:gosec // the arguments are built here, from Options
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// Addr is 127.0.0.1:Port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

func (s *Server) start() {
	s.t.Helper()
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("redistest: start redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := (&net.Dialer{Timeout: 100 * time.Millisecond}).DialContext(context.Background(), "tcp", s.Addr())
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(s.args[slices.Index(s.args, "--logfile")+1])
			s.t.Fatalf("redistest: redis-server did not listen on %s: %v\n%s", s.Addr(), err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server (as a crash would) and waits until its port refuses connections.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts a fresh, empty server with the same options on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.cmd = exec.CommandContext(context.Background(), s.bin, s.args...) //nolint:gosec // as in Start
	s.start()
}

// Do sends one command over plain TCP (not for TLS servers) and returns the first reply line;
// enough for a test to look at keys without a client library.
func (s *Server) Do(args ...string) string {
	s.t.Helper()
	c, err := (&net.Dialer{Timeout: time.Second}).DialContext(context.Background(), "tcp", s.Addr())
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	defer c.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(b.String())); err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	return strings.TrimRight(line, "\r\n")
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// CAFile is where Start wrote the test CA of a TLS server, for x509.CertPool.AppendCertsFromPEM.
func (s *Server) CAFile() string {
	for i, a := range s.args {
		if a == "--tls-ca-cert-file" {
			return s.args[i+1]
		}
	}
	return ""
}

func writeCerts(t testing.TB, dir string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "redistest CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, blk := range map[string]*pem.Block{
		"ca.crt":     {Type: "CERTIFICATE", Bytes: caDER},
		"server.crt": {Type: "CERTIFICATE", Bytes: leafDER},
		"server.key": {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(blk), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
