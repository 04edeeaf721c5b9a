"""A local server speaking OpenAI's ``POST /v1/audio/transcriptions`` (multipart form data).

It answers with a real transcription made by the given function, fails with HTTP 500, or
stalls, depending on ``mode``; it records what each request carried.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class AsrServer:
    def __init__(self, transcribe: Callable[[Path], str]) -> None:
        self.transcribe = transcribe
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def __enter__(self) -> AsrServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()


def parse_form(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Multipart form fields by name: (file name or None, content)."""
    header = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


def _handler(server: AsrServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/v1/audio/transcriptions":
                return self._send(404, {"error": {"message": f"no route {self.path}"}})
            form = parse_form(self.headers["Content-Type"], body)
            filename, audio = form.get("file", (None, b""))
            model = form.get("model", (None, b""))[1].decode()
            server.requests.append({"model": model, "filename": filename, "bytes": len(audio)})
            if server.mode == "error":
                return self._send(500, {"error": {"message": "the GPU fell over"}})
            if server.mode == "slow":
                time.sleep(5)
            with tempfile.NamedTemporaryFile(suffix=Path(filename or "a.wav").suffix) as handle:
                handle.write(audio)
                handle.flush()
                text = server.transcribe(Path(handle.name))
            self._send(200, {"text": text})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
