"""The web face: worker pages, the admin dashboard and the REST API, built by ``create_app``."""

from crowdlens.web.app import create_app
from crowdlens.web.state import WebOptions

__all__ = ["WebOptions", "create_app"]
