#!/usr/bin/env python3
"""Crash test of lead capture: kill -9 under load, many cycles, then verify.

Each cycle starts the server, sends captures from several threads (each with its
own Idempotency-Key and a marker in its metadata), kills the server with SIGKILL
at a random moment, and records every capture the server acknowledged (2xx). At
the end, on a running server and straight from the database:

- every acknowledged capture is stored exactly once (lost = 0, duplicated = 0),
  and no capture is stored twice whatever its answer;
- a retry of an acknowledged capture with its key replays the first answer;
- every lead's score is the capped sum of its interactions' points, and its count
  their number.

Usage: crash.py <cycles> <database url> <data dir>   (environment: BIN, EVENT,
SPONSOR, TOKEN from `sponsorhub seed`; PSQL for PostgreSQL checks).
Prints one line of figures and exits non-zero on any loss, duplicate or mismatch.
"""

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

cycles, db_url, data_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
BIN, EVENT, SPONSOR, TOKEN = os.environ["BIN"], os.environ["EVENT"], os.environ["SPONSOR"], os.environ["TOKEN"]
PATH = f"/api/v1/sponsors/events/{EVENT}/sponsors/{SPONSOR}/capture-lead"
rng = random.Random(4242)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start():
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, SPONSORHUB_DATA_DIR=data_dir, SPONSORHUB_BIND=f"127.0.0.1:{port}",
               SPONSORHUB_CAPTURE_LIMIT="1000000000", RUST_LOG="warn",
               SPONSORHUB_JWT_SECRET="bench-secret-of-thirty-two-bytes-or-more", SPONSORHUB_EMAIL_WORKER="false")
    log = open(os.path.join(data_dir, "server.log"), "ab")
    proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit("the server did not start")


def capture(port, key, attendee):
    body = json.dumps({"interaction_type": "booth_visit", "attendee": {"email": attendee},
                       "metadata": {"marker": key}})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", PATH, body=body, headers={"authorization": f"Bearer {TOKEN}",
                                                "content-type": "application/json", "idempotency-key": key})
    r = c.getresponse()
    return r.status, r.read().decode(), r.getheader("idempotent-replayed"), body


acknowledged = {}  # key -> (status, answer, body)
sent = 0
lock = threading.Lock()


def load(port, cycle, worker, stop):
    global sent
    i = 0
    while not stop.is_set():
        key = f"c{cycle}-w{worker}-{i}"
        # a few attendees: repeats exercise the update path and the row lock
        attendee = f"a{rng.randrange(40)}@crash.test"
        i += 1
        with lock:
            sent += 1
        try:
            status, answer, _, body = capture(port, key, attendee)
        except (OSError, http.client.HTTPException):
            continue  # cut off by the kill: unacknowledged
        if 200 <= status < 300:
            with lock:
                acknowledged[key] = (status, answer, body)


for cycle in range(cycles):
    proc, port = start()
    stop = threading.Event()
    threads = [threading.Thread(target=load, args=(port, cycle, w, stop)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(rng.uniform(0.05, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join()

# Verification, with the server up again.
proc, port = start()
if db_url.startswith("sqlite:"):
    path = db_url.split("://", 1)[1].split("?", 1)[0]
    con = sqlite3.connect(path)

    def rows(sql):
        return con.execute(sql).fetchall()

    markers = rows("SELECT json_extract(metadata, '$.marker'), COUNT(*) FROM sponsor_lead_interactions GROUP BY 1")
    bad_scores = rows("""SELECT COUNT(*) FROM sponsor_leads l WHERE intent_score <> MIN(100,
        (SELECT SUM(points) FROM sponsor_lead_interactions i WHERE i.lead_id = l.id))
        OR interaction_count <> (SELECT COUNT(*) FROM sponsor_lead_interactions i WHERE i.lead_id = l.id)""")[0][0]
else:
    def psql(sql):
        out = subprocess.run([os.environ.get("PSQL", "psql"), db_url, "-At", "-F", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    markers = [(k, int(n)) for k, n in psql(
        "SELECT metadata->>'marker', COUNT(*) FROM sponsor_lead_interactions GROUP BY 1")]
    bad_scores = int(psql("""SELECT COUNT(*) FROM sponsor_leads l WHERE intent_score <> LEAST(100,
        (SELECT SUM(points) FROM sponsor_lead_interactions i WHERE i.lead_id = l.id))
        OR interaction_count <> (SELECT COUNT(*) FROM sponsor_lead_interactions i WHERE i.lead_id = l.id)""")[0][0])

stored = {k: n for k, n in markers if k}
lost = sum(1 for k in acknowledged if stored.get(k, 0) == 0)
duplicated = sum(1 for n in stored.values() if n > 1)
replay_mismatch = 0
for key in rng.sample(sorted(acknowledged), min(50, len(acknowledged))):
    status, answer, body = acknowledged[key]
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", PATH, body=body, headers={"authorization": f"Bearer {TOKEN}",
                                                "content-type": "application/json", "idempotency-key": key})
    r = c.getresponse()
    if r.status != status or json.loads(r.read()) != json.loads(answer) or r.getheader("idempotent-replayed") != "true":
        replay_mismatch += 1
proc.terminate()
proc.wait()
print(json.dumps({"cycles": cycles, "sent": sent, "acknowledged": len(acknowledged), "stored": sum(stored.values()),
                  "lost": lost, "duplicated": duplicated, "replay_mismatch": replay_mismatch,
                  "score_mismatch": bad_scores}))
sys.exit(1 if lost or duplicated or replay_mismatch or bad_scores else 0)
