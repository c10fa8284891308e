from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from ..forms import BaseForm, max_length


class NameCorrectionForm(BaseForm):
    requested_name = StringField(
        _l("Name as it should appear on the certificate"), widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the name as it should appear on the certificate")), max_length(200)])
    reason = TextAreaField(
        _l("Why does the name need correcting?"), widget=GovTextArea(),
        description=_l("For example, a spelling mistake, or the name you use has changed."),
        validators=[DataRequired(_l("Enter why the name needs correcting")), max_length(1000)])
    submit = SubmitField(_l("Ask for the correction"), widget=GovSubmitInput())


class RevokeForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for revoking"), widget=GovTextArea(),
        description=_l("Kept in the audit log. The public verification page only says the certificate was revoked."),
        validators=[DataRequired(_l("Enter the reason for revoking this certificate")), max_length(500)])
    confirm = BooleanField(
        _l("I understand that revoking cannot be undone"), widget=GovCheckboxInput(),
        validators=[InputRequired(_l("Confirm that you understand revoking cannot be undone"))])
    submit = SubmitField(_l("Revoke certificate"), widget=GovSubmitInput())


class DecisionForm(BaseForm):
    """CSRF only: approve or reject is the button pressed."""
