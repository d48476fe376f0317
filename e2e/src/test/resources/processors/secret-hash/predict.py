"""Proves a real-mode run got its environment's secret without ever showing it: the sha256 of
DEPLOY_IT_SECRET (the runtime put the hand-off's secrets in os.environ) into its output."""

import hashlib
import os
import socket

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def predict(self):
        value = os.environ.get("DEPLOY_IT_SECRET")
        digest = hashlib.sha256(value.encode()).hexdigest() if value else "absent"
        print(f"secret sha256 {digest}", flush=True)
        print(f"host {socket.gethostname()}", flush=True)  # which container served the run (docker's short id)
        with open(os.path.join(os.environ["HANGAR_OUTPUT_DIR"], "hash.txt"), "w") as f:
            f.write(digest + "\n")
        return {"sha256": digest}
