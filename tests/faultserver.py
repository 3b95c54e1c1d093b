#!/usr/bin/env python3
"""faultserver.py: a fault-injecting HTTP/1.1 server for roleboot's tests.

Usage:
  faultserver.py --root DIR --log FILE --portfile FILE [--port 0]
                 [--fail-rate 0.2] [--seed N] [--stall-seconds 30]
                 [--stream-seconds 60] [--parent PID] [--lifetime 3600]

It listens on 127.0.0.1 only (port 0 picks a free port, written to
--portfile once the socket listens) and serves files under DIR.  The first
path component picks a behaviour, the rest names the file under DIR:
GET /ok/b/demo.tar.gz serves DIR/b/demo.tar.gz.  "First request" counts per
full request path, query string included, so a test that wants a fresh
counter for the same file can add "?try=2".

  /ok/F             200 with Content-Length; "Range: bytes=N-" (and N-M, -K)
                    gives 206 with Content-Range, past the end 416
  /500-then-200/F   first request 500, then like /ok
  /429/F            first request 429 with Retry-After: 1, then like /ok
  /503/F            first two requests 503 with Retry-After: 1, then like /ok
  /reset/F          first request: 200 headers with the full length, half of
                    the body, then a TCP RST; later requests like /ok
  /norange/F        like /reset the first time; later ones ignore Range and
                    send the whole file with 200
  /short/F          always: full Content-Length, half the body, clean close
  /stall/F          always: headers and the first 1024 bytes, then silence
                    for --stall-seconds, then close
  /big/ANY          always: 200 with Content-Length 10 GiB, zeros streamed
                    slowly until the client goes away
  /chunked-big/ANY  always: chunked, no Content-Length, zero chunks streamed
                    until the client goes away
  /redirect-file/X  302 to file:///etc/passwd
  /redirect-ok/F    302 to /ok/F on this server
  /loop/X           302 to the same path, for ever
  /random/F         with probability --fail-rate a 500 (half of those) or a
                    reset mid-body like /reset (the other half); else /ok
  /down/X           always 503 with Retry-After: 1
  POST /report/NAME       body stored as DIR/reports/NAME-<n>.json, 204
  POST /report-down/NAME  always 503

Each request appends one line to --log:
  <method> <path> <status> range=<Range header or -> bytes=<body bytes sent>
where status is the one answered, even when the body was cut afterwards.

Streams (/big, /chunked-big) stop after --stream-seconds even if the client
still reads; the server exits by itself after --lifetime seconds, or as soon
as the process --parent is gone, and cleanly (status 0) on SIGTERM/SIGINT.
"""

import argparse
import fcntl
import http.server
import os
import random
import re
import select
import socket
import socketserver
import struct
import sys
import termios
import threading
import time
import urllib.parse

import testserver

BIG_LENGTH = 10 * 1024 * 1024 * 1024  # what /big claims to send
STREAM_CHUNK = 64 * 1024  # bytes of zeros per write on /big, /chunked-big
STREAM_PAUSE = 0.02  # seconds between those writes (about 3 MB/s)
STALL_PREFIX = 1024  # bytes /stall sends before going silent
REPORT_MAX = 16 * 1024 * 1024  # largest report body accepted
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
ZEROS = b"\0" * STREAM_CHUNK

# errors that only mean the client went away
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, socket.timeout)


class Aborted(Exception):
    """The handler cut the connection on purpose (reset or early close)."""


class FaultServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, port, opts):
        self.opts = opts
        self.root = os.path.realpath(opts.root)
        self.counts = {}
        self.count_lock = threading.Lock()
        self.rng = random.Random(opts.seed)
        self.rng_lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.logf = open(opts.log, "a", encoding="utf-8")
        self.report_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def server_bind(self):
        # skip HTTPServer's getfqdn() lookup: nothing here needs a name
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def hit(self, path):
        """Counts one request for PATH; returns how many so far (1 = first)."""
        with self.count_lock:
            n = self.counts.get(path, 0) + 1
            self.counts[path] = n
            return n

    def draw(self):
        with self.rng_lock:
            return self.rng.random()

    def log_line(self, line):
        with self.log_lock:
            if self.logf.closed:  # shutting down
                return
            self.logf.write(line + "\n")
            self.logf.flush()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, GONE):
            return
        super().handle_error(request, client_address)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"
    sys_version = ""
    timeout = 120  # an idle or stuck client frees its thread after this

    def log_message(self, format, *args):  # quiet: --log has the requests
        pass

    # ---- one request -------------------------------------------------

    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def do_POST(self):
        self._serve(head=False)

    def _serve(self, head):
        self.status = 0
        self.sent = 0
        self.head = head
        try:
            self._dispatch()
        except Aborted:
            self.close_connection = True
        except GONE:
            self.close_connection = True
        finally:
            rng = self.headers.get("Range") or "-"
            rng = rng.replace(" ", "").replace("\t", "") or "-"
            self.server.log_line("%s %s %d range=%s bytes=%d" % (
                self.command, self.path, self.status, rng, self.sent))

    def _dispatch(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        parts = path.lstrip("/").split("/", 1)
        mode = parts[0]
        rest = parts[1] if len(parts) > 1 else ""
        n = self.server.hit(self.path)

        if self.command == "POST":
            return self._post(mode, rest)

        if mode == "ok":
            return self._file(rest)
        if mode == "500-then-200":
            if n == 1:
                return self._simple(500, b"injected failure\n")
            return self._file(rest)
        if mode == "429":
            if n == 1:
                return self._simple(429, b"slow down\n", {"Retry-After": "1"})
            return self._file(rest)
        if mode == "503":
            if n <= 2:
                return self._simple(503, b"unavailable\n", {"Retry-After": "1"})
            return self._file(rest)
        if mode == "reset":
            if n == 1:
                return self._file(rest, fault="reset")
            return self._file(rest)
        if mode == "norange":
            if n == 1:
                return self._file(rest, fault="reset")
            return self._file(rest, ranges=False)
        if mode == "short":
            return self._file(rest, fault="short")
        if mode == "stall":
            return self._file(rest, fault="stall")
        if mode == "big":
            return self._big()
        if mode == "chunked-big":
            return self._chunked_big()
        if mode == "redirect-file":
            return self._simple(302, b"", {"Location": "file:///etc/passwd"})
        if mode == "redirect-ok":
            return self._simple(302, b"", {"Location": "/ok/" + rest})
        if mode == "loop":
            return self._simple(302, b"", {"Location": self.path})
        if mode == "random":
            r = self.server.draw()
            rate = self.server.opts.fail_rate
            if r < rate / 2:
                return self._simple(500, b"random failure\n")
            if r < rate:
                return self._file(rest, fault="reset")
            return self._file(rest)
        if mode == "down":
            return self._simple(503, b"down\n", {"Retry-After": "1"})
        return self._simple(404, b"no such behaviour\n")

    # ---- plain answers -----------------------------------------------

    def _start(self, status, headers):
        self.status = status
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()

    def _write(self, data):
        if self.head or not data:
            return
        self.wfile.write(data)
        self.sent += len(data)

    def _simple(self, status, body, headers=None):
        h = {"Content-Type": "text/plain", "Content-Length": str(len(body))}
        h.update(headers or {})
        self._start(status, h)
        self._write(body)

    # ---- files -------------------------------------------------------

    def _resolve(self, rest):
        """DIR/rest as a real path inside DIR, or None."""
        rel = urllib.parse.unquote(rest)
        if not rel or "\0" in rel:
            return None
        if any(p in ("..",) for p in rel.split("/")):
            return None
        full = os.path.realpath(os.path.join(self.server.root, rel))
        if os.path.commonpath([full, self.server.root]) != self.server.root:
            return None
        if not os.path.isfile(full):
            return None
        return full

    @staticmethod
    def _parse_range(value, size):
        """(start, end) inclusive for a single bytes range, "416", or None to ignore."""
        m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value or "")
        if not m or (m.group(1) == "" and m.group(2) == ""):
            return None
        if m.group(1) == "":  # suffix: the last K bytes
            k = int(m.group(2))
            if k == 0:
                return "416"
            return (max(0, size - k), size - 1)
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
        if start >= size:
            return "416"
        if end < start:
            return None
        return (start, min(end, size - 1))

    def _file(self, rest, ranges=True, fault=None):
        full = self._resolve(rest)
        if full is None:
            return self._simple(404, b"not found\n")
        size = os.path.getsize(full)
        start, end, status = 0, size - 1, 200
        headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"}
        if ranges and fault is None:
            r = self._parse_range(self.headers.get("Range"), size)
            if r == "416":
                return self._simple(416, b"", {"Content-Range": "bytes */%d" % size})
            if r is not None:
                start, end, status = r[0], r[1], 206
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, size)
        length = end - start + 1
        headers["Content-Length"] = str(length)

        if fault in ("reset", "short"):
            limit = length // 2
        elif fault == "stall":
            limit = min(STALL_PREFIX, max(0, length - 1))
        else:
            limit = length

        self._start(status, headers)
        with open(full, "rb") as fh:
            fh.seek(start)
            left = limit
            while left > 0:
                chunk = fh.read(min(65536, left))
                if not chunk:
                    break
                self._write(chunk)
                left -= len(chunk)

        if fault == "reset":
            self._reset()
        elif fault == "short":
            self._close_clean()
        elif fault == "stall":
            self._stall()
            self._close_clean()

    # ---- faults ------------------------------------------------------

    def _drain_sendq(self, seconds=2.0):
        """Waits (bounded) until the peer has acknowledged what was sent."""
        sock = self.connection
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                buf = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
                if struct.unpack("i", buf)[0] == 0:
                    break
            except OSError:
                break
            time.sleep(0.005)

    def _reset(self):
        """Aborts the connection with a TCP RST (SO_LINGER on, timeout 0)."""
        self._drain_sendq()
        time.sleep(0.05)  # let the client read what it already has
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass
        raise Aborted()

    def _close_clean(self):
        """Ends the connection with a FIN after what was sent so far."""
        try:
            self.wfile.flush()
        except OSError:
            pass
        raise Aborted()  # close_connection set; the server shuts down with FIN

    def _stall(self):
        deadline = time.monotonic() + self.server.opts.stall_seconds
        peeked_data = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if peeked_data:  # pipelined bytes waiting: select no longer tells
                time.sleep(min(left, 0.2))
                continue
            try:
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.2))
            except (OSError, ValueError):
                return
            if readable:
                try:
                    data = self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue
                except OSError:
                    return
                if data == b"":
                    return  # client went away: stop waiting
                peeked_data = True

    def _stream_deadline(self):
        return time.monotonic() + self.server.opts.stream_seconds

    def _big(self):
        self._start(200, {"Content-Type": "application/octet-stream",
                          "Content-Length": str(BIG_LENGTH)})
        if self.head:
            return
        deadline = self._stream_deadline()
        left = BIG_LENGTH
        while left > 0 and time.monotonic() < deadline:
            chunk = ZEROS if left >= len(ZEROS) else ZEROS[:left]
            self._write(chunk)
            left -= len(chunk)
            time.sleep(STREAM_PAUSE)
        self._close_clean()

    def _chunked_big(self):
        self._start(200, {"Content-Type": "application/octet-stream",
                          "Transfer-Encoding": "chunked"})
        if self.head:
            return
        deadline = self._stream_deadline()
        frame_head = b"%x\r\n" % len(ZEROS)
        while time.monotonic() < deadline:
            self.wfile.write(frame_head)
            self._write(ZEROS)
            self.wfile.write(b"\r\n")
            time.sleep(STREAM_PAUSE)
        self._close_clean()  # no closing chunk: the client sees a cut stream

    # ---- POST ----------------------------------------------------------

    def _read_body(self):
        """The request body (Content-Length or chunked), or None when too big or bad."""
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            body = bytearray()
            for _ in range(1_000_000):
                line = self.rfile.readline(1024)
                if not line:
                    return None
                try:
                    n = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    return None
                if n == 0:
                    for _ in range(100):  # trailers up to the empty line
                        t = self.rfile.readline(8192)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    return bytes(body)
                if len(body) + n > REPORT_MAX:
                    return None
                body += self.rfile.read(n)
                self.rfile.readline(16)
            return None
        try:
            n = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            return None
        if n < 0 or n > REPORT_MAX:
            return None
        return self.rfile.read(n)

    def _post(self, mode, rest):
        body = self._read_body()
        if body is None:
            self.close_connection = True
            return self._simple(413, b"body refused\n")
        if mode == "report-down":
            return self._simple(503, b"report sink down\n")
        if mode != "report":
            return self._simple(404, b"no such behaviour\n")
        name = urllib.parse.unquote(rest)
        if not NAME_RE.match(name) or name.startswith("."):
            return self._simple(400, b"bad report name\n")
        rdir = os.path.join(self.server.root, "reports")
        with self.server.report_lock:
            os.makedirs(rdir, exist_ok=True)
            for i in range(1, 100000):
                target = os.path.join(rdir, "%s-%d.json" % (name, i))
                if not os.path.exists(target):
                    break
            else:
                return self._simple(507, b"too many reports\n")
            tmp = target + ".part"
            with open(tmp, "wb") as fh:
                fh.write(body)
            os.rename(tmp, target)
        self._start(204, {})



def main():
    ap = argparse.ArgumentParser(description="fault-injecting HTTP/1.1 test server (127.0.0.1 only)")
    ap.add_argument("--root", required=True, help="folder to serve")
    ap.add_argument("--log", required=True, help="request log, one line per request")
    ap.add_argument("--portfile", required=True, help="gets the port once listening")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--fail-rate", type=float, default=0.2, help="failure share on /random")
    ap.add_argument("--seed", type=int, default=1, help="seed of /random's generator")
    ap.add_argument("--stall-seconds", type=float, default=30.0, help="silence on /stall")
    ap.add_argument("--stream-seconds", type=float, default=60.0,
                    help="longest /big or /chunked-big stream")
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds")
    opts = ap.parse_args()
    if not os.path.isdir(opts.root):
        ap.error("--root %s: not a folder" % opts.root)
    if not 0.0 <= opts.fail_rate <= 1.0:
        ap.error("--fail-rate must be between 0 and 1")

    return testserver.run("faultserver", FaultServer, opts)


if __name__ == "__main__":
    sys.exit(main())
