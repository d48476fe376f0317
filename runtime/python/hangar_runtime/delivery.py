"""What the executor hands the runtime besides its own socket: the run's secrets and its egress.

Secrets: the executor serves them once, as a JSON object, on HANGAR_SECRETS_SOCKET, so they are
never in the container's environment (which `docker inspect` shows). The runtime reads them
before it loads any processor code and puts them in its own os.environ, so the predictor sees
them as environment variables, as before; /proc/1/environ and the container config never do.

Egress: the container has no network. When the spec allows some destinations, the executor runs
an HTTP proxy on HANGAR_EGRESS_SOCKET; the runtime listens on 127.0.0.1:HANGAR_EGRESS_PORT and
forwards each connection to that socket, and points HTTP(S)_PROXY/ALL_PROXY at it.
"""

import json
import os
import socket
import threading

from .capture import runtime_log

MAX_SECRETS_BYTES = 16 * 1024 * 1024
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def receive_secrets(path: str) -> int:
    """Reads the secrets from the executor's one-shot socket into os.environ; returns how many."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        try:
            conn.connect(path)
        except OSError as e:
            raise RuntimeError(f"cannot read the run's secrets from HANGAR_SECRETS_SOCKET ({e.strerror or e});"
                               " were they already taken?") from None
        data = bytearray()
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_SECRETS_BYTES:
                raise RuntimeError("the run's secrets are larger than 16 MiB")
    values = json.loads(data.decode("utf-8"))
    if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise RuntimeError("the run's secrets are not a JSON object of strings")
    os.environ.update(values)
    return len(values)


def start_egress_forwarder(unix_path: str, port: int) -> None:
    """Listens on 127.0.0.1:port and pipes each connection to the executor's egress proxy."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    threading.Thread(target=_accept, args=(server, unix_path), name="hangar-egress", daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    for name in PROXY_VARIABLES:
        os.environ[name] = url
    os.environ.pop("NO_PROXY", None)
    os.environ.pop("no_proxy", None)
    runtime_log(f"egress: {url} forwards to the executor's proxy")


def _accept(server, unix_path):
    while True:
        try:
            client, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=_forward, args=(client, unix_path), daemon=True).start()


def _forward(client, unix_path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(unix_path)
    except OSError as e:
        runtime_log(f"egress: the executor's proxy is not reachable: {e}")
        client.close()
        upstream.close()
        return
    done = threading.Thread(target=_copy, args=(upstream, client), daemon=True)
    done.start()
    _copy(client, upstream)
    done.join()
    client.close()
    upstream.close()


def _copy(source, target):
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            target.sendall(chunk)
    except OSError:
        pass
    try:
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass
