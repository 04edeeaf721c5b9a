"""One exception tree for the whole library.

Library code raises these and never prints or exits; the CLI turns them into a one-line
message and an exit code, the web API into a status code with a JSON body. Every message
says what was expected and how to fix it.
"""

from __future__ import annotations


class CrowdlensError(Exception):
    """Base of every error crowdlens raises on purpose."""

    #: HTTP status the web layer answers with when this error escapes a handler.
    status_code = 400


class ConfigError(CrowdlensError):
    """Settings or a configuration file that cannot be used as given."""


class SchemaError(ConfigError):
    """A project YAML that does not describe a valid label schema."""


class AnswerInvalid(CrowdlensError):
    """Answers that do not fit the project's label schema."""

    status_code = 422


class NotFound(CrowdlensError):
    """A project, item or other record that does not exist."""

    status_code = 404


class Conflict(CrowdlensError):
    """A record that already exists or a state change that is not allowed now."""

    status_code = 409


class StoreUnavailable(CrowdlensError):
    """The database cannot be reached or opened."""

    status_code = 503


class ImageRejected(CrowdlensError):
    """An image file that crowdlens refuses to import; the message is the reason."""

    status_code = 422


class ModelUnavailable(CrowdlensError):
    """A model server that cannot be reached, or that refuses every request."""

    status_code = 503


class Unauthorized(CrowdlensError):
    """A request without valid credentials (admin password, session or API token)."""

    status_code = 401


class Forbidden(CrowdlensError):
    """A request that is understood but not allowed (a blocked worker, someone else's work)."""

    status_code = 403


class Gone(CrowdlensError):
    """Work that no longer exists for this worker, such as an expired lease."""

    status_code = 410


class PayloadTooLarge(CrowdlensError):
    """A request body or uploaded file over the configured limit."""

    status_code = 413


class RateLimited(CrowdlensError):
    """Too many requests in a short time; the message says when to try again."""

    status_code = 429
