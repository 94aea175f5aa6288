"""Unified social credit code (统一社会信用代码), GB 32100—2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V); the last one
is a check character computed from the first 17 with fixed weights, modulo 31.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def normalise(raw: str) -> str:
    """What a person meant: spaces (also full-width) removed, letters upper-cased."""
    return "".join((raw or "").split()).replace("\u3000", "").upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def with_check_character(first17: str) -> str:
    """Completes 17 characters into a valid code (used by demo data and tests)."""
    return first17 + check_character(first17)


def validate_credit_code(code: str) -> None:
    """Refuses anything but a well-formed code with the right check character, saying why."""
    if len(code) != LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。"),
            code="length",
            params={"n": len(code)},
        )
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符“%(chars)s”（仅限数字和除I、O、Z、S、V以外的大写字母）。"
              ),
            code="charset",
            params={"chars": "".join(dict.fromkeys(bad))},
        )
    if code[-1] != check_character(code[:17]):
        raise ValidationError(
            _("统一社会信用代码校验位错误，请核对后重新输入。"),
            code="check_digit",
        )
