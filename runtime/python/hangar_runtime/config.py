"""Everything the runtime reads from the environment, read in one place.

Only the variables listed here are read; the runtime never logs the environment, because
real-mode secrets end up in it (delivered over HANGAR_SECRETS_SOCKET, see delivery.py).
"""

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOCKET = "/hangar/io/runtime.sock"
DEFAULT_OUTPUT_DIR = "/hangar/io/outputs"
MODES = ("mock", "real")


def mode() -> str:
    return os.environ.get("HANGAR_MODE", "mock").strip().lower() or "mock"


def output_dir() -> Path:
    return Path(os.environ.get("HANGAR_OUTPUT_DIR", DEFAULT_OUTPUT_DIR))


@dataclass(frozen=True)
class Config:
    predictor: str
    socket: str | None
    host: str
    port: int | None
    mode: str
    output_dir: Path
    input_schema_file: str | None
    heartbeat_seconds: float
    cancel_grace_seconds: float
    secrets_socket: str | None = None
    egress_socket: str | None = None
    egress_port: int = 3128

    @staticmethod
    def from_env() -> "Config":
        env = os.environ
        port_text = env.get("HANGAR_PORT") or env.get("PORT")
        socket = env.get("HANGAR_SOCKET")
        # A unix socket is the default: it lets the executor reach a container that has no network.
        if not socket and not port_text:
            socket = DEFAULT_SOCKET
        return Config(
            predictor=env.get("HANGAR_PREDICTOR", "/src/predict.py:Predictor"),
            socket=socket or None,
            host=env.get("HANGAR_HOST", "127.0.0.1"),
            port=None if socket else int(port_text),
            mode=mode(),
            output_dir=output_dir(),
            input_schema_file=env.get("HANGAR_INPUT_SCHEMA") or None,
            heartbeat_seconds=float(env.get("HANGAR_SSE_HEARTBEAT_SECONDS", "5")),
            cancel_grace_seconds=float(env.get("HANGAR_CANCEL_GRACE_SECONDS", "1")),
            secrets_socket=env.get("HANGAR_SECRETS_SOCKET") or None,
            egress_socket=env.get("HANGAR_EGRESS_SOCKET") or None,
            egress_port=int(env.get("HANGAR_EGRESS_PORT") or "3128"),
        )

    def address(self) -> str:
        return f"unix:{self.socket}" if self.socket else f"http://{self.host}:{self.port}"
