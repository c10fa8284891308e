from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..forms import BaseForm


class IssueTokenForm(BaseForm):
    name = StringField(_l("Name of the token"), widget=GovTextInput(),
                       description=_l("Say who or what will use it, for example “LGA CRM nightly pull”."),
                       validators=[InputRequired(message=_l("Enter a name for the token")),
                                   Length(max=100, message=_l("Name must be 100 characters or fewer"))])
    council = SelectField(_l("Which councils it can read"), widget=GovSelect(), validate_choice=True)
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())


class RevokeTokenForm(BaseForm):
    submit = SubmitField(_l("Revoke"), widget=GovSubmitInput())
