#!/usr/bin/python3
"""dnsupdate_load.py: a load driver of TSIG-signed DNS UPDATEs for the bench.

Usage:
  dnsupdate_load.py --server 127.0.0.1 --port N --zone Z --key NAME:SECRET
                    --clients C --updates U --prefix P --out FILE
                    [--per 1] [--procs 2] [--timeout 30]

C clients (threads, spread over --procs processes so that the driver has
both cores) each send U UPDATEs one after the other over UDP from
127.0.0.1, each one "update add P-cCCC-uUUUUU-R.Z 300 A 10.x.y.z" for R
in 0 .. --per - 1 (new names, one A record each), signed
with hmac-sha256 (dnspython, Debian's python3-dnspython), and wait for the
answer, whose TSIG is checked.  Every UPDATE's wall time (send to answer)
is written to FILE, one number of microseconds a line; the last line is
"wall SECONDS errors N" (the whole run, first send to last answer).  A
timeout or an rcode other than NOERROR counts as an error (the UPDATE is
not sent again).  The loops are bounded: C * U UPDATEs in all.
"""
import argparse
import os
import socket
import sys
import threading
import time

import dns.message
import dns.query
import dns.rcode
import dns.tsigkeyring
import dns.update


def client(args, keyring, cid, lat, errs):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    for u in range(args.updates):
        n = cid * args.updates + u
        upd = dns.update.UpdateMessage(args.zone, keyring=keyring, keyalgorithm="hmac-sha256")
        for r in range(args.per):
            m = n * args.per + r
            upd.add("%s-c%03d-u%06d-%d" % (args.prefix, cid, u, r), 300, "A",
                    "10.%d.%d.%d" % (m >> 16 & 255, m >> 8 & 255, m & 255))
        t0 = time.perf_counter()
        try:
            r = dns.query.udp(upd, args.server, port=args.port, timeout=args.timeout, sock=sock)
            ok = r.rcode() == dns.rcode.NOERROR
        except Exception as e:  # a timeout, a bad TSIG on the answer
            print("update %d of client %d: %s" % (u, cid, e), file=sys.stderr)
            ok = False
        t1 = time.perf_counter()
        if ok:
            lat.append(int((t1 - t0) * 1e6))
        else:
            errs.append(1)
    sock.close()


def run(args, keyring, cids, path):
    lat, errs = [], []
    ts = [threading.Thread(target=client, args=(args, keyring, c, lat, errs)) for c in cids]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(path, "w") as fh:
        fh.write("".join("%d\n" % v for v in lat))
        fh.write("errors %d\n" % len(errs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--zone", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--updates", type=int, default=100)
    ap.add_argument("--per", type=int, default=1)
    ap.add_argument("--prefix", default="b")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    name, secret = args.key.split(":", 1)
    keyring = dns.tsigkeyring.from_text({name: ("hmac-sha256", secret)})
    procs = max(1, min(args.procs, args.clients))
    parts = [list(range(p, args.clients, procs)) for p in range(procs)]
    t0 = time.perf_counter()
    pids = []
    for p, cids in enumerate(parts):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run(args, keyring, cids, "%s.%d" % (args.out, p))
            except BaseException as e:
                print("driver: %s" % e, file=sys.stderr)
                code = 1
            os._exit(code)
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        bad |= st != 0
    wall = time.perf_counter() - t0
    errors = 0
    with open(args.out, "w") as out:
        for p in range(procs):
            with open("%s.%d" % (args.out, p)) as fh:
                for line in fh:
                    if line.startswith("errors "):
                        errors += int(line.split()[1])
                    else:
                        out.write(line)
            os.unlink("%s.%d" % (args.out, p))
        out.write("wall %.6f errors %d\n" % (wall, errors))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
