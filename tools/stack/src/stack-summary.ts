import { redactUrl } from '@mapek/config';
import type { Stack } from './stack.js';

function optional(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The curl that makes the demo app leak memory until the loop heals it. */
export function memoryLeakCurl(demoUrl: string): string {
  return `curl -X POST '${demoUrl}/demo/memory-leak?size_mb=100&count=5'`;
}

/** What the CLI prints once everything is ready: where things are, and how to break the demo app. */
export function formatStackSummary(stack: Stack): string {
  const gateway = optional(() => stack.gatewayUrl);
  const demo = optional(() => stack.demoUrl);
  const database = optional(() => stack.databaseUrl);
  const rows: [string, string | undefined][] = [
    ['gateway', gateway],
    ['demo app', demo],
    ['NATS', stack.natsUrl],
    [
      'database',
      database === undefined
        ? undefined
        : `${redactUrl(database)}${stack.databaseMaxConnections === undefined ? '' : ` (embedded PGlite, ${stack.databaseMaxConnections} connection at a time)`}`,
    ],
  ];
  const lines = ['', 'mapek is up:'];
  for (const [label, value] of rows) if (value !== undefined) lines.push(`  ${label.padEnd(9)} ${value}`);
  if (stack.configFile !== undefined) {
    lines.push('', `configuration: ${stack.configFile} (reloaded when it changes; the monitor's /status shows the version in force)`);
  }
  if (gateway !== undefined && stack.caFile !== undefined) {
    lines.push(
      '',
      'the gateway speaks HTTPS (hybrid X25519MLKEM768 preferred) and wants an API key; trust the development CA:',
      stack.apiKeys === undefined
        ? `  curl --cacert ${stack.caFile} ${gateway}/api/v1/incidents`
        : `  curl --cacert ${stack.caFile} -H "Authorization: Bearer $(cat ${stack.apiKeys.adminTokenFile})" ${gateway}/api/v1/incidents`,
    );
    if (stack.apiKeys !== undefined)
      lines.push(
        `  more keys: ./mapek pki api-key create --out ${stack.certsDir ?? '<certs>'} --name <who> --role viewer|operator|approver|admin|alertmanager|heartbeat`,
      );
  }
  if (stack.certsDir !== undefined) lines.push(`  identities, trust bundle and nats-server config: ${stack.certsDir}`);
  const jaeger = optional(() => stack.jaegerUrl);
  if (jaeger !== undefined)
    lines.push(
      '',
      'traces (Jaeger query API, in memory): one trace per incident, from the symptom to the outcome',
      `  curl -s '${jaeger}/api/traces?service=executor&operation=send%20outcome&limit=5'`,
    );
  if (demo !== undefined) lines.push('', 'break the demo app (the loop should heal it):', `  ${memoryLeakCurl(demo)}`);
  lines.push('', `logs: ${stack.dataDir}/logs — Ctrl-C stops everything`, '');
  return lines.join('\n');
}
