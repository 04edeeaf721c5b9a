"""Worker pages over HTTP: entry, consent, items, QC failure and fix, code, and bad input."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import task_token

GOOD = {
    "bright": "yes",
    "colour": "red",
    "parts": ["edge", "plain"],
    "parts__shown": "1",
    "describe": "a red square on a plain background",
}


def start(client: TestClient, query: str = "worker=w1") -> str:
    page = client.get(f"/w/shapes?{query}")
    assert page.status_code == 200
    start_token = re.search(r'name="start" value="([^"]+)"', page.text)
    assert start_token, page.text
    started = client.post("/w/shapes/start", data={"start": start_token.group(1), "consent": "yes"})
    assert started.status_code == 303, started.text
    return task_token(started.headers["location"])


def form_for(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(item_id|key)" value="([^"]+)"', page))
    assert set(fields) == {"item_id", "key"}, page
    return fields


def answer(client: TestClient, token: str, **changes: object) -> tuple[int, str]:
    page = client.get(f"/w/a/{token}")
    response = client.post(f"/w/a/{token}/submit", data={**form_for(page.text), **GOOD, **changes})
    return response.status_code, response.text


def test_a_worker_answers_a_batch_and_gets_a_code(client: TestClient) -> None:
    token = start(client)
    page = client.get(f"/w/a/{token}")
    assert "Picture 1 of 2" in page.text and "Describe the picture." in page.text
    assert answer(client, token)[0] == 303
    assert "Picture 2 of 2" in client.get(f"/w/a/{token}").text
    assert answer(client, token)[0] == 303
    done = client.get(f"/w/a/{token}")
    assert re.search(r"CL-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", done.text)


def test_a_short_answer_shows_the_reason_and_keeps_what_was_typed(client: TestClient) -> None:
    token = start(client)
    status, page = answer(client, token, describe="red")
    assert status == 200 and "has 1 word; please write at least 4" in page
    assert "2 more tries for this picture" in page and ">red</textarea>" in page
    assert answer(client, token)[0] == 303


def test_mturk_parameters_are_kept_and_the_code_posts_back(client: TestClient) -> None:
    query = "workerId=AW1&assignmentId=A9&hitId=H1&turkSubmitTo=https://workersandbox.mturk.com"
    token = start(client, query)
    answer(client, token)
    answer(client, token)
    done = client.get(f"/w/a/{token}").text
    assert 'action="https://workersandbox.mturk.com/mturk/externalSubmit"' in done
    assert 'name="assignmentId" value="A9"' in done


def test_the_mturk_preview_shows_instructions_only(client: TestClient) -> None:
    page = client.get("/w/shapes?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1").text
    assert "This is a preview" in page and 'name="consent"' not in page


def test_script_in_a_text_answer_is_escaped(client: TestClient) -> None:
    token = start(client)
    status, page = answer(client, token, describe="<script>x</script>")
    assert status == 200 and "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        pytest.param("/w/a/forged-token", 403, "does not check out", id="forged-token"),
        pytest.param("/w/nope?worker=w1", 404, "expected an existing project", id="no-project"),
        pytest.param("/w/shapes?worker=<b>x</b>", 422, "expected a worker id", id="bad-worker-id"),
    ],
)
def test_bad_links_get_clear_pages(client: TestClient, path: str, status: int, text: str) -> None:
    response = client.get(path)
    assert response.status_code == status and text in response.text
    assert "<b>x</b>" not in response.text


def test_a_forged_start_form_is_refused(client: TestClient) -> None:
    response = client.post("/w/shapes/start", data={"start": "x.y.z", "consent": "yes"})
    assert response.status_code == 403


def test_answers_that_do_not_fit_the_schema_are_refused(client: TestClient) -> None:
    token = start(client)
    status, page = answer(client, token, colour="purple")
    assert status == 422 and "expected one of red, green, blue, other" in page


def test_an_item_outside_the_assignment_is_refused(client: TestClient) -> None:
    token = start(client)
    page = client.get(f"/w/a/{token}").text
    data = {**form_for(page), **GOOD, "item_id": "999"}
    assert client.post(f"/w/a/{token}/submit", data=data).status_code == 403
    assert client.get(f"/w/a/{token}/image/999").status_code == 403


def test_an_oversized_body_is_refused_before_the_handler(client: TestClient) -> None:
    token = start(client)
    response = client.post(f"/w/a/{token}/submit", data={"describe": "x" * 400_000})
    assert response.status_code == 413 and "at most" in response.json()["detail"]


def test_a_second_worker_never_gets_the_first_workers_items(client: TestClient) -> None:
    first = start(client, "worker=w1")
    first_items = set()
    for _ in range(2):
        first_items.add(int(form_for(client.get(f"/w/a/{first}").text)["item_id"]))
        answer(client, first)
    second = start(client, "worker=w2")
    second_items = set()
    for _ in range(2):
        page = client.get(f"/w/a/{second}").text
        second_items.add(int(form_for(page)["item_id"]))
        answer(client, second)
    assert len(second_items) == 2 and not first_items & second_items
    page = client.get("/w/shapes?worker=w3").text
    token = re.search(r'name="start" value="([^"]+)"', page)
    assert token is not None
    response = client.post("/w/shapes/start", data={"start": token.group(1), "consent": "yes"})
    assert "No pictures left for you right now" in response.text
