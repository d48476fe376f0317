"""File outputs uploaded instead of inlined, as Cog's `--upload-url` / `output_file_prefix` do.

Each file is PUT to `<base>/<file name>` with its content type; the output is the URL the server
names in `Location`, else the URL it was PUT to (without query: signed URLs carry secrets there).

A container with no network (`hangar serve --upload-url`) hands each file instead to the CLI's
relay on HANGAR_UPLOAD_SOCKET (a unix socket in the run folder): the CLI makes the PUT and answers
with the URL in `Location`; any refusal comes back as the error text.
"""

import http.client
import mimetypes
import socket
import pathlib
import urllib.parse
import urllib.request

TIMEOUT_SECONDS = 60


def put_file(base: str, path: pathlib.Path) -> str:
    url = base.rstrip("/") + "/" + urllib.parse.quote(path.name)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    request = urllib.request.Request(url, data=path.read_bytes(), method="PUT",
                                     headers={"Content-Type": mime, "User-Agent": "hangar-runtime"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            location = response.headers.get("Location")
            response.read(65536)
    except OSError as e:
        raise RuntimeError(f"could not upload output {path.name}: {getattr(e, 'reason', e)}") from None
    if location:
        return urllib.parse.urljoin(url, location)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def put_via_socket(relay: str, path: pathlib.Path, prediction_id: str | None = None) -> str:
    """PUTs the file to the CLI's upload relay; returns the URL it was stored at."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Content-Type": mime, "User-Agent": "hangar-runtime", "Content-Length": str(path.stat().st_size)}
    if prediction_id:
        headers["X-Prediction-ID"] = prediction_id
    conn = _UnixConnection(relay, TIMEOUT_SECONDS * 3)
    try:
        with path.open("rb") as body:
            conn.request("PUT", "/" + urllib.parse.quote(path.name), body=body, headers=headers)
            response = conn.getresponse()
            text = response.read(65536).decode("utf-8", "replace").strip()
            location = response.getheader("Location")
    except OSError as e:
        raise RuntimeError(f"could not upload output {path.name}: the upload relay is not reachable ({e})") from None
    finally:
        conn.close()
    if response.status // 100 != 2 or not location:
        raise RuntimeError(f"could not upload output {path.name}: {text or response.status}")
    return location
