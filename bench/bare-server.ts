// The fanout benchmark's baseline: a bare Socket.IO server that takes the same POSTs as ours and emits
// them to rooms at once, with no Redis, no validation beyond JSON and no coalescing. What ours adds on
// top of what Socket.IO itself costs on this machine is measured against it (issue 20).
//
// For every incident it counts `counts.today.incident` of the event's region and ancestors (a counter,
// so the clients date its deltas exactly as they date ours), and sends each watched room a delta padded
// to our mean delta size: one per POST (BARE_EMIT=post) or one per event (BARE_EMIT=event). For every
// event the bench's alert rule selects, an alert padded to our mean alert size to the same rooms.
//
// For the storm benchmark (bench/storm.ts), a `subscribe` is acknowledged with a payload padded to
// the mean size of our snapshot for the region's level (BARE_SNAPSHOT_BYTES, by code length), so
// connect + ack sends what connect + snapshot sends; without it the ack carries no data (fanout).
import http from 'node:http';
import { Server } from 'socket.io';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ancestry } from '../shared/regions.ts';
import { regionRoom } from '../shared/events.ts';
import { isBenchAlert } from './fanout-events.ts';
import { filler } from './pad.ts';

const PORT = Number(process.env.PORT);
const AUTH = `Bearer ${process.env.BARE_INGEST_KEY}`;
const DELTA_BYTES = Number(process.env.BARE_DELTA_BYTES ?? 1200);
const ALERT_BYTES = Number(process.env.BARE_ALERT_BYTES ?? 1500);
const PER_EVENT = process.env.BARE_EMIT === 'event';
/** Our mean snapshot reply size per level, keyed by the length of the region code. */
const SNAPSHOT_BYTES = JSON.parse(process.env.BARE_SNAPSHOT_BYTES ?? '{}') as Record<string, number>;

// The same event-loop figure as ours: prom-client's monitorEventLoopDelay p99, reset at each scrape.
const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'pingan_' });

const httpServer = http.createServer((req, res) => void route(req, res));
// Our server's engine options, minus what needs Redis (the adapter) or a user (auth, origins).
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 16 * 1024, perMessageDeflate: false });
// Padding of a snapshot-sized reply, built once per level (not per reply: that would add its cost).
const snapshotPad = new Map(
  Object.entries(SNAPSHOT_BYTES).map(([len, bytes]) => [
    Number(len),
    filler({ ok: true, data: { region: '6'.repeat(Number(len)), seq: 0, pad: {} } }, bytes),
  ]),
);
io.on('connection', (socket) => {
  socket.on('subscribe', (code: unknown, ack: unknown) => {
    if (typeof code !== 'string' || typeof ack !== 'function') return;
    void socket.join(regionRoom(code));
    const pad = snapshotPad.get(code.length);
    (ack as (reply: unknown) => void)({ ok: true, data: pad ? { region: code, seq: 0, pad } : null });
  });
});

const counts = new Map<string, number>();
const seqs = new Map<string, number>();
const watched = (code: string) => io.sockets.adapter.rooms.has(regionRoom(code));

// Filler sized once on typical messages (a county room, five-digit counts), not per message.
const alertBase = { id: 'alert-fan-alert-12345', rule: 'homicide_risk', level: 'red', state: 'new' };
const deltaFill = filler(
  { region: '620102', seq: 12345, asOf: new Date().toISOString(), changes: { 'counts.today.incident': 12345 } },
  DELTA_BYTES,
);
const alertFill = filler({ ...alertBase, caseId: 'fan-alert-12345', region: '620102001001' }, ALERT_BYTES);

function sendDelta(code: string): void {
  const seq = (seqs.get(code) ?? 0) + 1;
  seqs.set(code, seq);
  const changes = { 'counts.today.incident': counts.get(code) ?? 0, ...deltaFill };
  io.to(regionRoom(code)).emit('delta', { region: code, seq, asOf: new Date().toISOString(), changes });
}

function sendAlert(e: { caseId: string; region: string }): void {
  const alert = { ...alertBase, id: `alert-${e.caseId}`, caseId: e.caseId, region: e.region, ...alertFill };
  for (const code of ancestry(e.region)) if (watched(code)) io.to(regionRoom(code)).emit('alert', alert);
}

type Posted = { id: string; caseId: string; kind: string; region: string; riskMarkers?: unknown };

function fanOut(events: Posted[]): void {
  const touched = new Set<string>();
  for (const e of events) {
    if (e.kind === 'incident') {
      for (const code of ancestry(e.region)) {
        if (!watched(code)) continue;
        counts.set(code, (counts.get(code) ?? 0) + 1);
        if (PER_EVENT) sendDelta(code);
        else touched.add(code);
      }
    }
    if (isBenchAlert(e)) sendAlert(e);
  }
  for (const code of touched) sendDelta(code);
}

async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/readyz') return reply(200, { ok: true });
  if (req.method === 'GET' && req.url === '/metrics') {
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(await registry.metrics());
    return;
  }
  if (req.method !== 'POST' || req.url !== '/api/v1/events') return reply(404, { error: 'not_found' });
  if (req.headers.authorization !== AUTH) return reply(401, { error: 'unauthenticated' });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let events: Posted[];
  try {
    events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Posted[];
  } catch {
    return reply(400, { error: 'bad_request' });
  }
  fanOut(events);
  reply(200, { accepted: events.length, duplicates: 0, rejected: [] });
}

httpServer.listen(PORT, '127.0.0.1');
process.on('SIGTERM', () => {
  void io.close();
  httpServer.close(() => process.exit(0));
});
