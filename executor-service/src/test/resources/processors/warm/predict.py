"""Plays the attacker across the runs of one warm container; `action` picks what it does.

`plant` leaves files everywhere it may write (its outputs and inputs folders, /tmp, its
run folder) and reports their paths; `snoop` lists /hangar/io, /hangar/io/runs and /tmp and
tries to open the paths a previous run reported, writing what it found to outputs/report.json.
`sleep` holds its slot for a while; `stubborn` ignores cancels; `swap` leaves a thread behind
that swaps its output file for a symlink after predict returned. Every run reports the
container's hostname (its id) and the process id, so a test can tell containers apart.
"""

import json
import os
import socket
import threading
import time
from pathlib import Path

from hangar_runtime.processor import Processor

IO = Path("/hangar/io")


def _listing(root: Path):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            found.append(os.path.join(dirpath, name))
    return sorted(found)


class Predictor(Processor):
    def predict(self, action, **params):
        out = Path(self.output_dir)
        me = {"hostname": socket.gethostname(), "pid": os.getpid(), "output_dir": str(out),
              "execution_id": self.execution_id}
        if action == "plant":
            planted = [out / "planted.txt", out.parent / "inputs" / "planted.txt", out.parent / "planted.txt",
                       Path("/tmp") / f"planted-{self.execution_id}.txt"]
            for p in planted:
                p.write_text("secret of " + str(self.execution_id))
            d = Path("/tmp") / "planted-dir"
            d.mkdir(exist_ok=True)
            (d / "inner.txt").write_text("secret")
            os.chmod(d, 0o555)  # a read-only folder, to survive a scrub if it can
            me["planted"] = [str(p) for p in planted] + [str(d / "inner.txt")]
            if params.get("input"):
                me["input_read"] = Path(params["input"]).read_text()
                me["input_path"] = params["input"]
        elif action == "snoop":
            found = {}
            for p in params.get("paths", []):
                try:
                    found[p] = Path(p).read_text()
                except OSError as e:
                    found[p] = f"error: {e.strerror}"
            me["found"] = found
            me["io"] = _listing(IO)
            me["runs"] = sorted(os.listdir(IO / "runs"))
            me["tmp"] = _listing(Path("/tmp"))
            try:
                Path(IO / "runs" / "squat").mkdir()
                me["squat"] = "created"
            except OSError as e:
                me["squat"] = f"refused: {e.strerror}"
        elif action == "sleep":
            me["start"] = time.time()
            until = time.monotonic() + params.get("seconds", 1)
            while time.monotonic() < until:  # small steps: the runtime's cancel lands between them
                time.sleep(0.02)
            me["end"] = time.time()
        elif action == "stubborn":
            until = time.monotonic() + params.get("seconds", 30)
            while time.monotonic() < until:
                try:
                    time.sleep(0.05)
                except BaseException:  # noqa: BLE001 -- ignores the runtime's cancel on purpose
                    pass
        elif action == "swap":
            target = out / "result.txt"
            target.write_text("my own bytes\n")
            link_to = params.get("link_to", "/proc/1/root/etc/hostname")

            def swap():
                deadline = time.monotonic() + params.get("seconds", 5)
                while time.monotonic() < deadline:
                    try:
                        tmp = out / ".swap"
                        if tmp.is_symlink() or tmp.exists():
                            tmp.unlink()
                        os.symlink(link_to, tmp)
                        os.replace(tmp, target)
                    except OSError:
                        pass
                    time.sleep(0.001)

            threading.Thread(target=swap, daemon=True).start()
            time.sleep(params.get("head_start", 0.05))
        elif action == "secret":
            me["canary_set"] = bool(os.environ.get("CANARY"))
            me["mode"] = self.mode
        elif action == "fail":
            raise ValueError("asked to fail")
        else:
            raise ValueError(f"unknown action {action}")
        (out / "report.json").write_text(json.dumps(me, sort_keys=True))
        return None
