"""Shared form pieces: GOV.UK widgets and a base form that switches off browser validation."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Length


class BaseForm(FlaskForm):
    """All forms: CSRF from Flask-WTF; messages shown with the GOV.UK error summary."""


def max_length(n: int):
    from flask_babel import lazy_gettext as _l

    return Length(max=n, message=_l("Must be %(n)d characters or fewer", n=n))
