"""A Sentry ingestion endpoint on 127.0.0.1 for the tests (imports nothing from Odoo).

Used as the DSN, it receives the envelopes a real sentry-sdk client sends
over real HTTP. The Odoo tier and the live tier both use it.
"""

import gzip
import http.server
import json
import threading
import time


class SentryListener:
    """A Sentry ingestion endpoint on 127.0.0.1 that keeps what it receives.

    Used as the DSN, it receives the envelopes a real sentry-sdk client sends
    over real HTTP.
    """

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append(body)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_port}/1"

    def wait_for(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return len(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def raw(self):
        return b"\n".join(self.received).decode("utf-8", "replace")

    def events(self):
        """The event items of every envelope received."""
        events = []
        for body in self.received:
            lines = body.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    events.append(json.loads(payload))
        return events
