"""Plays the attacker from inside a run's container; `attack` picks what it tries.

Output attacks leave something in the outputs folder that must not be read (the executor must
refuse the run and store nothing). `flood-*` write more than the executor accepts. `canary`
echoes its secret everywhere it can. `network` tries the platform's ports directly and through
the egress proxy, and reports what it reached in outputs/report.json.
"""

import json
import os
import socket
import stat
import urllib.request
from pathlib import Path

from hangar_runtime.processor import Processor

IO = Path("/hangar/io")


class Predictor(Processor):
    def predict(self, attack, **params):
        out = Path(self.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "innocent.txt").write_text("looks fine\n")
        if attack == "symlink-file":
            os.symlink("/etc/hostname", out / "hostname")
        elif attack == "symlink-relative":
            os.symlink("../../../../../../../../etc/hostname", out / "hostname")
        elif attack == "symlink-dir":
            (out / "sub").mkdir()
            os.symlink("/etc", out / "sub" / "etc")
        elif attack == "replace-outputs":
            for child in out.iterdir():
                child.unlink()
            out.rmdir()
            os.symlink("/etc", out)  # on the host, /etc is the host's
        elif attack == "hardlink":
            private = IO / "private.txt"
            private.write_text("outside the outputs folder\n")
            os.link(private, out / "linked.txt")
        elif attack == "fifo":
            os.mkfifo(out / "pipe")
        elif attack == "socket":
            s = socket.socket(socket.AF_UNIX)
            s.bind(str(out / "sock"))
        elif attack == "device":
            try:
                os.mknod(out / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
                return {"mknod": "created"}
            except OSError as e:
                return {"mknod": f"refused: {e.strerror}"}
        elif attack == "flood-files":
            for i in range(params["count"]):
                (out / f"f{i:05d}.txt").write_text("x")
        elif attack == "flood-bytes":
            with open(out / "big.bin", "wb") as f:
                f.write(b"\0" * params["bytes"])
        elif attack == "flood-event":
            self.emit_token("A" * params["bytes"])
        elif attack == "canary":
            canary = os.environ.get("CANARY", "")
            print(f"log line with {canary} inside")
            self.emit_token(f"token {canary}")
            self.progress(0.5, f"progress {canary}")
            print(f"canary-set={bool(canary)}"
                  f" proc1-environ-has-it={canary in Path('/proc/1/environ').read_bytes().decode('utf-8', 'replace')}"
                  f" secrets-socket-left={(IO / 'secrets.sock').exists()}")
            raise ValueError(f"error {canary}")
        elif attack == "network":
            (out / "report.json").write_text(json.dumps(_network(params), sort_keys=True, indent=1))
        else:
            raise ValueError(f"unknown attack {attack}")
        return None


def _network(params):
    proxy = os.environ.get("HTTPS_PROXY", "")
    report = {"proxy": proxy, "direct": {}, "connect": {}, "http": {}}
    for target in params["targets"] + [params["allowed"]]:
        host, port = target.rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            report["direct"][target] = "connected"
        except OSError as e:
            report["direct"][target] = f"failed: {e.strerror or e}"
    if not proxy:
        return report
    proxy_host, proxy_port = proxy.rsplit("/", 1)[-1].rsplit(":", 1)
    for target in params["targets"] + [params["not_allowed"], params["allowed"]]:
        report["connect"][target] = _connect(proxy_host, int(proxy_port), target)
        try:
            with urllib.request.urlopen(f"http://{target}/hello", timeout=5) as r:
                report["http"][target] = f"{r.status} {r.read().decode()}"
        except urllib.error.HTTPError as e:
            report["http"][target] = f"{e.code}"
        except OSError as e:
            report["http"][target] = f"failed: {e}"
    return report


def _connect(proxy_host, proxy_port, target):
    """CONNECT through the proxy; on 200, one HTTP request through the tunnel."""
    try:
        with socket.create_connection((proxy_host, proxy_port), timeout=5) as s:
            s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            reply = _read_head(s)
            status = reply.split(b" ", 2)[1].decode()
            if status != "200":
                return status
            s.sendall(f"GET /tunnel HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            return "200 " + data.split(b"\r\n\r\n", 1)[-1].decode()
    except OSError as e:
        return f"failed: {e}"


def _read_head(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(1)
        if not chunk:
            break
        data += chunk
    return data
