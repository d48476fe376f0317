"""A unix-socket-to-TCP forwarder: an unmodified Cog image's port 5000 as a socket in the run folder.

An unmodified Cog image serves its HTTP API on TCP port 5000, but a Hangar run container has no
network (`--network none`) and the executor talks to processors over a unix socket in the run
folder. The executor therefore starts this forwarder in a sidecar container that shares the Cog
container's network namespace (`--network container:<id>`, so 127.0.0.1 is the Cog container's
own loopback) and has the run folder mounted: every connection accepted on the unix socket is
joined to a fresh TCP connection to the Cog server and bytes are pumped both ways until both
directions have ended. A half-close (one side shuts down writing) is passed on, so an HTTP
request body's end or a server's `Connection: close` reply behaves as it would end to end.

Standard library only (the runtime image has nothing else):

    python3 -m hangar_runtime.forward --unix /hangar/io/runtime.sock --tcp 127.0.0.1:5000
"""

import argparse
import os
import signal
import socket
import sys
import threading

BUFFER = 64 * 1024
#: Connections served at once; the executor opens a handful (health polls, predict, cancel).
DEFAULT_MAX_CONNECTIONS = 64


def _pump(source, sink, done):
    """Copies source to sink until source ends, then half-closes sink; `done` counts the directions left."""
    try:
        while True:
            data = source.recv(BUFFER)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with done[0]:
            done[1] -= 1
            last = done[1] == 0
        if last:
            source.close()
            sink.close()


def _serve_one(client, host, port, slots):
    try:
        try:
            upstream = socket.create_connection((host, port), timeout=5)
        except OSError:
            # The server is not listening yet (still in setup): the caller sees a closed connection and retries.
            client.close()
            return
        upstream.settimeout(None)
        done = [threading.Lock(), 2]
        back = threading.Thread(target=_pump, args=(upstream, client, done), daemon=True)
        back.start()
        _pump(client, upstream, done)
        back.join()
    finally:
        slots.release()


def serve(unix_path, host, port, max_connections=DEFAULT_MAX_CONNECTIONS, ready=None, stop=None):
    """Accepts on unix_path and forwards each connection to host:port until `stop` is set (or forever)."""
    try:
        os.unlink(unix_path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(unix_path)
    os.chmod(unix_path, 0o660)
    listener.listen(128)
    listener.settimeout(0.5)
    slots = threading.BoundedSemaphore(max_connections)
    if ready is not None:
        ready.set()
    try:
        while stop is None or not stop.is_set():
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            client.settimeout(None)
            if not slots.acquire(blocking=False):
                client.close()  # over the limit: refused rather than queued without bound
                continue
            threading.Thread(target=_serve_one, args=(client, host, port, slots), daemon=True).start()
    finally:
        listener.close()
        try:
            os.unlink(unix_path)
        except OSError:
            pass


def _address(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m hangar_runtime.forward",
                                     description="Forward a unix socket to a TCP port (an unmodified Cog image's 5000).")
    parser.add_argument("--unix", required=True, help="the unix socket to listen on")
    parser.add_argument("--tcp", required=True, type=_address, help="HOST:PORT to connect each connection to")
    parser.add_argument("--max-connections", type=int, default=DEFAULT_MAX_CONNECTIONS)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"hangar forward: {args.unix} -> {args.tcp[0]}:{args.tcp[1]}", file=sys.stderr, flush=True)
    serve(args.unix, args.tcp[0], args.tcp[1], args.max_connections, stop=stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
