"""50 concurrent simulated workers claim and submit through the REST API until 2,000 answers are in.

Runs against SQLite (one app process) and PostgreSQL (several app processes), then checks the
database: no item over its redundancy, no answer lost, none stored twice. With ``--label-studio``
the same number of annotations is saved through a running Label Studio's REST API for the peer
figure (start it yourself; see benchmarks/README.md).

    .venv/bin/python benchmarks/web_load.py --answers 2000 --workers 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from crowdlens.schema import parse_schema
from crowdlens.store.tables import Annotation, Annotator
from crowdlens.workspace import open_workspace

POSTGRES = os.environ.get(
    "CROWDLENS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PROJECT = {
    "name": "load",
    "redundancy": 3,
    "items_per_assignment": 5,
    "fields": [
        {"name": "cat", "kind": "binary"},
        {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue"]},
    ],
}
ANSWERS = {"cat": True, "colour": "red"}


@dataclass
class Run:
    submit_ms: list[float] = field(default_factory=list)
    claim_ms: list[float] = field(default_factory=list)
    accepted: set[int] = field(default_factory=set)
    retried_same: int = 0

    def pct(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def make_home(home: Path, url: str, n_items: int) -> None:
    images = home / "images"
    images.mkdir(parents=True)
    for i in range(n_items):
        Image.new("RGB", (32, 32), (i % 256, (i // 256) % 256, 90)).save(images / f"{i}.png")
    with open_workspace(home, database_url=url) as ws:
        ws.create_project(parse_schema(PROJECT))
        ws.import_images("load", [images])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, url: str, processes: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CROWDLENS_HOME": str(home), "CROWDLENS_DATABASE_URL": url}
    factory = "crowdlens.web.app:app_from_environment"
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port),
               "--workers", str(processes), "--log-level", "warning",
               "--timeout-keep-alive", "60"]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/api/v1/openapi.json", timeout=1)
            return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the app did not start")


async def worker(client: httpx.AsyncClient, name: str, run: Run, goal: int) -> None:
    while len(run.accepted) < goal:
        started = time.perf_counter()
        claim = await client.post("/api/v1/projects/load/assignments", json={"worker_id": name})
        run.claim_ms.append(1000 * (time.perf_counter() - started))
        if claim.status_code != 201:
            return
        body = claim.json()
        for item in body["items"]:
            if not item["done"] and len(run.accepted) < goal:
                await submit(client, body["token"], item["item_id"], run)


async def submit(client: httpx.AsyncClient, token: str, item_id: int, run: Run) -> None:
    payload = {"item_id": item_id, "key": uuid.uuid4().hex, "answers": ANSWERS}
    started = time.perf_counter()
    response = await post_with_retry(client, f"/api/v1/assignments/{token}/answers", payload)
    run.submit_ms.append(1000 * (time.perf_counter() - started))
    response.raise_for_status()
    run.accepted.add(response.json()["annotation_id"])
    if len(run.accepted) % 10 == 0:  # every tenth answer is retried: it must not be stored twice
        again = await client.post(f"/api/v1/assignments/{token}/answers", json=payload)
        run.retried_same += again.json()["annotation_id"] in run.accepted


async def post_with_retry(
    client: httpx.AsyncClient, url: str, payload: dict[str, object]
) -> httpx.Response:
    """A dropped connection is retried with the same key: the server answers it only once."""
    for attempt in range(3):
        try:
            return await client.post(url, json=payload)
        except httpx.TransportError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def load(base: str, workers: int, goal: int) -> tuple[Run, float]:
    run = Run()
    limits = httpx.Limits(max_connections=workers)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, f"w{i}", run, goal) for i in range(workers)))
        return run, time.perf_counter() - started


def verify(url: str, run: Run, redundancy: int) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        per_item = connection.execute(
            select(Annotation.item_id, func.count()).where(Annotation.status == "submitted")
            .group_by(Annotation.item_id)
        ).all()  # fmt: skip
        pairs = connection.execute(
            select(Annotation.annotator_id, Annotation.item_id, func.count())
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .group_by(Annotation.annotator_id, Annotation.item_id)
            .having(func.count() > 1)
        ).all()  # fmt: skip
        stored = set(connection.scalars(select(Annotation.id)))
    engine.dispose()
    return {
        "over_assigned": sum(1 for _, n in per_item if n > redundancy),
        "lost": len(run.accepted - stored),
        "duplicated": len(pairs) + len(stored - run.accepted),
    }


def postgres_url() -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    sep = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{sep}options=-csearch_path%3D{name}", name


def drop_schema(name: str) -> None:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def bench(backend: str, args: argparse.Namespace) -> dict[str, float]:
    n_items = -(-args.answers // PROJECT["redundancy"]) + args.workers  # a little spare
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        url, schema = (f"sqlite:///{home / 'db.sqlite'}", None)
        if backend == "pg":
            url, schema = postgres_url()
        try:
            make_home(home, url, n_items)
            processes = 1 if backend == "sqlite" else args.pg_processes
            server, base = start_server(home, url, processes)
            try:
                run, seconds = asyncio.run(load(base, args.workers, args.answers))
            finally:
                server.terminate()
                server.wait(timeout=30)
            checks = verify(url, run, int(PROJECT["redundancy"]))
        finally:
            if schema:
                drop_schema(schema)
    done = len(run.accepted)
    p50, p99 = run.pct(run.submit_ms, 0.5), run.pct(run.submit_ms, 0.99)
    print(f"{backend:6} {done:5} answers in {seconds:6.1f} s = {done / seconds:6.1f}/s; "
          f"submit p50 {p50:6.1f} ms p99 {p99:6.1f} ms; "
          f"claim p50 {run.pct(run.claim_ms, 0.5):6.1f} ms; "
          f"retries answered alike {run.retried_same}; {checks}")  # fmt: skip
    return {"p50": p50, "p99": p99, **checks}


async def label_studio(base: str, token: str, workers: int, goal: int) -> list[float]:
    """Save ``goal`` annotations through Label Studio's REST API, ``workers`` at a time."""
    headers = {"Authorization": f"Token {token}"}
    choices = "".join(f'<Choice value="{c}"/>' for c in ("red", "green", "blue"))
    config = (
        '<View><Image name="image" value="$image"/>'
        f'<Choices name="colour" toName="image">{choices}</Choices></View>'
    )
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        project = (
            await client.post("/api/projects", json={"title": "load", "label_config": config})
        ).json()
        tasks = [{"image": f"/data/{i}.png"} for i in range(goal)]
        await client.post(f"/api/projects/{project['id']}/import", json=tasks)
        ids: list[int] = []
        page = 1
        while len(ids) < goal:
            got = (
                await client.get(
                    "/api/tasks", params={"project": project["id"], "page": page, "page_size": 500}
                )
            ).json()
            batch = got["tasks"] if isinstance(got, dict) else got
            if not batch:
                break
            ids += [t["id"] for t in batch]
            page += 1
        result = [
            {
                "from_name": "colour",
                "to_name": "image",
                "type": "choices",
                "value": {"choices": ["red"]},
            }
        ]
        times: list[float] = []
        queue = list(ids[:goal])

        async def one() -> None:
            while queue:
                task = queue.pop()
                started = time.perf_counter()
                response = await client.post(
                    f"/api/tasks/{task}/annotations", json={"result": result}
                )
                times.append(1000 * (time.perf_counter() - started))
                response.raise_for_status()

        await asyncio.gather(*(one() for _ in range(workers)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--pg-processes", type=int, default=2)
    parser.add_argument("--label-studio", help="base URL of a running Label Studio")
    parser.add_argument("--label-studio-token", default=os.environ.get("LABEL_STUDIO_TOKEN", ""))
    args = parser.parse_args()
    sqlite = bench("sqlite", args)
    pg = bench("pg", args)
    ls_p50 = float("nan")
    if args.label_studio:
        started = time.perf_counter()
        times = asyncio.run(
            label_studio(args.label_studio, args.label_studio_token, args.workers, args.answers)
        )
        ls_p50 = statistics.median(times)
        seconds = time.perf_counter() - started
        print(f"label-studio {len(times)} annotations in {seconds:.1f} s; p50 {ls_p50:.1f} ms")
    totals = {k: int(sqlite[k] + pg[k]) for k in ("over_assigned", "lost", "duplicated")}
    print(
        f"RESULT sqlite_p50_ms={sqlite['p50']:.1f} sqlite_p99_ms={sqlite['p99']:.1f} "
        f"pg_p50_ms={pg['p50']:.1f} pg_p99_ms={pg['p99']:.1f} labelstudio_p50_ms={ls_p50:.1f} "
        f"over_assigned={totals['over_assigned']} lost={totals['lost']} "
        f"duplicated={totals['duplicated']}"
    )


if __name__ == "__main__":
    main()
