"""testserver.py — the process side shared by the test servers
(faultserver.py, fake_route53.py): listen, write the port file, serve until
SIGTERM/SIGINT, until --parent is gone or --lifetime is over, then close the
request log.  A server object has server_address, log_lock and logf."""
import os
import signal
import sys
import threading
import time


class Stop(Exception):
    pass


def write_portfile(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write("%d\n" % port)
    os.rename(tmp, path)


def watchdog(opts, stop):
    """Ends the server when --parent is gone or --lifetime is over."""
    end = time.monotonic() + opts.lifetime
    while not stop.wait(0.5):
        if time.monotonic() >= end:
            break
        if opts.parent:
            try:
                os.kill(opts.parent, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
    if not stop.is_set():
        os.kill(os.getpid(), signal.SIGTERM)


def run(name, make_server, opts):
    """Serves make_server(opts.port, opts) until told to stop; the exit status."""
    def on_signal(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server = make_server(opts.port, opts)
    except OSError as e:
        print("%s: cannot listen on 127.0.0.1:%d: %s" % (name, opts.port, e), file=sys.stderr)
        return 1
    stop = threading.Event()
    try:
        write_portfile(opts.portfile, server.server_address[1])
        threading.Thread(target=watchdog, args=(opts, stop), daemon=True).start()
        server.serve_forever(poll_interval=0.2)
    except Stop:
        pass
    finally:
        stop.set()
        server.server_close()
        with server.log_lock:
            server.logf.close()
    return 0
