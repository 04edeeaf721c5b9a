"""Model annotation throughput against a local chat-completions server with fixed latency.

The server (tests/annotators/chat_server.py under uvicorn) runs in a process of its own and
answers every request after ``--latency`` seconds. Measured, all through ``annotate_project``
and the real ``openai`` client:

1. 1,000 items at concurrency 32 with 200 ms per request; the ideal is 1000/32 × 0.2 s. The
   peer is the bare ``openai`` client sending the same number of requests at the same
   concurrency with nothing else to do: the floor of this client and server on this machine.
2. A 600 requests-per-minute limit: the observed rate, from the server's arrival times.
3. The same job again after its annotations are deleted: every answer from the cache.

    .venv/bin/python benchmarks/model_throughput.py [--items 1000] [--rpm-items 300]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import openai
from PIL import Image
from sqlalchemy import delete

from crowdlens.annotators.run import annotate_project
from crowdlens.schema import parse_schema
from crowdlens.store.db import Database, open_database
from crowdlens.store.items import add_items
from crowdlens.store.media import MediaStore, sha256_hex
from crowdlens.store.projects import create_project
from crowdlens.store.tables import Annotation

SERVER = Path(__file__).resolve().parents[1] / "tests" / "annotators" / "chat_server.py"
CONCURRENCY = 32
SCHEMA = {
    "name": "bench",
    "fields": [
        {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue"]},
        {"name": "is_red", "kind": "binary", "definition": "The picture is red."},
    ],
}


@contextmanager
def server(latency: float) -> Iterator[str]:
    """A uvicorn chat-completions server in its own process; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, str(SERVER), "--latency", str(latency), "--port", str(port)]
    process = subprocess.Popen(command)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base_url}/stats", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait()


def stats(base_url: str) -> tuple[int, list[float]]:
    data = httpx.get(f"{base_url}/stats", timeout=10).json()
    return int(data["requests"]), list(data["times"])


def png(index: int, salt: int) -> bytes:
    image = Image.new("RGB", (32, 32), ((index * 7) % 256, 40, 90))
    image.putpixel((0, 0), (index % 256, index // 256 % 256, salt))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_project(database: Database, media: MediaStore, name: str, n: int, salt: int) -> None:
    """``n`` distinct small images (``salt`` keeps projects' images apart)."""
    rows = []
    for index in range(n):
        data = png(index, salt)
        key, _ = media.put(data, suffix=".png")
        rows.append(
            {
                "sha256": sha256_hex(data), "media_key": key, "mime_type": "image/png",
                "width": 32, "height": 32, "byte_size": len(data), "source_name": f"{index}.png",
            }
        )  # fmt: skip
    with database.session() as session:
        project = create_project(session, schema=parse_schema({**SCHEMA, "name": name}))
        add_items(session, project_id=project.id, rows=rows)


def run(database: Database, media: MediaStore, project: str, base_url: str, **extra: Any) -> float:
    config = {
        "backend": "openai", "model": "bench", "base_url": base_url, "api_key_env": None,
        "max_concurrency": CONCURRENCY, "timeout_s": 30, **extra,
    }  # fmt: skip
    started = time.perf_counter()
    report = annotate_project(database, media, project=project, annotator_config=config)
    assert report.progress.failed == 0, report.progress
    return time.perf_counter() - started


async def bare_client(base_url: str, n: int) -> float:
    """The peer: the openai client alone, same requests, same concurrency."""
    data = base64.b64encode(png(0, 9)).decode()
    client = openai.AsyncOpenAI(api_key="x", base_url=base_url, max_retries=0)
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        content = [
            {"type": "text", "text": f"question {i}"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
        ]
        async with slots:
            await client.chat.completions.create(
                model="bench",
                messages=[{"role": "user", "content": content}],  # type: ignore[list-item]
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    await client.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="model annotation throughput")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rpm-items", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    ideal = args.items / CONCURRENCY * args.latency
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(f"sqlite:///{tmp}/bench.db")
        media = MediaStore(Path(tmp) / "media")
        make_project(database, media, "throughput", args.items, salt=1)
        make_project(database, media, "ratelimit", args.rpm_items, salt=2)
        with server(args.latency) as base_url:
            peer = asyncio.run(bare_client(base_url, args.items))
            before, _ = stats(base_url)
            seconds = run(database, media, "throughput", base_url)
            paid = stats(base_url)[0] - before
            with database.session() as session:
                session.execute(delete(Annotation))
            cached_seconds = run(database, media, "throughput", base_url)
            cached_requests = stats(base_url)[0] - before - paid
        with server(args.latency) as base_url:
            run(database, media, "ratelimit", base_url, rpm=600)
            count, times = stats(base_url)
        rpm = (count - 1) / (times[-1] - times[0]) * 60
        database.dispose()
    rows = [
        ("crowdlens annotate_project", f"{seconds:.2f} s", f"{seconds / ideal:.3f}"),
        ("bare openai client (peer)", f"{peer:.2f} s", f"{peer / ideal:.3f}"),
        ("ideal: items / 32 × latency", f"{ideal:.2f} s", "1.000"),
    ]
    print(
        f"{args.items} items, concurrency {CONCURRENCY}, {args.latency * 1000:.0f} ms per request"
    )
    print("| run | time | ratio to ideal |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        f"requests on the first run: {paid}; second run from the cache: "
        f"{cached_seconds:.2f} s with {cached_requests} requests"
    )
    print(
        f"{args.rpm_items} items with rpm=600: {rpm:.1f} requests/min "
        f"({rpm / 600:.3f} of the limit)"
    )
    print(
        f"RESULT ideal_ratio={seconds / ideal:.3f} rpm_observed={rpm:.1f} rpm_limit=600 "
        f"cached_requests={cached_requests}"
    )


if __name__ == "__main__":
    main()
