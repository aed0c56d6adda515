"""One replica for the load-balancer lab: a single-threaded HTTP server on 127.0.0.1.

Run as a script (``python -I _replica.py PORT``), not imported: it needs only the
standard library. ``GET /?ms=12.5`` sleeps 12.5 ms (at most 2000) and answers ``ok <ms> <port>``, where ``<ms>`` is
how long the replica really spent on the request (parsing, sleeping; a busy machine
oversleeps).
One request at a time, the rest wait in the listen queue: a FIFO queue with one server.
"""

import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the http.server hook's name)
        began = time.perf_counter()
        try:
            ms = float(parse_qs(urlparse(self.path).query).get("ms", ["0"])[0])
        except ValueError:
            ms = 0.0
        time.sleep(min(max(ms, 0.0), 2000.0) / 1000.0)
        body = f"ok {1000 * (time.perf_counter() - began):.3f} {self.server.server_address[1]}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(HTTPServer):
    request_queue_size = 1024


if __name__ == "__main__":
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
