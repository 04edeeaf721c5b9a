"""The openai backend end to end: the real openai client against a local server."""

from __future__ import annotations

import base64
import io
import json
import socket
import time
from typing import Any

import pytest
from chat_server import ChatServer, Step
from PIL import Image
from sqlalchemy import delete, select

from conftest import COLOURS, Project, make_project
from crowdlens.annotators.run import annotate_project
from crowdlens.errors import ConfigError, ModelUnavailable
from crowdlens.schema import parse_schema
from crowdlens.store.costs import total_cost
from crowdlens.store.db import Database
from crowdlens.store.items import add_items, add_region
from crowdlens.store.media import MediaStore, sha256_hex
from crowdlens.store.tables import Annotation, Job

# 100 input tokens at $1000/M + 20 output tokens at $2000/M
CALL_COST = 0.14


def config(server: ChatServer, **overrides: Any) -> dict[str, Any]:
    return {
        "backend": "openai",
        "model": "test-vl",
        "base_url": server.base_url,
        "api_key_env": None,
        "input_usd_per_million": 1000.0,
        "output_usd_per_million": 2000.0,
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
        **overrides,
    }


def run(project: Project, server: ChatServer, **kwargs: Any) -> Any:
    settings = config(server, **kwargs.pop("config", {}))
    return annotate_project(
        project.database, project.media, project=project.name, annotator_config=settings, **kwargs
    )


def annotations(database: Database) -> list[Annotation]:
    with database.session() as session:
        return list(session.scalars(select(Annotation).order_by(Annotation.item_id)))


def test_answers_come_from_the_image_sent(colour_project: Project, chat_server: ChatServer) -> None:
    report = run(colour_project, chat_server)
    stored = annotations(colour_project.database)
    assert [a.answers["colour"] for a in stored] == list(colour_project.colours.values())
    assert [a.answers["is_red"] for a in stored] == [
        c == "red" for c in colour_project.colours.values()
    ]
    assert [a.answers["tones"] for a in stored] == [[c] for c in colour_project.colours.values()]
    assert all(a.status == "submitted" and a.cost_usd == pytest.approx(CALL_COST) for a in stored)
    assert report.progress.done == 4 and report.requests_made == 4 == len(chat_server.requests)
    with colour_project.database.session() as session:
        assert total_cost(session, project_id=1) == pytest.approx(4 * CALL_COST)


def test_one_request_answers_every_field_with_a_json_schema(
    colour_project: Project, chat_server: ChatServer
) -> None:
    run(colour_project, chat_server, limit=1)
    body = chat_server.requests[0]
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["colour", "is_red", "tones", "describe"]
    assert schema["properties"]["colour"]["enum"] == ["red", "green", "blue"]
    assert body["response_format"]["json_schema"]["strict"] is True


@pytest.mark.parametrize(
    ("mode", "expected_format"),
    [("json_object", {"type": "json_object"}), ("none", None)],
    ids=["json-object", "json-in-text"],
)
def test_servers_without_structured_outputs_get_json_in_text(
    colour_project: Project, chat_server: ChatServer, mode: str, expected_format: Any
) -> None:
    run(colour_project, chat_server, config={"structured_output": mode})
    assert chat_server.requests[0].get("response_format") == expected_format
    stored = annotations(colour_project.database)
    assert [a.answers["colour"] for a in stored] == list(colour_project.colours.values())


def test_rerun_after_losing_annotations_makes_no_request(
    colour_project: Project, chat_server: ChatServer
) -> None:
    run(colour_project, chat_server)
    with colour_project.database.session() as session:
        session.execute(delete(Annotation))
    report = run(colour_project, chat_server)
    assert len(chat_server.requests) == 4
    assert report.requests_made == 0 and report.progress.cached == 4
    with colour_project.database.session() as session:
        assert total_cost(session, project_id=1) == pytest.approx(4 * CALL_COST)


