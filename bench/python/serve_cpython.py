"""CPython peer of `tessera example serve`: a threaded HTTP server computing fib(n) in Python (one interpreter, its
GIL shared by the request threads). Prints `PORT <n>` first, then serves /fib?n= on 127.0.0.1 until stopped.

    python3 bench/python/serve_cpython.py
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK (~40 ms)
    disable_nagle_algorithm = True

    def do_GET(self):
        try:
            n = int(parse_qs(urlparse(self.path).query)["n"][0])
            if not 0 <= n <= 35:
                raise ValueError(n)
            body, status = f"{fib(n)}\n".encode(), 200
        except (KeyError, ValueError):
            body, status = b"ask for /fib?n=K with K in [0, 35]\n", 400
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
