from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from ..forms import BaseForm, max_length


class GovEmailInput(GovTextInput):
    input_type = "email"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        widget=GovEmailInput(),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter your email address")),
                    Email(message=_l("Enter an email address in the correct format, like name@example.com"),
                          check_deliverability=False),
                    max_length(254)],
    )


class RegisterForm(BaseForm):
    name = StringField(_l("Full name"), widget=GovTextInput(), filters=[_strip],
                       description=_l("As you would like it to appear on your certificate"),
                       validators=[DataRequired(message=_l("Enter your full name")), max_length(200)])
    email = _email_field()
    council = StringField(_l("Your council"), widget=GovTextInput(),
                          description=_l("Start typing the name of the council you are a member of"),
                          validators=[DataRequired(message=_l("Enter the name of your council")), max_length(200)])
    council_code = RadioField(_l("Which council do you mean?"), widget=GovRadioInput(), choices=[],
                              validate_choice=False)
    password = PasswordField(_l("Create a password"), widget=GovPasswordInput(),
                             description=_l("At least 10 characters. Three random words work well"),
                             validators=[DataRequired(message=_l("Enter a password")), max_length(256)])
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class SignInForm(BaseForm):
    email = _email_field()
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[DataRequired(message=_l("Enter your password")), max_length(256)])
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class EmailOnlyForm(BaseForm):
    email = _email_field()
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class NewPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), widget=GovPasswordInput(),
                             description=_l("At least 10 characters. Three random words work well"),
                             validators=[DataRequired(message=_l("Enter a new password")), max_length(256)])
    submit = SubmitField(_l("Save password"), widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), widget=GovPasswordInput(),
                                     validators=[InputRequired(message=_l("Enter your current password")),
                                                 max_length(256)])


class ProfileForm(BaseForm):
    name = StringField(_l("Full name"), widget=GovTextInput(),
                       validators=[DataRequired(message=_l("Enter your full name")), max_length(200)])
    email = _email_field()
    current_password = PasswordField(_l("Current password"), widget=GovPasswordInput(),
                                     description=_l("Only needed if you change your email address"),
                                     validators=[Optional(), max_length(256)])
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class TwoFactorForm(BaseForm):
    code = StringField(_l("Security code"), widget=GovTextInput(), filters=[_strip],
                       description=_l("The 6-digit code from your authenticator app, or one of your recovery codes"),
                       render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
                       validators=[DataRequired(message=_l("Enter the security code")), max_length(20)])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class SetUpTwoFactorForm(BaseForm):
    code = StringField(_l("Security code"), widget=GovTextInput(), filters=[_strip],
                       description=_l("The 6-digit code your authenticator app shows now"),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
                       validators=[DataRequired(message=_l("Enter the 6-digit code from your app")), max_length(20)])
    # Asked for when a signed-in user sets up (or replaces) an authenticator: a stolen session
    # must not be enough to rebind the second factor (pen test F5).
    password = PasswordField(_l("Your password"), widget=GovPasswordInput(),
                             validators=[Optional(), max_length(256)])
    submit = SubmitField(_l("Turn on two-step verification"), widget=GovSubmitInput())


class PasswordConfirmForm(BaseForm):
    password = PasswordField(_l("Your password"), widget=GovPasswordInput(),
                             validators=[InputRequired(message=_l("Enter your password")), max_length(256)])
    submit = SubmitField(_l("Turn off two-step verification"), widget=GovSubmitInput())


class NewRecoveryCodesForm(BaseForm):
    code = StringField(_l("Security code"), widget=GovTextInput(), filters=[_strip],
                       description=_l("The 6-digit code your authenticator app shows now"),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
                       validators=[DataRequired(message=_l("Enter the 6-digit code from your app")), max_length(20)])
    submit = SubmitField(_l("Get new recovery codes"), widget=GovSubmitInput())
