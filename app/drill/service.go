package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// readyWait is how long a start of the service may take to answer /api/readyz.
const readyWait = 45 * time.Second

// service is `shop serve` running as a child process on a fixed address, so that it can be
// killed and started again where the buyers expect it.
type service struct {
	bin, addr string
	env       []string
	logPath   string

	log  *os.File
	cmd  *exec.Cmd
	done chan struct{}
}

func newService(bin, addr, dbURL, logPath string) *service {
	// The drill's environment passes through (SHOP_DB_MAX_CONNS, for one), except what
	// would point the service elsewhere or change what it serves.
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DATABASE_URL", "SHOP_ADDR", "SHOP_SITE_DIR", "SHOP_ADMIN_EMAIL", "SHOP_ADMIN_PASSWORD":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "DATABASE_URL="+dbURL, "SHOP_ADDR="+addr)
	return &service{bin: bin, addr: addr, env: env, logPath: logPath}
}

func (s *service) url(path string) string { return "http://" + s.addr + path }

// start launches the service and waits until /api/readyz answers 200.
func (s *service) start(ctx context.Context) error {
	if s.log == nil {
		f, err := os.Create(s.logPath)
		if err != nil {
			return fmt.Errorf("service log: %w", err)
		}
		s.log = f
	}
	cmd := exec.CommandContext(ctx, s.bin, "serve") //nolint:gosec // the operator's -shop binary
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, s.log, s.log
	// An interrupted drill stops its service as stop does, not with CommandContext's SIGKILL.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", s.bin, err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait() // its exit is reported through done; a killed service exits non-zero
		close(s.done)
	}()
	return s.waitReady(ctx)
}

func (s *service) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyWait)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("shop serve exited before it was ready; see %s", s.logPath)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if s.ready(ctx, client) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("shop serve not ready after %s; see %s", readyWait, s.logPath)
}

// ready reports whether GET /api/readyz answers 200 on the child's loopback address.
func (s *service) ready(ctx context.Context, client *http.Client) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url("/api/readyz"), nil) //nolint:gosec // see above
	if err != nil {
		return false
	}
	res, err := client.Do(req) //nolint:gosec // see above
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// kill sends SIGKILL and waits for the process to be gone: no shutdown, no draining.
func (s *service) kill() error {
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill shop serve: %w", err)
	}
	<-s.done
	return nil
}

// stop ends the service the way its orchestrator would (SIGTERM, then SIGKILL after 25 s).
func (s *service) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(25 * time.Second):
		_ = s.kill()
	}
	s.log.Close()
}
