// Package memlimit finds how much memory the process may use, so that memory-bound work (the
// shop's password hashing) can be sized to it.
package memlimit

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Limit returns the smallest of the Go runtime's soft memory limit (GOMEMLIMIT, when set), the
// container's cgroup memory limit (v2 memory.max or v1 memory.limit_in_bytes, when set) and the
// machine's memory (/proc/meminfo), and names which one it is. It returns 0 and "unknown" when
// none can be read (not Linux).
func Limit() (bytes uint64, source string) {
	return limitFrom(os.DirFS("/"), debug.SetMemoryLimit(-1))
}

// limitFrom is Limit reading the files under root, with goLimit the runtime's current limit.
func limitFrom(root fs.FS, goLimit int64) (uint64, string) {
	var best uint64
	source := "unknown"
	consider := func(n uint64, name string) {
		if n > 0 && (best == 0 || n < best) {
			best, source = n, name
		}
	}
	if goLimit > 0 && goLimit < math.MaxInt64 {
		consider(uint64(goLimit), "GOMEMLIMIT")
	}
	// A container sees its own cgroup at the root of the hierarchy (cgroup namespaces).
	if n, ok := readNumber(root, "sys/fs/cgroup/memory.max"); ok {
		consider(n, "cgroup memory.max")
	}
	if n, ok := readNumber(root, "sys/fs/cgroup/memory/memory.limit_in_bytes"); ok {
		consider(n, "cgroup memory.limit_in_bytes")
	}
	if n, ok := memTotal(root); ok {
		consider(n, "MemTotal")
	}
	return best, source
}

// readNumber reads a file holding one decimal number; "max" (no cgroup v2 limit) is not one.
func readNumber(root fs.FS, name string) (uint64, bool) {
	b, err := fs.ReadFile(root, name)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
	return n, err == nil
}

// memTotal reads MemTotal from /proc/meminfo ("MemTotal:  24683652 kB").
func memTotal(root fs.FS) (uint64, bool) {
	f, err := root.Open("proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		return kb * 1024, err == nil
	}
	return 0, false
}
