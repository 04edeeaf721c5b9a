"""The worker and admin pages in real Chromium: a whole batch, QC and fix, the code, admin view.

Screenshots of every page land in test-artifacts/web/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from web_browser import CHROMIUM_ARGS, chromium_path, serve, shoot
from web_helpers import ADMIN_PASSWORD, make_home

from crowdlens.settings import Settings
from crowdlens.store.db import open_database
from crowdlens.store.projects import get_project
from crowdlens.store.tables import Annotation, Consensus
from crowdlens.web import create_app

try:
    import playwright.sync_api as playwright_api
except ImportError:  # pragma: no cover - the dev extra installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed: pip install -e '.[dev]'", allow_module_level=True)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("browser")
    return make_home(root / "home", f"sqlite:///{root / 'db.sqlite'}", root / "images")


@pytest.fixture(scope="module")
def base_url(home: Settings) -> Iterator[str]:
    with serve(create_app(home)) as url:
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


def add_consensus(home: Settings) -> int:
    """Stand in for the aggregation step: store a consensus for alice's first item."""
    database = open_database(home.resolved_database_url)
    with database.session() as session:
        project = get_project(session, name="shapes")
        first = session.scalars(select(Annotation).order_by(Annotation.id)).first()
        assert first is not None
        session.add(
            Consensus(project_id=project.id, item_id=first.item_id, field="colour",
                      value={"value": "red"}, confidence=0.9, method="majority_vote")
        )  # fmt: skip
        item_id = first.item_id
    database.dispose()
    return item_id


def test_the_admin_logs_in_and_sees_answers_and_consensus(
    page: Any, base_url: str, home: Settings
) -> None:
    item_id = add_consensus(home)
    page.goto(f"{base_url}/admin")
    page.wait_for_selector("#login-form")
    page.fill("#password", "wrong")
    page.click("#login-form button")
    page.wait_for_selector("text=That password is not right.")
    shoot(page, "07-admin-login-wrong")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#login-form button")
    page.click("text=Shapes and colours")
    page.wait_for_selector("#workers")
    assert "alice" in page.inner_text("#workers") and "bob" in page.inner_text("#workers")
    shoot(page, "08-admin-dashboard")
    page.goto(f"{base_url}/admin/p/shapes/items/{item_id}")
    consensus = page.inner_text("table.consensus")
    assert "majority_vote" in consensus and "0.90" in consensus
    answers = page.inner_text("table.annotations")
    assert "alice" in answers and "a bright red square, plain inside" in answers
    assert "has 1 word" in answers  # the failed first attempt is kept with its reason
    shoot(page, "09-admin-item")
    page.goto(f"{base_url}/api/v1/docs")
    assert "/api/v1/assignments/{token}/answers" in page.inner_text("table.api")
    shoot(page, "10-api-docs")


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
