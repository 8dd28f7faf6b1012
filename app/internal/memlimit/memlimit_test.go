package memlimit_test

import (
	"math"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/app/internal/memlimit"
)

func TestLimitFrom(t *testing.T) {
	t.Parallel()
	const meminfo = "MemTotal:       24683652 kB\nMemFree:        17492272 kB\n"
	tests := []struct {
		name    string
		files   fstest.MapFS
		goLimit int64
		want    uint64
		source  string
	}{
		{"machine only", fstest.MapFS{"proc/meminfo": {Data: []byte(meminfo)}}, math.MaxInt64, 24683652 * 1024, "MemTotal"},
		{"cgroup v2 limit", fstest.MapFS{
			"proc/meminfo":             {Data: []byte(meminfo)},
			"sys/fs/cgroup/memory.max": {Data: []byte("536870912\n")},
		}, math.MaxInt64, 512 << 20, "cgroup memory.max"},
		{"cgroup v2 without limit", fstest.MapFS{
			"proc/meminfo":             {Data: []byte(meminfo)},
			"sys/fs/cgroup/memory.max": {Data: []byte("max\n")},
		}, math.MaxInt64, 24683652 * 1024, "MemTotal"},
		{"cgroup v1 unlimited is above the machine", fstest.MapFS{
			"proc/meminfo": {Data: []byte(meminfo)},
			"sys/fs/cgroup/memory/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")},
		}, math.MaxInt64, 24683652 * 1024, "MemTotal"},
		{"GOMEMLIMIT below the cgroup", fstest.MapFS{
			"proc/meminfo":             {Data: []byte(meminfo)},
			"sys/fs/cgroup/memory.max": {Data: []byte("1073741824\n")},
		}, 300 << 20, 300 << 20, "GOMEMLIMIT"},
		{"nothing readable", fstest.MapFS{}, math.MaxInt64, 0, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, source := memlimit.LimitFrom(tt.files, tt.goLimit)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.source, source)
		})
	}
}
