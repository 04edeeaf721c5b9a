"""The worker and admin pages in real Chromium: a whole batch, QC and fix, the code, admin view.

Screenshots of every page land in test-artifacts/web/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM_ARGS, chromium_path, serve, shoot
from web_helpers import make_home

from crowdlens.web import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    settings = make_home(root / "home", f"sqlite:///{root / 'db.sqlite'}", root / "images")
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def begin(page: Any, base_url: str, worker: str, shot: str | None = None) -> None:
    page.goto(f"{base_url}/w/shapes")
    if shot:
        shoot(page, f"{shot}-ask-worker-id")
    page.fill("#worker", worker)
    page.click("#worker-form button")
    page.wait_for_selector("#consent-form")
    if shot:
        shoot(page, f"{shot}-consent")
    page.check("input[name=consent]")
    page.click("#consent-form button")


def answer_with_keys(page: Any, description: str) -> None:
    """Binary and choice by keyboard, tags by filter and click, text by typing."""
    page.locator("fieldset[data-field=bright] legend").click()
    page.keyboard.press("y")
    page.keyboard.press("1")
    page.fill("fieldset[data-field=parts] .tag-filter", "corn")
    page.click("label.tag:has-text('corner')")
    page.fill("fieldset[data-field=parts] .tag-filter", "")
    page.click("label.tag:has-text('plain')")
    page.fill("textarea[name=describe]", description)


def test_a_worker_completes_a_batch_with_a_qc_fix_and_gets_a_code(page: Any, base_url: str) -> None:
    begin(page, base_url, "alice", shot="01")
    page.wait_for_selector("[data-task-form]")
    answer_with_keys(page, "red")
    assert page.locator("input[name=bright][value=yes]").is_checked()
    assert page.locator("input[name=colour][value=red]").is_checked()
    assert page.locator("fieldset[data-field=describe] .word-count").inner_text() == "1 / 4 words"
    shoot(page, "02-task-answered")
    page.keyboard.press("Control+Enter")
    alert = page.wait_for_selector(".qc-alert")
    assert "has 1 word; please write at least 4" in alert.inner_text()
    assert page.locator("input[name=colour][value=red]").is_checked()
    shoot(page, "03-task-qc-failed")
    page.fill("textarea[name=describe]", "a bright red square, plain inside")
    page.click("[data-submit]")
    page.wait_for_selector("text=Picture 2 of 2")
    answer_with_keys(page, "a flat red square with corners")
    page.click("[data-submit]")
    code = page.wait_for_selector("#completion-code").inner_text()
    assert re.fullmatch(r"CL(-[0-9A-Z]{4}){4}", code)
    shoot(page, "04-done-code")


def test_a_second_worker_gets_other_items_then_none(page: Any, base_url: str) -> None:
    begin(page, base_url, "bob")
    page.wait_for_selector("[data-task-form]")
    seen = []
    for n in (1, 2):
        seen.append(page.locator("input[name=item_id]").get_attribute("value"))
        answer_with_keys(page, "a square of one flat colour")
        page.click("[data-submit]")
        if n == 1:
            page.wait_for_selector("text=Picture 2 of 2")
    page.wait_for_selector("#completion-code")
    assert len(set(seen)) == 2
    begin(page, base_url, "carol")
    page.wait_for_selector("text=No pictures left for you right now")
    shoot(page, "05-no-work-left")


def test_the_task_page_works_on_a_phone(browser: Any, tmp_path: Path) -> None:
    settings = make_home(tmp_path / "home", f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "im")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    with serve(create_app(settings)) as url:
        begin(page, url, "dave")
        page.wait_for_selector("[data-task-form]")
        box = page.locator(".stage img").bounding_box()
        assert box["width"] > 300  # the picture spans the phone's width
        shoot(page, "06-phone-task")
    context.close()


def test_screenshots_exist() -> None:
    shots = Path(__file__).parents[2] / "test-artifacts" / "web"
    assert shots.is_dir()
