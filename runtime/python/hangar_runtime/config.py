"""Everything the runtime reads from the environment, read in one place.

Only the variables listed here are read; the runtime never logs the environment, because
real-mode secrets end up in it (delivered over HANGAR_SECRETS_SOCKET, see delivery.py).
"""

import os
from dataclasses import dataclass
from pathlib import Path

from . import webhooks

DEFAULT_SOCKET = "/hangar/io/runtime.sock"
DEFAULT_OUTPUT_DIR = "/hangar/io/outputs"
DEFAULT_RUNS_DIR = "/hangar/io/runs"
MAX_CONCURRENCY = 64
MODES = ("mock", "real")


def mode() -> str:
    return os.environ.get("HANGAR_MODE", "mock").strip().lower() or "mock"


def output_dir() -> Path:
    return Path(os.environ.get("HANGAR_OUTPUT_DIR", DEFAULT_OUTPUT_DIR))


def execution_id() -> str | None:
    return os.environ.get("HANGAR_EXECUTION_ID") or None


def _int(env, name: str, default: int, low: int, high: int) -> int:
    text = env.get(name, "").strip()
    try:
        value = int(text) if text else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(env, name: str, default: float) -> float:
    text = env.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {text!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


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
    runs_dir: Path = Path(DEFAULT_RUNS_DIR)
    max_concurrency: int = 1
    queue_size: int = 0
    scrub_dirs: tuple = ("/tmp",)
    trainer: str | None = None
    stream_history: int = 1024
    webhook_key: bytes | None = None
    webhook_retries: int = 8
    webhook_backoff_seconds: float = 0.5
    upload_url: str | None = None
    upload_socket: str | None = None
    webhook_socket: str | None = None
    setup_timeout_seconds: float = 0.0
    healthcheck_timeout_seconds: float = 5.0
    weights: str | None = None

    @staticmethod
    def from_env(upload_url: str | None = None) -> "Config":
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
            runs_dir=Path(env.get("HANGAR_RUNS_DIR") or DEFAULT_RUNS_DIR),
            # Cog's concurrency.max reaches a Cog image as COG_MAX_CONCURRENCY; Hangar's own name wins.
            max_concurrency=_int(env, "HANGAR_MAX_CONCURRENCY" if env.get("HANGAR_MAX_CONCURRENCY", "").strip()
                                 else "COG_MAX_CONCURRENCY", 1, 1, MAX_CONCURRENCY),
            queue_size=_int(env, "HANGAR_QUEUE_SIZE", 0, 0, 100_000),
            # Empty means scrub nothing (a runtime on a developer's host must not empty its /tmp).
            scrub_dirs=tuple(d for d in env.get("HANGAR_SCRUB_DIRS", "").split(":") if d),
            trainer=env.get("HANGAR_TRAINER") or None,
            stream_history=_int(env, "COG_STREAM_HISTORY_CAPACITY", 1024, 0, 1_000_000),
            webhook_key=webhooks.parse_secret(env.get("HANGAR_WEBHOOK_SECRET")),
            webhook_retries=_int(env, "HANGAR_WEBHOOK_RETRIES", 8, 0, 100),
            webhook_backoff_seconds=_float(env, "HANGAR_WEBHOOK_BACKOFF_SECONDS", 0.5),
            upload_url=(upload_url or env.get("HANGAR_UPLOAD_URL") or None),
            upload_socket=env.get("HANGAR_UPLOAD_SOCKET") or None,
            webhook_socket=env.get("HANGAR_WEBHOOK_SOCKET") or None,
            setup_timeout_seconds=_float(env, "HANGAR_SETUP_TIMEOUT_SECONDS", 0.0),
            healthcheck_timeout_seconds=_float(env, "HANGAR_HEALTHCHECK_TIMEOUT_SECONDS", 5.0),
            weights=env.get("COG_WEIGHTS") or None,
        )

    def address(self) -> str:
        return f"unix:{self.socket}" if self.socket else f"http://{self.host}:{self.port}"
