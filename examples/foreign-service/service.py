"""A service none of mapek's code runs inside: a small HTTP server in plain Python.

It answers GET /metrics in the Prometheus text format and GET /health, and it can be made to
fail: POST /fault/errors makes every later request count as an error (the error ratio rises to
1), as a stuck connection or a poisoned cache would, until the process is restarted. mapek
watches it only through the configuration file (its metrics URL and rules) and heals it only
through an effector (the process or container effector restarts it).

    python3 service.py --port 8500 [--pid-file service.pid]
"""

import argparse
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.failing = False
        self.started = time.time()

    def observe(self) -> None:
        with self.lock:
            self.requests += 1
            if self.failing:
                self.errors += 1

    def error_ratio(self) -> float:
        # The ratio of the moment: a failing service fails every request it serves.
        return 1.0 if self.failing else 0.0


STATE = State()


class Handler(BaseHTTPRequestHandler):
    server_version = "foreign-service/1"

    def log_message(self, format: str, *args: object) -> None:  # quiet: the test reads metrics, not logs
        pass

    def send_text(self, status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/metrics":
            STATE.observe()
            lines = [
                "# HELP foreign_requests_total Requests served.",
                "# TYPE foreign_requests_total counter",
                f"foreign_requests_total {STATE.requests}",
                "# HELP foreign_errors_total Requests that failed.",
                "# TYPE foreign_errors_total counter",
                f"foreign_errors_total {STATE.errors}",
                "# HELP foreign_error_ratio Share of requests failing right now.",
                "# TYPE foreign_error_ratio gauge",
                f"foreign_error_ratio {STATE.error_ratio()}",
                "# HELP foreign_start_time_seconds When this process started.",
                "# TYPE foreign_start_time_seconds gauge",
                f"foreign_start_time_seconds {STATE.started}",
                "",
            ]
            self.send_text(200, "\n".join(lines), "text/plain; version=0.0.4; charset=utf-8")
        elif self.path == "/health":
            self.send_text(200, "ok\n")
        else:
            self.send_text(404, "not found\n")

    def do_POST(self) -> None:
        if self.path == "/fault/errors":
            STATE.failing = True
            self.send_text(200, "failing\n")
        else:
            self.send_text(404, "not found\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--pid-file")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    if args.pid_file:
        with open(args.pid_file, "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
