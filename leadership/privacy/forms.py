from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovSubmitInput
from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from ..forms import BaseForm, max_length


class DeleteAccountForm(BaseForm):
    confirm = BooleanField(_l("I understand that deleting my account cannot be undone and my certificates "
                              "will be withdrawn"), widget=GovCheckboxInput(),
                           validators=[DataRequired(message=_l("Confirm that you understand what will happen"))])
    password = PasswordField(_l("Your password"), widget=GovPasswordInput(),
                             validators=[InputRequired(message=_l("Enter your password")), max_length(256)])
    submit = SubmitField(_l("Delete my account"), widget=GovSubmitInput())