def test_resume_skips_stored_annotations_and_pays_nothing_twice(
    colour_project: Project, chat_server: ChatServer
) -> None:
    first = run(colour_project, chat_server, limit=2)
    second = run(colour_project, chat_server)
    third = run(colour_project, chat_server)
    assert (first.progress.done, second.progress.done, third.progress.done) == (2, 2, 0)
    assert (second.skipped, third.skipped) == (2, 4)
    assert len(chat_server.requests) == 4
    assert len(annotations(colour_project.database)) == 4
    with colour_project.database.session() as session:
        job_rows = list(session.scalars(select(Job)))
    assert [(j.status, j.done) for j in job_rows] == [("done", 2), ("done", 2), ("done", 0)]


@pytest.mark.parametrize(
    ("steps", "min_gap_s"),
    [
        ([Step(status=429, headers={"Retry-After": "0.4"})], 0.4),
        ([Step(status=429, headers={"retry-after-ms": "300"})], 0.3),
        ([Step(status=500)], 0.0),
        ([Step(status=503), Step(status=502)], 0.0),
    ],
    ids=["429-retry-after-seconds", "429-retry-after-ms", "500-once", "503-then-502"],
)
def test_transient_errors_are_retried(
    sqlite_database: Database,
    media: MediaStore,
    chat_server: ChatServer,
    steps: list[Step],
    min_gap_s: float,
) -> None:
    project = make_project(sqlite_database, media, ["green"])
    chat_server.then(*steps)
    report = run(project, chat_server)
    assert report.progress.done == 1 and report.progress.failed == 0
    assert len(chat_server.requests) == len(steps) + 1
    gap = chat_server.request_times[1] - chat_server.request_times[0]
    assert gap >= min_gap_s
    assert annotations(sqlite_database)[0].answers["colour"] == "green"


def test_a_request_that_hangs_times_out_and_is_retried(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    project = make_project(sqlite_database, media, ["blue"])
    chat_server.then(Step(delay_s=3.0))
    started = time.monotonic()
    report = run(project, chat_server, config={"timeout_s": 0.5})
    assert time.monotonic() - started < 2.5
    assert report.progress.done == 1 and len(chat_server.requests) == 2


def test_retries_give_up_with_a_failed_annotation_and_the_batch_goes_on(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    project = make_project(sqlite_database, media, ["red", "blue"])
    chat_server.then(*[Step(status=500)] * 3)
    report = run(project, chat_server, config={"max_retries": 2, "max_concurrency": 1})
    stored = annotations(sqlite_database)
    assert [a.status for a in stored] == ["failed", "submitted"]
    assert "gave up after 3 attempts: HTTP 500" in stored[0].qc[0]["reason"]
    assert report.progress.failed == 1 and report.progress.done == 1


FULL = '{"colour": "red", "is_red": true, "tones": ["red"], "describe": "a red square"}'


@pytest.mark.parametrize(
    ("replies", "calls", "colour"),
    [
        ([f"```json\n{FULL}\n```"], 1, "red"),
        ([f"Here you are: {FULL} Let me know!"], 1, "red"),
        (['{"colour": "red", "is_red": true, "tones": ["red"], "describe": "a red sq'], 1, "red"),
        (['{"colour": "purple", "is_red": true, "tones": [], "describe": "x"}', FULL], 2, "red"),
        (['{"colour": "red"}', FULL], 2, "red"),
        (["I am not sure what you mean.", FULL], 2, "red"),
    ],
    ids=[
        "code-fenced",
        "trailing-text",
        "truncated",
        "class-not-in-schema-then-repaired",
        "missing-fields-then-repaired",
        "prose-then-repaired",
    ],
)
def test_tolerant_parsing_and_one_repair(
    sqlite_database: Database,
    media: MediaStore,
    chat_server: ChatServer,
    replies: list[str],
    calls: int,
    colour: str,
) -> None:
    project = make_project(sqlite_database, media, ["red"])
    chat_server.then(*[Step(content=text) for text in replies])
    run(project, chat_server)
    (stored,) = annotations(sqlite_database)
    assert stored.status == "submitted" and stored.answers["colour"] == colour
    assert len(chat_server.requests) == calls
    if calls == 2:
        repair = chat_server.requests[1]["messages"][-1]["content"]
        assert "could not be used" in repair


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (Step(content="no idea"), Step(content="still no idea"), "expected a JSON object"),
        (Step(content=""), Step(content="{}"), "expected an answer, got none"),
        (Step(refusal="I can't help"), Step(refusal="I can't help"), "the model refused"),
        (
            Step(content='{"colour": "pink", "is_red": 3, "tones": "x", "describe": ""}'),
            Step(content='{"colour": "pink", "is_red": 3, "tones": "x", "describe": ""}'),
            "expected one of red, green, blue",
        ),
    ],
    ids=["garbage-twice", "empty-then-empty-object", "refusal", "out-of-schema-twice"],
)
def test_unusable_answers_fail_with_a_reason_and_the_batch_goes_on(
    sqlite_database: Database,
    media: MediaStore,
    chat_server: ChatServer,
    first: Step,
    second: Step,
    reason: str,
) -> None:
    project = make_project(sqlite_database, media, ["red", "green"])
    chat_server.then(first, second)
    report = run(project, chat_server, config={"max_concurrency": 1})
    failed, ok = annotations(sqlite_database)
    assert failed.status == "failed" and failed.answers == {}
    assert reason in failed.qc[0]["reason"]
    assert failed.raw_response is not None
    assert ok.status == "submitted" and ok.answers["colour"] == "green"
    assert report.progress.failed == 1 and report.progress.done == 1


