package cost

import "fmt"

// The CloudWatch Logs lines: log groups the stacks create, those RDS creates for its exports, and Enhanced
// Monitoring, all billed as ingestion.

// exportedLogs prices the log groups RDS creates itself for enabledCloudwatchLogsExports (outside Pulumi).
func (e *estimator) exportedLogs(s *sum, in map[string]any) {
	if n := length(in, "enabledCloudwatchLogsExports"); n > 0 {
		gb := e.t.byKey["cloudwatch.logs.idle_gb"].USD
		s.add(e.monthlyUnits("cloudwatch.logs.ingest", gb*float64(n)))
		s.note(fmt.Sprintf("%d exported log streams at the idle ingestion assumption", n))
	}
}

// enhancedMonitoringSampleKB is the assumed size of one Enhanced Monitoring sample: an RDSOSMetrics JSON
// document of OS counters plus a process list that AWS caps at 100 entries. AWS publishes no figure; a small,
// quiet instance writes a few KB, a busy one with a full process list nearer 20.
const enhancedMonitoringSampleKB = 5.0

// enhancedMonitoring prices an instance's Enhanced Monitoring: RDS writes one sample per interval to
// CloudWatch Logs (RDSOSMetrics), billed as log ingestion; storage (30 days by default) is negligible, and the
// CloudWatch Logs free tier is not applied, as elsewhere in this table.
func (e *estimator) enhancedMonitoring(s *sum, in map[string]any) {
	interval := num(in, "monitoringInterval")
	if interval <= 0 {
		return
	}
	samples := e.t.HoursPerMonth * 3600 / interval
	gb := samples * enhancedMonitoringSampleKB / (1024 * 1024)
	s.add(e.monthlyUnits("cloudwatch.logs.ingest", gb))
	s.note(fmt.Sprintf("Enhanced Monitoring every %gs: %.0f samples at an assumed %g KB (%.2f GB) ingested",
		interval, samples, enhancedMonitoringSampleKB, gb))
}

func (e *estimator) logGroup(Resource) (Item, bool) {
	gb := e.t.byKey["cloudwatch.logs.idle_gb"].USD
	s := newSum()
	s.add(e.monthlyUnits("cloudwatch.logs.ingest", gb))
	s.note(fmt.Sprintf("assumed %g GB/month ingested idle; storage negligible", gb))
	return s.item()
}
