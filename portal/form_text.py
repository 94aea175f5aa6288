"""What every form does to what people type, before any other check.

- Text: ``clean_text`` (portal.text) runs before a CharField's own ``to_python``, so before its
  length validators: a line break typed in a browser arrives as ``\\r\\n`` and counts as one
  character, and a vertical tab pasted from Word is a line break, never a stored control character
  that later stops an export. Password fields are left exactly as typed (never stored as text,
  and the login form must compare the same string).
- Dates: a date outside 1900–2100 (a typo such as 0001 or 9999) is refused with a clear message;
  forms about the past add ``validate_not_future`` to their date fields.

Every form of the project inherits ``CleanInputMixin`` (``CleanForm`` / ``CleanModelForm``);
tests/system/test_bad_input.py fails for a form class that does not.
"""

import datetime
from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.text import clean_text

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def validate_date_range(value):
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("日期须在%(start)s至%(end)s之间，请检查年份。"),
            code="date_range", params={"start": EARLIEST_DATE.isoformat(), "end": LATEST_DATE.isoformat()},
        )


def validate_not_future(value):
    """For dates of what has already happened (a project's completion, a signature)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("该日期不能晚于今天。"), code="date_future")


def is_password(field) -> bool:
    return isinstance(field.widget, forms.PasswordInput)


def _clean_first(to_python):
    @wraps(to_python)
    def wrapped(value):
        return to_python(clean_text(value))

    wrapped.cleans_text = True
    return wrapped


def prepare_field(field) -> None:
    """Adds the text normalisation and the date range to one field (once)."""
    if isinstance(field, forms.CharField) and not is_password(field):
        if not getattr(field.to_python, "cleans_text", False):
            field.to_python = _clean_first(field.to_python)
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        if validate_date_range not in field.validators:
            field.validators.append(validate_date_range)


class CleanInputMixin:
    """Normalises text and checks date ranges of every field, including fields a form adds in its
    own ``__init__``: the fields are prepared at validation time, just before they clean."""

    def full_clean(self):
        for field in self.fields.values():
            prepare_field(field)
        super().full_clean()


class CleanForm(CleanInputMixin, forms.Form):
    pass


class CleanModelForm(CleanInputMixin, forms.ModelForm):
    pass
