// Connects N stock socket.io clients to /events, each joining its sponsor's lead
// feed, prints READY and stays connected and idle until killed (bench/socket-heap).
//   node socket-heap.mjs URL SETUP_JSON N
import fs from "node:fs";
import { io } from "socket.io-client";

const [url, setup, n] = [process.argv[2], process.argv[3], +process.argv[4]];
const sponsors = JSON.parse(fs.readFileSync(setup, "utf8")).sponsors;
const socks = [];
for (let i = 0; i < n; i++) {
  const s = sponsors[i % sponsors.length];
  await new Promise((resolve, reject) => {
    const sock = io(`${url}/events`, { transports: ["websocket"], auth: { token: s.watchToken }, reconnection: false, forceNew: true });
    sock.on("connect_error", reject);
    sock.on("connect", () => sock.emit("sponsor.leads.join", { sponsorId: s.id },
      (ack) => (ack && ack.success ? resolve() : reject(new Error(JSON.stringify(ack))))));
    socks.push(sock);
  });
}
console.log("READY", socks.length);
setInterval(() => {}, 1 << 30);
