"""A real SMTP server for the e-mail tests (aiosmtpd), started by the test itself.

It listens on 127.0.0.1 on a free port and reports on stdout, one JSON object a
line (flushed at once):

  {"event": "ready", "port": 12345}
  {"event": "message", "mail_from": ..., "rcpt_tos": [...], "subject": ..., "from": ...,
   "to": [...], "message_id": ..., "content_type": ..., "text": ..., "html": ..., "raw": ...}
  {"event": "refused", "rcpt_tos": [...], "code": 554}
  {"event": "auth", "ok": true, "login": "..."}

Options: --refuse CODE answers every DATA with CODE (a refusing server);
--refuse-first N refuses only the first N; --delay-ms MS waits before answering
DATA (a slow server); --auth LOGIN:PASSWORD requires AUTH with these credentials.
"""

import argparse
import asyncio
import email
import json
import sys
from email import policy

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Sink:
    def __init__(self, args):
        self.args = args
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.args.delay_ms:
            await asyncio.sleep(self.args.delay_ms / 1000)
        refuse_all = self.args.refuse and not self.args.refuse_first
        if refuse_all or self.refused < self.args.refuse_first:
            self.refused += 1
            code = self.args.refuse or 451
            emit({"event": "refused", "rcpt_tos": envelope.rcpt_tos, "code": code})
            return f"{code} Refused by the test sink"
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        emit({
            "event": "message",
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg.get("Subject", "")),
            "from": str(msg.get("From", "")),
            "to": [str(a) for a in (msg.get("To").addresses if msg.get("To") else [])],
            "message_id": str(msg.get("Message-ID", "")),
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "raw": raw.decode("utf-8", "replace"),
        })
        return "250 OK: queued by the test sink"


def authenticator(expected):
    def check(server, session, envelope, mechanism, auth_data):
        ok = False
        login = None
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            ok = (auth_data.login.decode(), auth_data.password.decode()) == expected
        emit({"event": "auth", "ok": ok, "login": login, "mechanism": mechanism})
        return AuthResult(success=ok)
    return check


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--refuse", type=int, default=0)
    p.add_argument("--refuse-first", type=int, default=0)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--auth", default=None)
    args = p.parse_args()
    handler = Sink(args)
    options = {}
    if args.auth:
        login, _, password = args.auth.partition(":")
        options = dict(
            authenticator=authenticator((login, password)),
            auth_required=True,
            auth_require_tls=False,
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", enable_SMTPUTF8=True, **options),
        host="127.0.0.1",
        port=0,
    )
    emit({"event": "ready", "port": server.sockets[0].getsockname()[1]})
    # Ends when the test closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
