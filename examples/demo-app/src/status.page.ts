const escapeHtml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The `GET /` page: current status and the curl commands that inject each fault. Refreshes itself. */
export function renderStatusPage(status: Record<string, unknown>, baseUrl: string): string {
  const base = escapeHtml(baseUrl);
  const commands = [
    `curl -X POST "${base}/demo/memory-leak?size_mb=60&amp;count=5"`,
    `curl -X POST "${base}/demo/cpu-overload?duration=15&amp;num_threads=6"`,
    `curl -X POST "${base}/demo/connection-issues?connection_count=100"`,
    `curl -X POST "${base}/demo/request-failures?failure_rate=0.8"`,
    `curl -X POST "${base}/demo/latency-creep?step_ms=250&amp;every_ms=1000&amp;max_ms=5000"`,
    `curl -X POST "${base}/demo/reset"`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>mapek demo app</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style></head>
<body><h1>mapek demo app</h1>
<p>A service with injectable faults, healed by mapek through its agent. <a href="/metrics">/metrics</a> · <a href="/health">/health</a> · <a href="/demo/status">/demo/status</a></p>
<h2>Status</h2><pre>${escapeHtml(JSON.stringify(status, null, 2))}</pre>
<h2>Inject a fault</h2><pre>${commands.join('\n')}</pre>
</body></html>
`;
}
