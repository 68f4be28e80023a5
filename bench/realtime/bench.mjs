// Capture-to-delivery delay of the real-time lead feed, seen by stock socket.io
// clients (socket.io-client 4, from crates/server/tests/js/node_modules).
//
// Opens CLIENTS sockets on /events (spread over the URLS given), each joins the
// sponsor's room, then posts CAPTURES lead captures at RATE per second through the
// first URL and times, for every client, the moment `lead.captured.new` arrives
// against the moment the capture's POST was sent. Prints one JSON line.
//
// Environment: URLS (space separated), EVENT, SPONSOR, TOKEN (staff bearer token,
// used for the sockets and the captures), CLIENTS (1000), CAPTURES (200), RATE (10).
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../crates/server/tests/js/package.json"));
const { io } = require("socket.io-client");

const urls = (process.env.URLS ?? "").split(/\s+/).filter(Boolean);
const { EVENT, SPONSOR, TOKEN } = process.env;
const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const CAPTURES = Number(process.env.CAPTURES ?? 200);
const RATE = Number(process.env.RATE ?? 10);
if (!urls.length || !EVENT || !SPONSOR || !TOKEN) {
  console.error("set URLS, EVENT, SPONSOR and TOKEN");
  process.exit(2);
}

const sent = new Map(); // attendee e-mail -> performance.now() when the POST left
const delays = []; // ms, one per (capture, client) delivery
const delaysByUrl = new Map(urls.map((u) => [u, []]));
const first = new Map(); // attendee e-mail -> the fastest client's delay
const httpMs = [];
let late = 0; // deliveries of captures not sent by this run

function openClient(i) {
  return new Promise((resolve, reject) => {
    const url = urls[i % urls.length];
    const s = io(`${url}/events`, {
      path: "/socket.io/",
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 20000,
      auth: { token: TOKEN },
    });
    s.on("lead.captured.new", (lead) => {
      const t0 = sent.get(lead.userEmail);
      if (t0 === undefined) late++;
      else {
        const d = performance.now() - t0;
        delays.push(d);
        delaysByUrl.get(url).push(d);
        if (!first.has(lead.userEmail)) first.set(lead.userEmail, d);
      }
    });
    s.once("connect_error", (e) => reject(new Error(`client ${i}: ${e.message}`)));
    s.once("connect", () => {
      s.timeout(20000).emit("sponsor.leads.join", { sponsorId: SPONSOR }, (err, ack) => {
        if (err || !ack?.success) reject(new Error(`client ${i} join: ${err?.message ?? ack?.error}`));
        else resolve(s);
      });
    });
  });
}

const sockets = [];
const t = performance.now();
for (let i = 0; i < CLIENTS; i += 50) {
  const batch = [];
  for (let j = i; j < Math.min(i + 50, CLIENTS); j++) batch.push(openClient(j));
  sockets.push(...(await Promise.all(batch)));
}
const connectSecs = (performance.now() - t) / 1000;

const runTag = Date.now().toString(36);
const captureUrl = `${urls[0]}/api/v1/sponsors/events/${EVENT}/sponsors/${SPONSOR}/capture-lead`;
let failed = 0;
const inflight = [];
const start = performance.now();
for (let i = 0; i < CAPTURES; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const email = `bench-${runTag}-${i}@load.test`;
  sent.set(email, performance.now());
  const t0 = performance.now();
  inflight.push(
    fetch(captureUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ interaction_type: "booth_visit", attendee: { email, name: `Bench ${i}` } }),
    }).then(async (r) => {
      await r.arrayBuffer();
      httpMs.push(performance.now() - t0);
      if (r.status !== 201) failed++;
    }),
  );
}
await Promise.all(inflight);
// let the last deliveries arrive
const expected = (CAPTURES - failed) * CLIENTS;
const deadline = performance.now() + 10000;
while (delays.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
for (const s of sockets) s.disconnect();

const pct = (xs, p) => {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
};
console.log(
  JSON.stringify({
    clients: CLIENTS,
    instances: urls.length,
    captures: CAPTURES,
    rate_per_s: RATE,
    failed_captures: failed,
    connect_and_join_s: Math.round(connectSecs * 10) / 10,
    deliveries: delays.length,
    expected_deliveries: expected,
    unexpected_deliveries: late,
    delay_ms: { p50: pct(delays, 50), p90: pct(delays, 90), p99: pct(delays, 99), max: pct(delays, 100) },
    first_client_delay_ms: { p50: pct([...first.values()], 50), p99: pct([...first.values()], 99) },
    capture_http_ms: { p50: pct(httpMs, 50), p99: pct(httpMs, 99) },
    ...(urls.length > 1
      ? {
          delay_ms_by_instance: Object.fromEntries(
            urls.map((u, i) => [
              i === 0 ? "capturing instance" : `instance ${i + 1}`,
              { p50: pct(delaysByUrl.get(u), 50), p99: pct(delaysByUrl.get(u), 99) },
            ]),
          ),
        }
      : {}),
  }),
);
process.exit(0);
