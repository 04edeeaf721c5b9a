"""Recording a spoken answer in real Chromium through MediaRecorder, to the completion code.

Chromium's fake microphone plays an espeak-ng WAV file (``--use-file-for-fake-audio-capture``);
the page records it as webm/opus, uploads it, polls the transcript (Whisper tiny.en in the
app's lifespan worker) and submits. Screenshots land in test-artifacts/web/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from audio_speech import speak, write_wav
from spoken_helpers import make_spoken_home, spoken_project
from web_browser import CHROMIUM_ARGS, chromium_path, serve, shoot

from crowdlens.audio import RetryPolicy
from crowdlens.audio.whisper import WhisperTranscriber
from crowdlens.web import WebOptions, create_app

try:
    import playwright.sync_api as playwright_api
except ImportError:  # pragma: no cover - the dev extra installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed: pip install -e '.[dev]'", allow_module_level=True)

SAID = "A big black dog is lying in front of a small red house by the river."
PROJECT = spoken_project(
    "voice", qc={"min_seconds": 4, "min_words": 5, "keywords": {"required": 2, "of": 10}}
)


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentence then a second of quiet, so the looping fake microphone stays clear."""
    folder = tmp_path_factory.mktemp("mic")
    import wave

    spoken = speak(SAID, folder / "said.wav")
    with wave.open(str(spoken)) as handle:
        rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), "<i2") / 32768
    padded = np.concatenate([np.zeros(rate // 2), samples, np.zeros(rate)])
    return write_wav(folder / "microphone.wav", padded, rate)


@pytest.fixture(scope="module")
def base_url(
    tmp_path_factory: pytest.TempPathFactory, whisper: WhisperTranscriber
) -> Iterator[str]:
    home = make_spoken_home(tmp_path_factory.mktemp("voice"), PROJECT, images=1)
    policy = RetryPolicy(timeout_s=60, max_attempts=3, retry_in_s=1, stale_after_s=120)
    options = WebOptions(transcriber=whisper, transcription_poll_s=0.5, transcription=policy)
    with serve(create_app(home, options)) as url:
        yield url


@pytest.fixture
def page(microphone: Path) -> Iterator[Any]:
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["microphone"])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        browser.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_a_worker_records_through_the_microphone_and_gets_a_code(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/w/voice?worker=speaker")
    page.check("input[name=consent]")
    page.click("#consent-form button")
    page.wait_for_selector("[data-recorder]")
    assert page.locator("[data-submit]").is_disabled()
    assert "talk for at least 0:04" in page.locator(".recorder-controls").inner_text()
    shoot(page, "spoken-01-task")
    page.click("[data-record]")
    page.wait_for_selector("[data-stop]:not([hidden])")
    page.wait_for_timeout(2000)
    assert "short" in (page.locator("[data-clock]").get_attribute("class") or "")
    shoot(page, "spoken-02-recording")
    page.wait_for_timeout(4500)
    page.click("[data-stop]")
    status = page.locator("[data-status]")
    page.wait_for_selector(".recorder-status.good", timeout=90_000)
    transcript = page.locator("textarea[name=description]").input_value()
    assert "house" in transcript.lower() and "dog" in transcript.lower(), transcript
    assert page.locator("[data-playback]").is_visible()
    assert not page.locator("[data-submit]").is_disabled()
    assert "Read it, then submit" in status.inner_text()
    shoot(page, "spoken-03-transcribed")
    page.click("[data-submit]")
    code = page.wait_for_selector("#completion-code").inner_text()
    assert re.fullmatch(r"CL(-[0-9A-Z]{4}){4}", code)
    shoot(page, "spoken-04-done")
