"""Keywords, rewrite and merge against the local chat-completions server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from chat_server import ChatServer, Step

from conftest import png
from crowdlens.annotators.calls import CallFailed
from crowdlens.annotators.textutils import TextTools
from crowdlens.errors import ConfigError

WORDS = [f"word{i}" for i in range(10)]


def settings(server: ChatServer, **overrides: Any) -> dict[str, Any]:
    return {"model": "m", "base_url": server.base_url, "api_key_env": None, **overrides}


async def _use(server: ChatServer, tool: str, *args: Any, **kwargs: Any) -> Any:
    async with TextTools(settings(server, **kwargs.pop("config", {}))) as tools:
        return await getattr(tools, tool)(*args, **kwargs)


def test_keywords_sends_the_image_and_returns_ten(chat_server: ChatServer) -> None:
    chat_server.then(Step(content=json.dumps({"keywords": WORDS})))
    got = asyncio.run(_use(chat_server, "keywords", png((200, 0, 0))))
    assert got == WORDS
    (body,) = chat_server.requests
    assert body["messages"][1]["content"][1]["type"] == "image_url"
    assert "exactly 10 keywords" in body["messages"][1]["content"][0]["text"]


def test_too_few_keywords_are_asked_again(chat_server: ChatServer) -> None:
    chat_server.then(
        Step(content=json.dumps({"keywords": WORDS[:3]})),
        Step(content=json.dumps({"keywords": WORDS})),
    )
    assert asyncio.run(_use(chat_server, "keywords", png((0, 0, 200)))) == WORDS
    assert "expected 10 keywords, got 3" in chat_server.requests[1]["messages"][-1]["content"]


def test_rewrite_quotes_the_worker_text_without_an_image(chat_server: ChatServer) -> None:
    chat_server.then(Step(content='{"text": "A red car on a street."}'))
    got = asyncio.run(_use(chat_server, "rewrite", "um so like a red car, ok done recording"))
    assert got == "A red car on a street."
    prompt = chat_server.requests[0]["messages"][1]["content"][0]["text"]
    assert (
        "um so like a red car" in prompt
        and len(chat_server.requests[0]["messages"][1]["content"]) == 1
    )


def test_merge_lists_every_description(chat_server: ChatServer) -> None:
    chat_server.then(Step(content='```json\n{"text": "merged"}\n```'))
    got = asyncio.run(_use(chat_server, "merge", ["one cat", "a black cat", "cat on a mat"]))
    assert got == "merged"
    prompt = chat_server.requests[0]["messages"][1]["content"][0]["text"]
    assert all(part in prompt for part in ["Description 3:", "a black cat", "cat on a mat"])


def test_text_tools_fail_with_a_reason_after_one_repair(chat_server: ChatServer) -> None:
    chat_server.then(Step(content="nope"), Step(content='{"text": ""}'))
    with pytest.raises(CallFailed, match="rewrite: expected non-empty text"):
        asyncio.run(_use(chat_server, "rewrite", "text"))


def test_keywords_refused_for_a_text_only_model(chat_server: ChatServer) -> None:
    with pytest.raises(ConfigError, match="without vision"):
        asyncio.run(_use(chat_server, "keywords", png((0, 0, 0)), config={"vision": False}))
    assert chat_server.requests == []
