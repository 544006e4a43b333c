"""Forms of the modules area."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from ..forms import BaseForm


class UploadForm(BaseForm):
    file = FileField(_l("Module ZIP file"), validators=[
        FileRequired(_l("Choose a ZIP file.")),
        FileAllowed(["zip"], _l("The file must be a .zip archive."))])
