"""One run of a warm container that may share it with others: writes its name into its own
output folder, prints from a thread of its own if asked, peeks into /tmp for what an earlier run left there, leaves scratch of its own
(a file and a read-only folder) if asked, and reports what it saw. With check_flag=False only the
runtime's asynchronous exception can stop it."""

import os
import tempfile
import threading
import time
from pathlib import Path

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def setup(self):
        # State setup leaves in /tmp belongs to the container: it must survive the scrub.
        Path(tempfile.gettempdir(), "setup-cache").write_text("from setup\n")

    def predict(self, name="run", seconds=0.0, check_flag=True, scratch=None, peek=None, helper=False):
        print(f"{name} started")
        if helper:  # a thread of the processor's own prints too
            helper_thread = threading.Thread(target=lambda: print(f"{name} helper"))
            helper_thread.start()
            helper_thread.join()
        tmp = Path(tempfile.gettempdir())
        seen = sorted(os.listdir(tmp))
        found = (tmp / peek).read_text() if peek and (tmp / peek).exists() else None
        (self.output_dir / f"{name}.txt").write_text(f"written by {name}\n")
        if scratch:
            (tmp / scratch).write_text(f"scratch of {name}\n")
            hideout = tmp / f"{scratch}.d"
            (hideout / "inner").mkdir(parents=True)
            (hideout / "inner" / "file").write_text("try to keep me\n")
            (hideout / "inner").chmod(0o500)
            hideout.chmod(0o500)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check_flag and self.canceled:
                return {"name": name, "stopped": "flag"}
            time.sleep(0.01)
        return {"name": name, "execution_id": self.execution_id, "output_dir": str(self.output_dir),
                "tmp": seen, "found": found}

    def train(self, name="training", seconds=0.0):
        print(f"{name} training")
        (self.output_dir / f"{name}.weights").write_text(f"weights of {name}\n")
        time.sleep(seconds)
        return {"name": name, "execution_id": self.execution_id}
