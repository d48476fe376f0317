"""Hides input values that look like secrets before an input is echoed back.

The prediction object echoes its input (Cog does), and callers log prediction objects; a token
passed as an input must not end up in those logs.
"""

import re

SECRET_KEY = re.compile(
    r"(^|[_\-.])(api[_\-]?key|secret|secrets|password|passwd|token|access[_\-]?key|auth|authorization"
    r"|credentials?|private[_\-]?key|session[_\-]?key)($|[_\-.])",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(r"^(sk-|hf_|ghp_|gho_|github_pat_|xox[abprs]-|AKIA[0-9A-Z]{12}|Bearer\s)")
MASK = "**redacted**"


def redact(value, key=""):
    if key and value is not None and SECRET_KEY.search(key):
        return MASK
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and SECRET_VALUE.match(value):
        return MASK
    return value
