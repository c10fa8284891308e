from flask import Blueprint

bp = Blueprint("learning", __name__, url_prefix="/courses")

from . import views  # noqa: E402,F401
