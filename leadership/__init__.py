"""Leadership Essentials: an e-learning course engine for councillors in England and Wales.

Flask is imported inside ``create_app`` so that ``leadership.content`` (the pure-Python
content engine) can be imported, tested and benchmarked without it.
"""
from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask


def create_app(test_config: dict | None = None) -> "Flask":
    """Application factory (public contract: ``flask --app leadership run``)."""
    from flask import Flask

    from .config import PROJECT_ROOT, load_config, settle_public_address

    app = Flask(
        __name__,
        instance_path=os.environ.get("LEADERSHIP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/assets",
    )
    load_config(app, test_config)
    settle_public_address(app)  # refuses to serve without PUBLIC_BASE_URL outside debug and testing
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from . import web

    web.init_app(app)
    return app
