"""A local HTTP server speaking the OpenAI chat-completions protocol, for tests and benchmarks.

It is a real server on 127.0.0.1: the real ``openai`` client talks to it unchanged. By
default it looks at the image it was sent and answers every field of the requested JSON
schema from the image's dominant colour; a script of steps makes it fail first (429 with
Retry-After, 500, a hang, garbage, truncated or fenced JSON, a refusal).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 180, 30),
    "blue": (30, 30, 220),
    "yellow": (240, 220, 30),
    "black": (10, 10, 10),
    "white": (245, 245, 245),
}


@dataclass
class Step:
    """One scripted answer: an HTTP status with headers and body, or content to send."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    content: str | None = None
    refusal: str | None = None
    delay_s: float = 0.0


def dominant_colour(data_url: str) -> str:
    """The named colour closest to the average colour of a data-URL image."""
    encoded = data_url.split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        r, g, b = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    rgb = (r, g, b)
    return min(
        COLOURS, key=lambda n: sum((a - c) ** 2 for a, c in zip(COLOURS[n], rgb, strict=True))
    )


def image_urls(body: dict[str, Any]) -> list[str]:
    urls = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            urls += [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
    return urls


def answer_from_schema(schema: dict[str, Any], colour: str, prompt: str = "") -> dict[str, Any]:
    """An answer to every property of ``schema``, chosen from the image's colour.

    A yes/no property is true when its description, or the label the prompt asks about,
    names the colour.
    """
    properties = schema.get("properties", {})
    return {name: _answer(spec, colour, prompt) for name, spec in properties.items()}


def _answer(spec: dict[str, Any], colour: str, prompt: str) -> Any:
    kind = spec.get("type")
    if kind == "boolean":
        return colour in (spec.get("description") or "") or f'label \\"{colour}\\"' in prompt
    if kind == "string" and "enum" in spec:
        return colour if colour in spec["enum"] else spec["enum"][0]
    if kind == "array":
        enum = spec.get("items", {}).get("enum", [])
        return [colour] if colour in enum else []
    return f"a {colour} picture"


def default_reply(body: dict[str, Any]) -> str:
    """JSON answering the request's schema (from response_format or the prompt)."""
    schema = _schema_of(body)
    urls = image_urls(body)
    colour = dominant_colour(urls[-1]) if urls else "none"
    return json.dumps(answer_from_schema(schema, colour, json.dumps(body.get("messages", []))))


def _schema_of(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return dict(fmt["json_schema"]["schema"])
    marker = "It must match this JSON Schema:\n"
    for text in _texts(body):
        if marker in text:
            return dict(json.JSONDecoder().raw_decode(text.split(marker, 1)[1])[0])
    return {}


def _texts(body: dict[str, Any]) -> list[str]:
    texts = []
    for message in body.get("messages", []):
        content = message.get("content")
        parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
        texts += [p["text"] for p in parts if p.get("type") == "text" and p.get("text")]
    return texts


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default of 5 resets connections under concurrency


class ChatServer:
    """Start with ``with ChatServer() as server:``; ``server.base_url`` ends in /v1."""

    def __init__(
        self,
        *,
        latency_s: float = 0.0,
        usage: tuple[int, int] = (100, 20),
        reply: Callable[[dict[str, Any]], str] = default_reply,
        api_key: str | None = None,
    ) -> None:
        self.latency_s = latency_s
        self.usage = usage
        self.reply = reply
        self.api_key = api_key
        self.script: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        self.request_times: list[float] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def then(self, *steps: Step) -> ChatServer:
        """Answer the next requests with ``steps``, in order, before the default reply."""
        self.script.extend(steps)
        return self

    def next_step(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(body)
            self.request_times.append(time.monotonic())
            if self.script:
                return self.script.pop(0)
        return Step(content=self.reply(body))

    def completion(self, body: dict[str, Any], step: Step) -> dict[str, Any]:
        message = {"role": "assistant", "content": step.content, "refusal": step.refusal}
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "test"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": self.usage[0],
                "completion_tokens": self.usage[1],
                "total_tokens": sum(self.usage),
            },
        }


def _handler_for(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            with server._lock:
                stats = {"requests": len(server.requests), "times": list(server.request_times)}
            self._send(200, stats)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                self._send(401, {"error": {"message": "Incorrect API key provided"}})
                return
            step = server.next_step(body)
            time.sleep(server.latency_s + step.delay_s)
            if step.status != 200:
                error = step.body or {"error": {"message": f"scripted {step.status}"}}
                self._send(step.status, error, step.headers)
                return
            self._send(200, server.completion(body, step), step.headers)

        def _send(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def asgi_app(latency_s: float) -> Callable[..., Any]:
    """The default behaviour as a bare ASGI app (for uvicorn, in a process of its own)."""
    state = ChatServer.__new__(ChatServer)
    state.usage, state.requests, state.request_times = (100, 20), [], []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        if scope["method"] == "GET":
            payload: dict[str, Any] = {
                "requests": len(state.requests),
                "times": state.request_times,
            }
        else:
            body = json.loads(b"".join(chunks) or b"{}")
            state.requests.append(None)  # type: ignore[arg-type]
            state.request_times.append(time.monotonic())
            await asyncio.sleep(latency_s)
            payload = state.completion(body, Step(content=default_reply(body)))
        data = json.dumps(payload).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    return app


def main() -> None:
    """Serve until killed with uvicorn: ``python chat_server.py --latency 0.2 --port 8765``.

    ``GET /stats`` answers the number of requests and their arrival times (monotonic clock).
    """
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="OpenAI-compatible test server")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        asgi_app(args.latency), host="127.0.0.1", port=args.port, log_level="warning",
        backlog=1024,
    )  # fmt: skip


if __name__ == "__main__":
    main()
