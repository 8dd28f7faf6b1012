package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/internal/memlimit"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// registrations is the size of the registration burst; BENCH_HASH_CONCURRENCY overrides the
// bound the service would size from memory (set it to the burst size to see the unbounded case).
var registrations = envInt("BENCH_REGISTRATIONS", 256)

// BenchmarkRegistrationBurst sends a burst of concurrent registrations, each an argon2id hash
// of 19 MiB, to the service with the hashing bound cmd/shop would choose on this machine, and
// measures the process's peak RSS and the latency of /api/healthz meanwhile (goals: peak RSS
// under 512 MiB, health check under 250 ms).
func BenchmarkRegistrationBurst(b *testing.B) {
	ctx := context.Background()
	limit, source := memlimit.Limit()
	bound := shop.HashConcurrency(limit, runtime.GOMAXPROCS(0))
	sizing := fmt.Sprintf("from %s %d MiB and GOMAXPROCS %d, as cmd/shop sizes it", source, limit>>20, runtime.GOMAXPROCS(0))
	if v := envInt("BENCH_HASH_CONCURRENCY", 0); v > 0 {
		bound, sizing = v, "BENCH_HASH_CONCURRENCY"
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	store, err := postgres.Open(ctx, pgtest.NewDatabase(b), int32(conns), log,
		postgres.WithPasswordHasher(shop.NewBoundedHasher(shop.Argon2id{}, bound, shop.DefaultHashWait)),
		postgres.WithRegistrationLimit(1_000_000, time.Hour)) // one client address sends the whole burst
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	e, err := httpapi.New(httpapi.Config{Products: store, Accounts: store, Orders: store, Readiness: store, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer("", e, log).Handler)
	b.Cleanup(srv.Close)

	for round := 0; b.Loop(); round++ {
		// The health check's latency with nothing else running, under this machine's own load.
		quiet := make(chan struct{})
		time.AfterFunc(time.Second, func() { close(quiet) })
		idle := pollHealth(srv.URL, quiet)

		runtime.GC()
		debug.FreeOSMemory()
		reset := resetPeakRSS()
		before := procStatus("VmRSS")

		stop := make(chan struct{})
		health := make(chan []time.Duration, 1)
		go func() { health <- pollHealth(srv.URL, stop) }()
		statuses, elapsed := registerBurst(b, srv.URL, round)
		close(stop)
		lat := <-health
		peak := procStatus("VmHWM")

		fmt.Printf("\nRegistration burst: %d concurrent POST /api/auth/register, hashing bound %d (%s), wait %s\n",
			registrations, bound, sizing, shop.DefaultHashWait)
		fmt.Printf("  answers in %s: %s\n", elapsed.Round(time.Millisecond), formatStatuses(statuses))
		peakNote := ""
		if !reset {
			peakNote = " (could not reset VmHWM: peak over the whole process)"
		}
		fmt.Printf("  RSS before %d MiB, peak %d MiB%s (goal < 512 MiB)\n", before>>20, peak>>20, peakNote)
		fmt.Printf("  GET /api/healthz meanwhile: %d requests, p50 %s, p99 %s, max %s (goal < 250 ms)\n",
			len(lat), pct(lat, 0.50), pct(lat, 0.99), pct(lat, 1))
		fmt.Printf("  GET /api/healthz idle, just before: %d requests, p50 %s, max %s (machine load average %s)\n\n",
			len(idle), pct(idle, 0.50), pct(idle, 1), loadAverage())
		b.ReportMetric(float64(peak>>20), "peak-RSS-MiB")
		b.ReportMetric(float64(pct(lat, 1).Milliseconds()), "healthz-max-ms")
		b.ReportMetric(float64(statuses[http.StatusCreated]), "registered")
	}
}

// registerBurst sends the burst at once and returns the count of each status and how long the
// last answer took.
func registerBurst(b *testing.B, base string, round int) (map[int]int, time.Duration) {
	transport := &http.Transport{MaxIdleConnsPerHost: registrations}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range registrations {
		wg.Go(func() {
			body := fmt.Sprintf(`{"email":"burst%d-%d@bench.example.com","password":"benchmark password","name":"Burst"}`, round, i)
			<-start
			res, err := client.Post(base+"/api/auth/register", "application/json", bytes.NewBufferString(body))
			status := 0
			if err != nil {
				b.Error(err)
			} else {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				status = res.StatusCode
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	return statuses, time.Since(t0)
}

// pollHealth asks /api/healthz every 20 ms on its own connection until stop, and returns the
// sorted latencies.
func pollHealth(base string, stop <-chan struct{}) []time.Duration {
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	var lat []time.Duration
	for {
		select {
		case <-stop:
			slices.Sort(lat)
			return lat
		case <-time.After(20 * time.Millisecond):
		}
		t0 := time.Now()
		res, err := client.Get(base + "/api/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		lat = append(lat, time.Since(t0))
	}
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[int(p*float64(len(lat)-1))].Round(100 * time.Microsecond)
}

func formatStatuses(statuses map[int]int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("%d x %d", statuses[s], s))
	}
	return strings.Join(parts, ", ")
}

// resetPeakRSS sets the process's VmHWM back to its current RSS (Linux >= 4.0), so the peak
// measured is this burst's and not an earlier benchmark's.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// procStatus returns a "kB" field of /proc/self/status in bytes (0 if unreadable).
func procStatus(field string) uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// loadAverage is the machine's one-minute load average, for reading the latencies.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(raw))[0]
}
