import client from 'prom-client';

/** Prometheus metrics for the process: defaults plus HTTP and job figures. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const http = new client.Histogram({
    name: 'flick_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const jobs = new client.Counter({ name: 'flick_jobs_total', help: 'Jobs run by name and outcome', labelNames: ['job', 'outcome'], registers: [registry] });
  const transcodeSeconds = new client.Histogram({
    name: 'flick_transcode_seconds',
    help: 'Seconds from job start to first playable rendition and to the full ladder',
    labelNames: ['stage'],
    buckets: [1, 2, 4, 8, 15, 30, 60, 120, 300],
    registers: [registry],
  });
  const events = new client.Counter({ name: 'flick_events_total', help: 'Interaction events accepted by type', labelNames: ['type'], registers: [registry] });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeHttp: (method: string, route: string, status: number, seconds: number) => http.observe({ method, route, status: String(status) }, seconds),
    job: (job: string, outcome: 'ok' | 'retry' | 'failed') => jobs.inc({ job, outcome }),
    transcode: (stage: 'first' | 'full', seconds: number) => transcodeSeconds.observe({ stage }, seconds),
    event: (type: string, n = 1) => events.inc({ type }, n),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
