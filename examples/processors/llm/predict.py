"""An LLM chat processor: an OpenAI-compatible Chat Completions client that streams tokens.

Mock mode never touches the network: it "generates" words chosen by hashing the messages, so the
same messages give the same tokens and the same output.json bytes. Real mode streams from
OPENAI_BASE_URL/chat/completions (Server-Sent Events) with OPENAI_API_KEY, both delivered as
secrets. Standard library only; the key and the request headers are never printed.
"""

import hashlib
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request

from hangar_runtime.processor import Processor

ROLES = ["system", "user", "assistant"]
MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "properties": {"role": {"enum": ROLES}, "content": {"type": "string"}},
    "additionalProperties": False,
}
VOCABULARY = (
    "the a an and or but so then when while because hangar runway engine pilot tower signal "
    "weather cloud wind light night morning crew cargo flight route map compass altitude speed "
    "quiet steady bright careful ready clear early late slowly gently again still always never "
    "checks lands waits rolls turns climbs holds listens answers follows carries reaches finds "
    "over under near beyond across through into from with without"
).split()
MOCK_MIN_WORDS, MOCK_MAX_WORDS = 8, 48  # the length of the reply mock mode would give unbounded
READ_TIMEOUT_SECONDS = 120
MISSING_SECRETS = "real mode needs the OPENAI_API_KEY and OPENAI_BASE_URL secrets"


