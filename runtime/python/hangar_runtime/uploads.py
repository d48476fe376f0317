"""File outputs uploaded instead of inlined, as Cog's `--upload-url` / `output_file_prefix` do.

Each file is PUT to `<base>/<file name>` with its content type; the output is the URL the server
names in `Location`, else the URL it was PUT to (without query: signed URLs carry secrets there).
"""

import mimetypes
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
