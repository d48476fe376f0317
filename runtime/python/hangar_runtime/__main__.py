"""`python3 -m hangar_runtime`: bind first, then set up in the background, then serve.

Binding before setup lets the executor see STARTING (rather than "not reachable") as soon as
the process runs, and tell a slow setup from a dead container.
"""

import argparse
import signal
import sys

from .capture import Capture, runtime_log
from .config import Config
from .server import make_server
from .worker import Worker


def _stop(signum, frame):
    # As PID 1 in a container, SIGTERM would otherwise be ignored and `docker stop` would wait.
    raise SystemExit(0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hangar_runtime", description="Cog's HTTP API for a predictor")
    parser.add_argument("--upload-url", help="PUT file outputs to <url>/<file name> (else HANGAR_UPLOAD_URL, else data: URLs)")
    args = parser.parse_args(argv)
    try:
        cfg = Config.from_env(upload_url=args.upload_url)
    except ValueError as e:  # a bad setting: say which, without a traceback
        runtime_log(f"cannot start: {e}")
        return 2
    capture = Capture()
    capture.install()
    worker = Worker(cfg, capture)
    server = make_server(worker)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runtime_log(f"listening on {cfg.address()} (mode {cfg.mode})")
    worker.start_setup()
    try:
        server.serve_forever(poll_interval=0.5)
    except SystemExit:
        pass
    finally:
        server.server_close()
    runtime_log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
