// Drives the stock socket.io client (socket.io-client v4) for the Rust tests in
// crates/server/tests/realtime.rs. One JSON command per line on stdin, one JSON
// line per thing that happens on stdout:
//
//   {"op":"connect","id":"a","url":"http://127.0.0.1:1234","token":"...","via":"auth"|"header"}
//        -> {"id":"a","event":"connect"} or {"id":"a","event":"connect_error","message":"..."}
//        with "joinOnConnect":"<sponsorId>", sponsor.leads.join is emitted in the
//        connect callback, as dashboards do -> {"id":"a","event":"join_ack","data":{...}}
//   {"op":"emit","id":"a","req":1,"event":"sponsor.leads.join","data":{...}}
//        -> {"id":"a","req":1,"ack":{...}} or {"id":"a","req":1,"error":"..."}
//   {"op":"close","id":"a"}                -> {"id":"a","event":"closed"}
//   every event the server sends           -> {"id":"a","event":"lead.captured.new","data":{...}}
import { io } from "socket.io-client";
import readline from "node:readline";

const sockets = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

function connect({ id, url, token, via = "auth", transports, joinOnConnect }) {
  const opts = { path: "/socket.io/", reconnection: false, forceNew: true, timeout: 10000 };
  if (transports) opts.transports = transports;
  if (token != null && via === "auth") opts.auth = { token };
  if (token != null && via === "header") opts.extraHeaders = { Authorization: `Bearer ${token}` };
  const s = io(`${url}/events`, opts);
  sockets.set(id, s);
  s.on("connect", () => {
    if (joinOnConnect) {
      s.timeout(10000).emit("sponsor.leads.join", { sponsorId: joinOnConnect }, (err, ack) =>
        out({ id, event: "join_ack", data: err ? { timeout: err.message } : ack }),
      );
    }
    out({ id, event: "connect" });
  });
  s.on("connect_error", (err) => out({ id, event: "connect_error", message: err.message }));
  s.on("disconnect", (reason) => out({ id, event: "disconnect", reason }));
  s.onAny((event, data) => out({ id, event, data }));
}

function emit({ id, req, event, data }) {
  const s = sockets.get(id);
  if (!s) return out({ id, req, error: "no such socket" });
  s.timeout(10000).emit(event, data, (err, ack) => {
    if (err) out({ id, req, error: err.message });
    else out({ id, req, ack });
  });
}

function close({ id }) {
  const s = sockets.get(id);
  if (s) s.disconnect();
  sockets.delete(id);
  out({ id, event: "closed" });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  if (cmd.op === "connect") connect(cmd);
  else if (cmd.op === "emit") emit(cmd);
  else if (cmd.op === "close") close(cmd);
  else out({ error: `unknown op ${cmd.op}` });
});
rl.on("close", () => {
  for (const s of sockets.values()) s.disconnect();
  process.exit(0);
});