def test_a_rejected_image_fails_that_item_only(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    project = make_project(sqlite_database, media, ["red", "blue"])
    chat_server.then(Step(status=400, body={"error": {"message": "Invalid image data"}}))
    run(project, chat_server, config={"max_concurrency": 1})
    failed, ok = annotations(sqlite_database)
    assert failed.status == "failed" and "HTTP 400: Invalid image data" in failed.qc[0]["reason"]
    assert ok.answers["colour"] == "blue"


def test_an_image_is_refused_to_a_text_only_model_before_any_call(
    colour_project: Project, chat_server: ChatServer
) -> None:
    with pytest.raises(ConfigError, match="without vision"):
        run(colour_project, chat_server, config={"vision": False})
    assert chat_server.requests == []


def test_a_missing_key_says_which_variable_to_set(
    colour_project: Project, chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROWDLENS_TEST_MODEL_KEY", raising=False)
    with pytest.raises(ConfigError, match="export CROWDLENS_TEST_MODEL_KEY="):
        run(colour_project, chat_server, config={"api_key_env": "CROWDLENS_TEST_MODEL_KEY"})
    assert chat_server.requests == []


def test_a_refused_key_says_which_variable_to_fix(
    colour_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROWDLENS_TEST_MODEL_KEY", "wrong")
    with (
        ChatServer(api_key="right") as server,
        pytest.raises(ConfigError, match=r"HTTP 401.*CROWDLENS_TEST_MODEL_KEY"),
    ):
        run(colour_project, server, config={"api_key_env": "CROWDLENS_TEST_MODEL_KEY"})
    with ChatServer(api_key="right") as server:
        monkeypatch.setenv("CROWDLENS_TEST_MODEL_KEY", "right")
        report = run(colour_project, server, config={"api_key_env": "CROWDLENS_TEST_MODEL_KEY"})
    assert report.progress.done == 4


def test_an_unreachable_server_stops_the_job_with_a_fix(colour_project: Project) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {
        "backend": "openai", "model": "m", "api_key_env": None, "max_retries": 1,
        "backoff_base_s": 0.01, "base_url": f"http://127.0.0.1:{port}/v1",
    }  # fmt: skip
    with pytest.raises(ModelUnavailable, match="check that the server is running"):
        annotate_project(
            colour_project.database, colour_project.media, project="colours",
            annotator_config=settings,
        )  # fmt: skip
    with colour_project.database.session() as session:
        assert [j.status for j in session.scalars(select(Job))] == ["failed"]


def test_max_cost_stops_before_spending_more(
    colour_project: Project, chat_server: ChatServer
) -> None:
    report = run(colour_project, chat_server, max_cost=0.3, config={"max_concurrency": 1})
    assert report.status == "stopped" and report.progress.done == 2
    assert report.progress.stopped == 2
    with colour_project.database.session() as session:
        assert total_cost(session, project_id=1) == pytest.approx(0.28)
        assert [j.status for j in session.scalars(select(Job))] == ["stopped"]
    resumed = run(colour_project, chat_server)
    assert resumed.progress.done == 2 and len(chat_server.requests) == 4
    assert resumed.job_id == report.job_id
    with colour_project.database.session() as session:
        assert [(j.status, j.done) for j in session.scalars(select(Job))] == [("done", 4)]


def test_max_cost_zero_makes_no_call(colour_project: Project, chat_server: ChatServer) -> None:
    report = run(colour_project, chat_server, max_cost=0.0)
    assert report.progress.stopped == 4 and chat_server.requests == []


def test_estimate_projects_the_whole_job_from_a_sample(
    colour_project: Project, chat_server: ChatServer
) -> None:
    report = run(colour_project, chat_server, estimate=True, sample_size=2)
    assert report.estimate is not None
    assert report.estimate.sample_items == 2
    assert report.estimate.per_item_usd == pytest.approx(CALL_COST)
    assert report.estimate.projected_usd == pytest.approx(4 * CALL_COST)
    assert annotations(colour_project.database) == []
    run(colour_project, chat_server)
    assert len(chat_server.requests) == 4


def _two_colour_png() -> bytes:
    image = Image.new("RGB", (80, 40), COLOURS["red"])
    image.paste(COLOURS["blue"], (60, 0, 80, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_region_is_sent_as_a_crop(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    project = make_project(sqlite_database, media, [])
    data = _two_colour_png()
    key, _ = media.put(data, suffix=".png")
    with sqlite_database.session() as session:
        (item,) = add_items(session, project_id=1, rows=[{
            "sha256": sha256_hex(data), "media_key": key, "mime_type": "image/png",
            "width": 80, "height": 40, "byte_size": len(data), "source_name": "two.png",
        }])  # fmt: skip
        add_region(session, item_id=item.id, box=(60, 0, 20, 40))
        add_region(session, item_id=item.id, box=(0, 0, 60, 40))
    run(project, chat_server, regions=True, fields=["colour"])
    run(project, chat_server, fields=["colour"])
    by_region = {a.region_id: a.answers["colour"] for a in annotations(sqlite_database)}
    assert by_region == {1: "blue", 2: "red", None: "red"}


def test_images_are_shrunk_and_re_encoded(colour_project: Project, chat_server: ChatServer) -> None:
    run(colour_project, chat_server, limit=1, config={"max_image_side": 20})
    url = chat_server.requests[0]["messages"][1]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
        assert (image.format, image.size) == ("JPEG", (20, 15))


@pytest.mark.parametrize(
    ("strategy", "calls_per_item"),
    [("direct", 1), ("yes-no", 3), ("two-stage", 2)],
    ids=["direct", "yes-no", "two-stage"],
)
def test_tags_strategies(
    colour_project: Project, chat_server: ChatServer, strategy: str, calls_per_item: int
) -> None:
    run(colour_project, chat_server, fields=["tones"], config={"tags_strategy": strategy})
    stored = annotations(colour_project.database)
    assert [a.answers for a in stored] == [{"tones": [c]} for c in colour_project.colours.values()]
    assert len(chat_server.requests) == 4 * calls_per_item


def test_a_run_and_its_rerun_on_sqlite_and_postgresql(
    database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    project = make_project(database, media, ["blue", "red"])
    run(project, chat_server)
    with database.session() as session:
        session.execute(delete(Annotation))
    again = run(project, chat_server)
    stored = annotations(database)
    assert [a.answers["colour"] for a in stored] == ["blue", "red"]
    assert again.progress.cached == 2 and len(chat_server.requests) == 2
    with database.session() as session:
        assert total_cost(session, project_id=stored[0].project_id) == pytest.approx(2 * CALL_COST)


def test_ctrl_c_halfway_then_rerun_pays_nothing_twice(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    project = make_project(sqlite_database, media, ["red", "green", "blue", "red", "green", "blue"])

    def interrupt_after_two(progress: Any) -> None:
        if progress.done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(project, chat_server, progress=interrupt_after_two, config={"max_concurrency": 2})
    paid_before = len(chat_server.requests)
    with sqlite_database.session() as session:
        assert [j.status for j in session.scalars(select(Job))] == ["stopped"]
        assert total_cost(session, project_id=1) == pytest.approx(paid_before * CALL_COST)
    resumed = run(project, chat_server)
    stored = annotations(sqlite_database)
    assert len(stored) == 6 and len({a.item_id for a in stored}) == 6
    assert len(chat_server.requests) == 6, "every item was paid for exactly once"
    assert resumed.progress.cached == paid_before - 2
    with sqlite_database.session() as session:
        assert total_cost(session, project_id=1) == pytest.approx(6 * CALL_COST)
        assert [(j.status, j.done) for j in session.scalars(select(Job))] == [("done", 6)]


def test_two_stage_tagging_asks_each_group_then_checks_definitions(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    schema = parse_schema(
        {
            "name": "grouped",
            "fields": [
                {
                    "name": "tones",
                    "kind": "tags",
                    "groups": [
                        {"name": "warm", "labels": [{"name": "red", "definition": "Like blood."}]},
                        {"name": "cool", "labels": ["green", "blue"]},
                    ],
                }
            ],
        }
    )
    project = make_project(sqlite_database, media, ["blue", "red"], schema=schema)
    run(project, chat_server, config={"tags_strategy": "two-stage", "max_concurrency": 1})
    assert [a.answers for a in annotations(sqlite_database)] == [
        {"tones": ["blue"]},
        {"tones": ["red"]},
    ]
    assert len(chat_server.requests) == 2 * 3
    prompts = [body["messages"][1]["content"][0]["text"] for body in chat_server.requests]
    assert sum('("warm")' in p for p in prompts) == 2 and sum('("cool")' in p for p in prompts) == 2
    assert any('"red": Like blood.' in p for p in prompts)


def test_boxes_are_validated_and_a_wrong_label_is_repaired(
    sqlite_database: Database, media: MediaStore, chat_server: ChatServer
) -> None:
    schema = parse_schema(
        {"name": "pets", "fields": [{"name": "pets", "kind": "boxes", "classes": ["cat", "dog"]}]}
    )
    project = make_project(sqlite_database, media, ["red"], schema=schema)
    box = {"x": 1, "y": 2, "w": 10, "h": 5}
    chat_server.then(
        Step(content=json.dumps({"pets": [{**box, "label": "cow"}]})),
        Step(content=json.dumps({"pets": [{**box, "label": "dog"}]})),
    )
    run(project, chat_server)
    (stored,) = annotations(sqlite_database)
    assert stored.answers == {"pets": [{**box, "label": "dog"}]}
    sent = chat_server.requests[0]["response_format"]["json_schema"]["schema"]
    assert sent["properties"]["pets"]["items"]["properties"]["label"]["enum"] == ["cat", "dog"]
    assert "a box label in cat, dog" in chat_server.requests[1]["messages"][-1]["content"]
