from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import BaseForm, EmptyForm  # noqa: F401  (one EmptyForm, re-exported)


class IssueOneForm(BaseForm):
    enrolment_id = IntegerField(_l("Participant"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for issuing"), validators=[Optional(), Length(max=500)])


class RevokeForm(BaseForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=500)])


class ReissueForm(BaseForm):
    name = StringField(_l("Name as it should be printed"),
                       validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("What was corrected"), validators=[DataRequired(), Length(max=500)])


class CertificateNameForm(BaseForm):
    name = StringField(_l("Your name as it will be printed"),
                       validators=[DataRequired(), Length(max=200)],
                       render_kw={"dir": "auto", "autocomplete": "name", "spellcheck": "false"})


class BulkRevokeForm(BaseForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=500)])


class StatementForm(BaseForm):
    statement_id = TextAreaField(_l("Statement in Indonesian"), validators=[Length(max=300)])
    statement_en = TextAreaField(_l("Statement in English"), validators=[Length(max=300)])


class SignatoryForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role_id = StringField(_l("Role in Indonesian"), validators=[Length(max=200)])
    role_en = StringField(_l("Role in English"), validators=[Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    signature = FileField(_l("Signature image (optional)"))


class SignatureForm(BaseForm):
    signature = FileField(_l("Signature image"))


class LogoForm(BaseForm):
    organisation_id = HiddenField()
    logo = FileField(_l("Logo"))


class VerifyForm(BaseForm):
    class Meta:
        csrf = False

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=64)],
                       render_kw={"autocomplete": "off", "spellcheck": "false",
                                  "autocapitalize": "characters"})