class Predictor(Processor):
    # Kept identical to inputs_schema in hangar.yaml; a runtime test checks they match.
    input_schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["messages"],
        "properties": {
            "messages": {"type": "array", "minItems": 1, "items": MESSAGE},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": 4096, "default": 64},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2, "default": 0.7},
            "top_p": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 1.0},
            "top_k": {"type": "integer", "minimum": 0, "default": 0,
                      "description": "0 leaves it to the server; sent only when above 0 (not every server accepts it)."},
            "model": {"type": "string", "minLength": 1, "default": "gpt-4o-mini",
                      "description": "The model name sent to the endpoint; mock mode reports \"mock\"."},
        },
        "additionalProperties": False,
    }

    def predict(self, messages, max_tokens=64, temperature=0.7, top_p=1.0, top_k=0, model="gpt-4o-mini"):
        _check(messages, max_tokens, temperature, top_p, top_k, model)
        if self.mode == "real":
            return self._real(messages, max_tokens, temperature, top_p, top_k, model)
        return self._mock(messages, max_tokens)

    # --- mock ----------------------------------------------------------------------------------

    def _mock(self, messages, max_tokens):
        seed = hashlib.sha256(json.dumps(messages, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode("utf-8")).digest()
        # Counter-mode hashing rather than random.Random: the same words on every Python version.
        natural = MOCK_MIN_WORDS + _draw(seed, -1) % (MOCK_MAX_WORDS - MOCK_MIN_WORDS + 1)
        count = min(natural, max_tokens)
        print(f"mock mode: {count} word(s) for {len(messages)} message(s)")
        tokens = []
        for i in range(count):
            if self.canceled:
                return None
            word = VOCABULARY[_draw(seed, i) % len(VOCABULARY)]
            token = (word.capitalize() if i == 0 else " " + word) + ("." if i + 1 == natural else "")
            tokens.append(token)
            self.emit_token(token)
            self._progress(i + 1, count, f"{i + 1} of {count} words")
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        return _response(
            id_="chatcmpl-mock-" + seed.hex()[:24], created=0, model="mock", content="".join(tokens),
            finish_reason="stop" if count == natural else "length",
            usage={"prompt_tokens": prompt_tokens, "completion_tokens": count, "total_tokens": prompt_tokens + count},
        )

    # --- real ----------------------------------------------------------------------------------

    def _real(self, messages, max_tokens, temperature, top_p, top_k, model):
        key = os.environ.get("OPENAI_API_KEY", "").strip()
        base = os.environ.get("OPENAI_BASE_URL", "").strip().rstrip("/")
        if not key or not base:
            missing = [name for name, value in (("OPENAI_API_KEY", key), ("OPENAI_BASE_URL", base)) if not value]
            raise RuntimeError(f"{MISSING_SECRETS} (missing: {', '.join(missing)})")
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise RuntimeError("OPENAI_BASE_URL must be an http:// or https:// URL")
        body = {
            "model": model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if top_k > 0:
            body["top_k"] = top_k
        request = urllib.request.Request(
            base + "/chat/completions",
            data=json.dumps(body).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "text/event-stream",
                "Authorization": "Bearer " + key,
            },
        )
        print(f"real mode: streaming a chat completion from model {model}")
        self.progress(0.0, "waiting for the first token")
        try:
            with urllib.request.urlopen(request, timeout=READ_TIMEOUT_SECONDS) as response:
                if response.headers.get_content_type() == "application/json":
                    return self._whole(json.load(response), model, key)  # a server that ignored stream
                return self._stream(response, model, max_tokens, key)
        except urllib.error.HTTPError as e:
            if e.code == 401:
                raise PermissionError("the endpoint refused OPENAI_API_KEY") from None
            raise RuntimeError(f"the chat completions endpoint {_shown(base)} answered HTTP {e.code}: "
                               f"{_redacted(_server_message(e), key)}") from None
        except urllib.error.URLError as e:
            reason = e.reason.strerror if isinstance(e.reason, OSError) and e.reason.strerror else e.reason
            raise RuntimeError(f"cannot reach the chat completions endpoint at {_shown(base)}: "
                               f"{_redacted(str(reason), key)}") from None
        except (socket.timeout, TimeoutError):
            raise RuntimeError(f"the chat completions endpoint at {_shown(base)} sent nothing for "
                               f"{READ_TIMEOUT_SECONDS}s") from None

    def _stream(self, response, model, max_tokens, key):
        pieces, finish_reason, usage, meta = [], None, None, {}
        for data in _sse_data(response):
            if self.canceled:
                return None
            if data == "[DONE]":
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                raise RuntimeError("the endpoint sent an event whose data is not JSON") from None
            if "error" in chunk:
                raise RuntimeError(f"the endpoint failed mid-stream: {_redacted(_error_text(chunk), key)}")
            for name in ("id", "created", "model"):
                meta.setdefault(name, chunk.get(name))
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                if choice.get("index", 0) != 0:
                    continue
                text = (choice.get("delta") or {}).get("content")
                if text:
                    pieces.append(text)
                    self.emit_token(text)
                    self._progress(len(pieces), max_tokens, f"{len(pieces)} tokens (max_tokens {max_tokens})")
                finish_reason = choice.get("finish_reason") or finish_reason
        else:
            raise RuntimeError("the endpoint closed the stream before data: [DONE]")
        self.progress(1.0, "done")
        return _response(id_=meta.get("id"), created=meta.get("created"), model=meta.get("model") or model,
                         content="".join(pieces), finish_reason=finish_reason, usage=usage)

    def _whole(self, completion, model, key):
        if "error" in completion:
            raise RuntimeError(f"the endpoint failed: {_redacted(_error_text(completion), key)}")
        choice = (completion.get("choices") or [{}])[0]
        content = (choice.get("message") or {}).get("content") or ""
        if content:
            self.emit_token(content)
        self.progress(1.0, "done")
        return _response(id_=completion.get("id"), created=completion.get("created"),
                         model=completion.get("model") or model, content=content,
                         finish_reason=choice.get("finish_reason"), usage=completion.get("usage"))

    def _progress(self, produced, budget, message):
        # About ten progress events per reply, not one per token.
        if produced % max(1, budget // 10) == 0 or produced == budget:
            self.progress(produced / budget, message)


def _check(messages, max_tokens, temperature, top_p, top_k, model):
    """The runtime does not validate inputs against the schema, so the processor does."""
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list of {role, content}")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str) \
                or set(m) != {"role", "content"}:
            raise ValueError(f"messages[{i}] must be {{\"role\": one of {ROLES}, \"content\": a string}}")
    if not _integer(max_tokens) or not 1 <= max_tokens <= 4096:
        raise ValueError(f"max_tokens must be an integer from 1 to 4096, got {max_tokens!r}")
    if not _number(temperature) or not 0 <= temperature <= 2:
        raise ValueError(f"temperature must be a number from 0 to 2, got {temperature!r}")
    if not _number(top_p) or not 0 < top_p <= 1:
        raise ValueError(f"top_p must be a number above 0 and at most 1, got {top_p!r}")
    if not _integer(top_k) or top_k < 0:
        raise ValueError(f"top_k must be an integer of 0 or more, got {top_k!r}")
    if not isinstance(model, str) or not model:
        raise ValueError("model must be a non-empty string")


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _draw(seed: bytes, i: int) -> int:
    return int.from_bytes(hashlib.sha256(seed + i.to_bytes(8, "big", signed=True)).digest()[:8], "big")


def _response(id_, created, model, content, finish_reason, usage) -> dict:
    return {
        "id": id_,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": finish_reason}],
        "usage": usage,
    }


def _sse_data(response):
    """The data of each Server-Sent Event (data lines joined by newlines), per the WHATWG spec."""
    data = []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        if line.startswith(":"):
            continue  # a comment, e.g. a keep-alive
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


def _server_message(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return error.reason or "no message"
    try:
        return _error_text(json.loads(text))
    except (ValueError, AttributeError):
        return text.strip()[:500] or str(error.reason or "no message")


def _error_text(body) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error or body.get("message") or body)


def _redacted(text: str, key: str) -> str:
    return text.replace(key, "***") if key else text


def _shown(url: str) -> str:
    """The URL without any user:password@ part, for error messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
