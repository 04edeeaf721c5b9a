"""Admin pages over HTTP: login, CSRF on every form, dashboard, item page, actions, export."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from test_worker_pages import answer, form_for, start
from web_helpers import ADMIN_PASSWORD, ADMIN_TOKEN

from crowdlens.settings import Settings
from crowdlens.store.db import open_database
from crowdlens.store.projects import get_project
from crowdlens.store.tables import Consensus


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def log_in(client: TestClient, password: str = ADMIN_PASSWORD) -> int:
    page = client.get("/admin/login")
    response = client.post("/admin/login", data={"csrf": csrf_of(page.text), "password": password})
    return response.status_code


def finish_batch(client: TestClient, worker: str, describe: str) -> list[int]:
    token = start(client, f"worker={worker}")
    items = []
    for _ in range(2):
        items.append(int(form_for(client.get(f"/w/a/{token}").text)["item_id"]))
        answer(client, token, describe=describe)
    return items


def test_the_root_leads_to_the_admin_dashboard(client: TestClient) -> None:
    response = client.get("/")
    assert (response.status_code, response.headers["location"]) == (303, "/admin")


def test_admin_pages_need_a_login(client: TestClient) -> None:
    response = client.get("/admin")
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"


@pytest.mark.parametrize("password", [ADMIN_PASSWORD, ADMIN_TOKEN], ids=["password", "token"])
def test_login_sets_a_strict_http_only_cookie(client: TestClient, password: str) -> None:
    assert log_in(client, password) == 303
    cookie = client.cookies.jar
    assert any(c.name == "crowdlens_admin" for c in cookie)
    page = client.get("/admin")
    assert page.status_code == 200 and "Shapes and colours" in page.text


def test_the_session_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"csrf": csrf_of(page.text), "password": ADMIN_PASSWORD}
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header


def test_a_wrong_password_is_refused(client: TestClient) -> None:
    assert log_in(client, "guess") == 401
    assert client.get("/admin").status_code == 303


def test_a_missing_csrf_token_is_refused(client: TestClient) -> None:
    log_in(client)
    item = finish_batch(client, "w1", "a red square with four corners")[0]
    page = client.get(f"/admin/p/shapes/items/{item}").text
    annotation = re.search(r'data-annotation="(\d+)"', page)
    assert annotation
    response = client.post(
        f"/admin/annotations/{annotation.group(1)}/review", data={"decision": "approve"}
    )
    assert response.status_code == 403 and "security token" in response.text
    client.get("/admin/login")
    login = client.post("/admin/login", data={"password": ADMIN_PASSWORD, "csrf": "x"})
    assert login.status_code == 403


def test_dashboard_item_page_and_actions(client: TestClient, settings: Settings) -> None:
    items = finish_batch(client, "w1", "<script>alert('x')</script> red square here")
    log_in(client)
    board = client.get("/admin/p/shapes").text
    assert "100%" in board and "w1" in board and "$0.10" in board
    database = open_database(settings.resolved_database_url)
    with database.session() as session:
        project_id = get_project(session, name="shapes").id
        session.add(
            Consensus(
                project_id=project_id,
                item_id=items[0],
                field="colour",
                value={"value": "red"},
                confidence=0.93,
                method="majority_vote",
            )
        )
    database.dispose()
    page = client.get(f"/admin/p/shapes/items/{items[0]}").text
    assert "majority_vote" in page and "0.93" in page and "red ×1" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    annotation = re.search(r'data-annotation="(\d+)"', page).group(1)  # type: ignore[union-attr]
    csrf = csrf_of(page)
    refused = client.post(
        f"/admin/annotations/{annotation}/review",
        data={"csrf": csrf, "decision": "reject", "reason": ""},
    )
    assert refused.status_code == 422 and "reason" in refused.text
    rejected = client.post(
        f"/admin/annotations/{annotation}/review",
        data={"csrf": csrf, "decision": "reject", "reason": "not a square"},
    )
    assert rejected.status_code == 303
    page = client.get(f"/admin/p/shapes/items/{items[0]}").text
    assert "not a square" in page and 'class="pill rejected"' in page
    worker = re.search(r"/admin/workers/(\d+)/block", client.get("/admin/p/shapes").text)
    assert worker
    blocked = client.post(
        f"/admin/workers/{worker.group(1)}/block", data={"csrf": csrf, "project": "shapes"}
    )
    assert blocked.status_code == 303
    assert "blocked" in client.get("/admin/p/shapes").text
    lines = client.get("/admin/p/shapes/export.jsonl").text.splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["answers"]["colour"] == "red"


def test_guessing_the_password_is_slowed_down(client: TestClient) -> None:
    assert [log_in(client, f"guess-{n}") for n in range(5)] == [401] * 5
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"csrf": csrf_of(page.text), "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 429


def test_security_headers(client: TestClient) -> None:
    admin = client.get("/admin/login").headers
    worker = client.get("/w/shapes").headers
    assert admin["x-frame-options"] == "DENY" and "x-frame-options" not in worker
    assert "script-src 'self'" in worker["content-security-policy"]
    assert worker["x-content-type-options"] == "nosniff"
