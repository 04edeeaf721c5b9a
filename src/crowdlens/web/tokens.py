"""Signed tokens: a worker's assignment link and the admin session, both unforgeable.

A worker's link carries the assignment and annotator ids signed with the app's key, so a
worker can open only their own assignment, even inside an MTurk iframe where cookies fail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from crowdlens.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class AssignmentRef:
    assignment_id: int
    annotator_id: int


def assignment_token(secret: str, ref: AssignmentRef) -> str:
    serializer = URLSafeSerializer(secret, salt="assignment")
    return str(serializer.dumps([ref.assignment_id, ref.annotator_id]))


def read_assignment_token(secret: str, token: str) -> AssignmentRef:
    """The assignment a link points to; a forged or mangled link is :class:`Forbidden`."""
    try:
        data = URLSafeSerializer(secret, salt="assignment").loads(token)
    except BadSignature:
        raise Forbidden(
            "expected a task link made by this server, got one that does not check out; "
            "open the link from your task page again"
        ) from None
    return AssignmentRef(int(data[0]), int(data[1]))


def sign_start(secret: str, params: dict[str, str]) -> str:
    """Binds the start form to the worker identity shown on the consent page."""
    return str(URLSafeTimedSerializer(secret, salt="start").dumps(params))


def read_start(secret: str, token: str, *, max_age: int = 24 * 3600) -> dict[str, str]:
    try:
        data: Any = URLSafeTimedSerializer(secret, salt="start").loads(token, max_age=max_age)
    except BadSignature:
        raise Forbidden(
            "expected the start form of this server, got a forged or stale one; "
            "open your task link again"
        ) from None
    return {str(k): str(v) for k, v in dict(data).items()}


@dataclass(frozen=True)
class AdminSession:
    sid: str
    csrf: str


def new_admin_session() -> AdminSession:
    return AdminSession(secrets.token_urlsafe(16), secrets.token_urlsafe(24))


def dump_admin_session(secret: str, session: AdminSession) -> str:
    serializer = URLSafeTimedSerializer(secret, salt="admin-session")
    return str(serializer.dumps({"sid": session.sid, "csrf": session.csrf}))


def load_admin_session(secret: str, cookie: str | None, *, max_age: int) -> AdminSession:
    if not cookie:
        raise Unauthorized("expected an admin session, got none; log in at /admin/login")
    try:
        data = URLSafeTimedSerializer(secret, salt="admin-session").loads(cookie, max_age=max_age)
    except BadSignature:
        raise Unauthorized(
            "expected a valid admin session, got an expired or forged one; log in again"
        ) from None
    return AdminSession(str(data["sid"]), str(data["csrf"]))
