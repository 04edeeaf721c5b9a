"""`crowdlens demo` builds the demo project, serves it and prints the worker and admin URLs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from web_browser import free_port


def test_demo_serves_and_prints_the_urls(tmp_path: Path) -> None:
    port = free_port()
    command = "from crowdlens.cli import main; main()"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWDLENS_")}
    process = subprocess.Popen(
        [sys.executable, "-c", command, "--home", str(tmp_path), "demo", "--n", "3",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        lines = _read_until(process, "stop the server with Ctrl-C")
        text = "\n".join(lines)
        assert f"http://127.0.0.1:{port}/w/characters?worker=YOUR-ID" in text
        assert f"http://127.0.0.1:{port}/admin" in text
        password = re.search(r"admin password for this run: (\S+)", text)
        assert password, text
        page = _get(f"http://127.0.0.1:{port}/w/characters?worker=tester")
        assert "Describe a cartoon character" in page
    finally:
        process.terminate()
        process.wait(timeout=20)


def _read_until(process: subprocess.Popen[str], marker: str) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError("demo did not start serving:\n" + "\n".join(lines))


def _get(url: str) -> str:
    for _ in range(100):
        try:
            return httpx.get(url, timeout=5).text
        except httpx.ConnectError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listening at {url}")
