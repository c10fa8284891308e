"""The floor: a minimal Flask app in the same process model as the real one.

It answers every GET and POST with ``FLOOR_BYTES`` bytes of HTML (set to the size
of the module page being compared), so the ratio page/floor shows what the
application itself costs on top of gunicorn + Werkzeug + Flask.
"""
from __future__ import annotations

import os

from flask import Flask, Response


def create_app() -> Flask:
    app = Flask(__name__)
    size = int(os.environ.get("FLOOR_BYTES", "20000"))
    body = (b"<!DOCTYPE html><html><body>" + b"x" * size)[:size]

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def anything(path):
        return Response(body, mimetype="text/html")

    return app
