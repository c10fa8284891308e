from __future__ import annotations

from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]
from flask_wtf.file import FileField  # type: ignore[import-untyped]
from govuk_frontend_wtf.wtforms_widgets import (  # type: ignore[import-untyped]
    GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField  # type: ignore[import-untyped]
from wtforms.fields.choices import SelectChoice  # type: ignore[import-untyped]
from wtforms.validators import DataRequired, InputRequired, Regexp  # type: ignore[import-untyped]

from ..forms import BaseForm, max_length


class EditForm(BaseForm):
    source = TextAreaField(_l("Module Markdown"), widget=GovTextArea(), validators=[InputRequired(_l("Enter the module text")), max_length(500_000)])
    lock_version = HiddenField(default="0")
    base_version = HiddenField(default="")
    preview = SubmitField(_l("Preview"), widget=GovSubmitInput())
    save = SubmitField(_l("Save draft"), widget=GovSubmitInput())


class PublishForm(BaseForm):
    kind = RadioField(
        _l("What kind of change is this?"), widget=GovRadioInput(),
        choices=[SelectChoice("minor", _l("Minor: wording or typos. Completions and certificates stand.")),
                 SelectChoice("major", _l("Major: learners who completed the module are asked to review the changed pages, "
                              "and to retake the quiz if it changed. Certificates already earned stand."))],
        validators=[InputRequired(_l("Choose whether this is a minor or a major change"))])
    note = TextAreaField(_l("Change note"), widget=GovTextArea(),
                         description=_l("Say what changed and why. Other trainers see this in the version history."),
                         validators=[DataRequired(_l("Enter a change note")), max_length(2000)])
    lock_version = HiddenField()
    submit = SubmitField(_l("Publish"), widget=GovSubmitInput())


class RollbackForm(PublishForm):
    submit = SubmitField(_l("Roll back to this version"), widget=GovSubmitInput())


class NewModuleForm(BaseForm):
    title = StringField(_l("Title"), widget=GovTextInput(),
                        validators=[DataRequired(_l("Enter a title")), max_length(120)])
    slug = StringField(_l("Slug"), widget=GovTextInput(),
                       description=_l("Used in web addresses: lowercase letters, digits and hyphens, like data-sharing."),
                       validators=[DataRequired(_l("Enter a slug")), max_length(80),
                                   Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                                          message=_l("Use lowercase letters, digits and hyphens only, like data-sharing"))])
    submit = SubmitField(_l("Create module"), widget=GovSubmitInput())


class GiftForm(BaseForm):
    file = FileField(_l("GIFT file"), widget=GovFileInput(),
                     description=_l("A Moodle question bank exported in GIFT format (a .txt or .gift file)."))
    text = TextAreaField(_l("Or paste GIFT text"), widget=GovTextArea(), validators=[max_length(500_000)])
    lock_version = HiddenField()
    submit = SubmitField(_l("Import questions into the draft"), widget=GovSubmitInput())


class ImageForm(BaseForm):
    image = FileField(_l("Image"), widget=GovFileInput(),
                      description=_l("PNG, JPEG or SVG, smaller than 1 MB."))
    alt = StringField(_l("Alt text"), widget=GovTextInput(),
                      description=_l("Describe the image for people who cannot see it."),
                      validators=[DataRequired(_l("Enter alt text that describes the image")), max_length(300)])
    submit = SubmitField(_l("Upload image"), widget=GovSubmitInput())
