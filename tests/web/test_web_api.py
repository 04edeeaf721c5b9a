"""The REST API: token auth, projects, item upload, annotations, assignments, codes, consensus."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from web_helpers import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
GOOD: dict[str, Any] = {
    "bright": True,
    "colour": "green",
    "parts": ["dot"],
    "describe": "a green square with a dot",
}


def png(colour: tuple[int, int, int] = (10, 200, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {ADMIN_TOKEN}"}],
    ids=["none", "wrong", "not-bearer"],
)
def test_admin_endpoints_need_the_token(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


def test_projects_are_listed_and_created(client: TestClient) -> None:
    listed = client.get("/api/v1/projects", headers=AUTH).json()
    assert [p["name"] for p in listed] == ["shapes"] and listed[0]["items"] == 4
    body = {"name": "pets", "fields": [{"name": "cat", "kind": "binary"}]}
    created = client.post("/api/v1/projects", json=body, headers=AUTH)
    assert created.status_code == 201 and created.json()["worker_url"] == "/w/pets"
    again = client.post("/api/v1/projects", json=body, headers=AUTH)
    assert again.status_code == 409 and "exists" in again.json()["detail"]
    bad = client.post("/api/v1/projects", json={"name": "x", "fields": []}, headers=AUTH)
    assert bad.status_code == 400 and "request body" in bad.json()["detail"]


def test_an_image_is_uploaded_once(client: TestClient) -> None:
    files = {"file": ("new.png", png(), "image/png")}
    first = client.post("/api/v1/projects/shapes/items", files=files, headers=AUTH).json()
    second = client.post("/api/v1/projects/shapes/items", files=files, headers=AUTH).json()
    assert first["added"] == 1 and second["existing"] == 1
    assert first["item_ids"] == second["item_ids"]
    broken = {"file": ("broken.png", b"not an image", "image/png")}
    refused = client.post("/api/v1/projects/shapes/items", files=broken, headers=AUTH).json()
    assert refused["added"] == 0 and "not an image" in refused["skipped"][0]


def test_an_oversized_upload_is_refused(client: TestClient) -> None:
    limit = client.app.state.crowdlens.settings.max_image_bytes  # type: ignore[attr-defined]
    files = {"file": ("big.png", b"0" * (limit + 128 * 1024), "image/png")}
    response = client.post("/api/v1/projects/shapes/items", files=files, headers=AUTH)
    assert response.status_code == 413


def test_a_worker_flow_through_the_api(client: TestClient) -> None:
    started = client.post("/api/v1/projects/shapes/assignments", json={"worker_id": "api-1"})
    assert started.status_code == 201
    assignment = started.json()
    token, items = assignment["token"], assignment["items"]
    assert len(items) == 2 and client.get(items[0]["image_url"]).status_code == 200
    url = f"/api/v1/assignments/{token}/answers"
    short = client.post(url, json={"item_id": items[0]["item_id"], "key": "a",
                                   "answers": {**GOOD, "describe": "green"}}).json()  # fmt: skip
    assert short["passed"] is False and "at least 4" in short["reasons"][0]
    for item, key in ((items[0], "b"), (items[1], "c")):
        outcome = client.post(url, json={"item_id": item["item_id"], "key": key, "answers": GOOD})
        assert outcome.json()["passed"] is True
    code = outcome.json()["completion_code"]
    check = client.get(f"/api/v1/completion-codes/{code}?worker_id=api-1", headers=AUTH).json()
    assert check["valid"] is True and check["worker_id"] == "api-1"
    wrong = client.get(f"/api/v1/completion-codes/{code}?worker_id=api-2", headers=AUTH).json()
    assert wrong["valid"] is False
    stored = client.get("/api/v1/projects/shapes/annotations", headers=AUTH).json()
    assert [a["status"] for a in stored] == ["failed", "submitted", "submitted"]


def test_a_retried_answer_gives_the_same_outcome(client: TestClient) -> None:
    token = client.post("/api/v1/projects/shapes/assignments", json={"worker_id": "api-1"}).json()[
        "token"
    ]
    item = client.get(f"/api/v1/assignments/{token}").json()["items"][0]["item_id"]
    body = {"item_id": item, "key": "same", "answers": GOOD}
    first = client.post(f"/api/v1/assignments/{token}/answers", json=body).json()
    second = client.post(f"/api/v1/assignments/{token}/answers", json=body).json()
    assert first == second


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"item_id": 1, "key": "k", "answers": {"colour": 3}}, 422, id="wrong-type"),
        pytest.param({"item_id": 1, "key": "k", "answers": {}, "extra": 1}, 422, id="extra-key"),
        pytest.param({"item_id": 999, "key": "k", "answers": GOOD}, 403, id="foreign-item"),
    ],
)
def test_bad_answers_are_refused(client: TestClient, body: dict[str, Any], status: int) -> None:
    token = client.post("/api/v1/projects/shapes/assignments", json={"worker_id": "api-9"}).json()[
        "token"
    ]
    if body["item_id"] == 1:
        body = {
            **body,
            "item_id": client.get(f"/api/v1/assignments/{token}").json()["items"][0]["item_id"],
        }
    response = client.post(f"/api/v1/assignments/{token}/answers", json=body)
    assert response.status_code == status


def test_model_answers_and_consensus_are_listed(client: TestClient) -> None:
    body = {
        "item_id": 1,
        "annotator": {
            "kind": "model",
            "backend": "openai",
            "model": "gpt-4o",
            "prompt_version": "v1",
        },
        "answers": {"colour": "red"},
        "idempotency_key": "m-1",
    }
    created = client.post("/api/v1/projects/shapes/annotations", json=body, headers=AUTH)
    assert created.status_code == 201 and created.json()["answers"] == {"colour": "red"}
    again = client.post("/api/v1/projects/shapes/annotations", json=body, headers=AUTH)
    assert again.json()["id"] == created.json()["id"]
    assert client.get("/api/v1/projects/shapes/consensus", headers=AUTH).json() == []


def test_openapi_docs_are_served(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/assignments/{token}/answers" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200
