import { readFileSync } from 'node:fs';
import { Agent, Headers as UndiciHeaders, fetch as undiciFetch, WebSocket as UndiciWebSocket, type RequestInit } from 'undici';
import { waitFor } from '@mapek/testing';

/**
 * An HTTP(S) client that trusts the stack's development CA (PEM file) besides nothing else: with
 * security on the gateway serves HTTPS with a certificate from that CA.
 */
function dispatcherFor(caFile: string | undefined): Agent | undefined {
  return caFile === undefined ? undefined : new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
}

export interface IncidentSummary {
  readonly id: string;
  readonly target: string;
  readonly openedAt: string;
  readonly status: string;
  readonly cause: string | null;
  readonly planId: string | null;
  readonly planStatus: string | null;
  readonly executionStatus: string | null;
  readonly outcome: string | null;
}

export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  /** The identity that signed and sent it (`monitor`, `agent`, …). */
  readonly source?: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

export interface IncidentDetail extends IncidentSummary {
  readonly events: Record<'symptoms' | 'analyses' | 'plans' | 'decisions' | 'executions' | 'outcomes', StoredEvent[]>;
}

/** Talks to the gateway and the demo app over real HTTP (HTTPS to the gateway when the stack runs with security on). */
export class LoopClient {
  private readonly dispatcher: Agent | undefined;

  /**
   * @param caFile the stack's development CA (`stack.caFile`) when the gateway speaks HTTPS.
   * @param apiToken sent as `Authorization: Bearer` to the gateway unless a request sets its own.
   */
  constructor(
    readonly gatewayUrl: string,
    readonly demoUrl: string,
    caFile?: string,
    private readonly apiToken?: string,
  ) {
    this.dispatcher = dispatcherFor(caFile);
  }

  private fetch(url: string, init: RequestInit = {}) {
    const headers = new UndiciHeaders(init.headers);
    if (this.apiToken !== undefined && url.startsWith(this.gatewayUrl) && !headers.has('authorization'))
      headers.set('authorization', `Bearer ${this.apiToken}`);
    return undiciFetch(url, { ...init, headers, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
  }

  async json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
    const { status, body } = await this.exchange<T>(url, init);
    return { status, body };
  }

  /** As {@link json}, with the response's headers (lower-case names). */
  async exchange<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Record<string, string> }> {
    const response = await this.fetch(url, init);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: Object.fromEntries(response.headers) };
  }

  async incidents(): Promise<IncidentSummary[]> {
    const { status, body } = await this.json<{ incidents: IncidentSummary[] }>(`${this.gatewayUrl}/api/v1/incidents?limit=100`);
    if (status !== 200) throw new Error(`GET /api/v1/incidents answered ${status}`);
    return body.incidents;
  }

  async incident(id: string): Promise<IncidentDetail> {
    const { status, body } = await this.json<IncidentDetail>(`${this.gatewayUrl}/api/v1/incidents/${id}`);
    if (status !== 200) throw new Error(`GET /api/v1/incidents/${id} answered ${status}`);
    return body;
  }

  /** Waits for an incident opened after `since` that satisfies the predicate. */
  waitForIncident(
    since: number,
    predicate: (incident: IncidentSummary) => boolean,
    timeoutMs = 30_000,
    what = 'incident',
  ): Promise<IncidentSummary> {
    return waitFor(
      async () => (await this.incidents()).find((incident) => Date.parse(incident.openedAt) >= since - 1000 && predicate(incident)),
      { timeoutMs, intervalMs: 250, what },
    );
  }

  async fault(path: string): Promise<unknown> {
    const { status, body } = await this.json<unknown>(`${this.demoUrl}${path}`, { method: 'POST' });
    if (status >= 300) throw new Error(`POST ${path} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  async demoStatus(): Promise<{ memory: { rssBytes: number } }> {
    return (await this.json<{ memory: { rssBytes: number } }>(`${this.demoUrl}/demo/status`)).body;
  }

  async metric(serviceUrl: string, pattern: RegExp): Promise<number> {
    const text = await (await this.fetch(`${serviceUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }
}

/** Collects every frame the gateway's /ws sends. */
export class EventSocket {
  readonly frames: Array<{ subject: string; event: { id: string; type: string; incidentId?: string; data: Record<string, unknown> } }> = [];
  private constructor(private readonly socket: UndiciWebSocket) {}

  /**
   * @param caFile the stack's development CA for a `wss://` URL.
   * @param apiToken offered as a browser would: subprotocols `mapek.v1` and `mapek.bearer.<token>`.
   */
  static async open(url: string, caFile?: string, apiToken?: string): Promise<EventSocket> {
    const dispatcher = dispatcherFor(caFile);
    const protocols = apiToken === undefined ? [] : ['mapek.v1', `mapek.bearer.${apiToken}`];
    const socket = new UndiciWebSocket(url, { protocols, ...(dispatcher ? { dispatcher } : {}) });
    const client = new EventSocket(socket);
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as { subject?: string };
      if (frame.subject) client.frames.push(frame as EventSocket['frames'][number]);
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), { once: true });
    });
    return client;
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Opens a WebSocket with extra handshake headers and resolves with how it ended: the close code, or
 * `refused` when the handshake itself failed.
 */
export async function webSocketOutcome(
  url: string,
  caFile: string | undefined,
  headers: Record<string, string>,
  afterOpen?: (socket: UndiciWebSocket) => void,
): Promise<{ opened: boolean; code: number | 'refused' }> {
  const dispatcher = dispatcherFor(caFile);
  const socket = new UndiciWebSocket(url, { headers, ...(dispatcher ? { dispatcher } : {}) });
  let opened = false;
  socket.addEventListener('open', () => {
    opened = true;
    afterOpen?.(socket);
  });
  return new Promise((resolve) => {
    socket.addEventListener('close', (event) => resolve({ opened, code: opened ? event.code : 'refused' }));
  });
}
