"""The expert pool (专家库): bulk import from the spreadsheet, and the set-password invitation.

An imported expert is a portal.User with role expert, an unusable password and an ExpertProfile,
created together. Django's "forgot password" form skips users without a usable password, so each
new expert is sent a set-password link instead (administrators can resend it from the admin).
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal import credit_code, imports
from portal.messages import ref
from portal.models import ProjectCategory, User
from portal.models.users import Role
from portal.permissions import is_administrator, require
from portal.services import audit
from portal.services.notify import send_message
from scoring.models import ExpertProfile
from scoring.services.conflicts import detect_conflicts
from scoring.services.expert_sheet import COLUMN_NAMES, RowError, SheetError, read_rows

LIST_SEPARATORS = re.compile(r"[、，,；;/\n]+")
EMPLOYER_SEPARATORS = re.compile(r"[；;\n]+")
PHONE = re.compile(r"^\+?[0-9][0-9\- ()]{4,30}$")
LIMITS = {"name": 64, "work_unit": 128, "title": 64, "phone": 32, "email": 254}


@dataclass
class ImportReport:
    created: list = field(default_factory=list)  # ExpertProfile
    errors: list = field(default_factory=list)  # RowError, in row order

    @property
    def ok(self) -> bool:
        return not self.errors


def _check_row(number: int, row: dict, categories: dict, taken: set, seen: dict) -> tuple[dict, list]:
    errors = []

    def error(key, message):
        errors.append(RowError(number, COLUMN_NAMES[key], message))

    for key in ("name", "work_unit", "expertise", "email"):
        if not row[key]:
            error(key, _("必填。"))
    for key, limit in LIMITS.items():
        if len(row[key]) > limit:
            error(key, _("不能超过 %(n)d 个字符。") % {"n": limit})
    names = [n.strip() for n in LIST_SEPARATORS.split(row["expertise"]) if n.strip()]
    unknown = [n for n in names if n not in categories]
    if unknown:
        error("expertise", _("未知的项目类别“%(names)s”，可选：%(choices)s。")
              % {"names": "、".join(unknown), "choices": "、".join(categories)})
    email = row["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", _("邮箱格式不正确。"))
        else:
            try:
                User.username_validator(email)
            except ValidationError:
                error("email", _("该邮箱含有不能用作登录名的字符。"))
            if email in seen:
                error("email", _("与第 %(row)d 行的邮箱重复。") % {"row": seen[email]})
            elif email in taken:
                error("email", _("该邮箱已被平台其他账号使用。"))
            seen.setdefault(email, number)
    if row["phone"] and not PHONE.match(row["phone"]):
        error("phone", _("手机号码格式不正确。"))
    employers = [e.strip() for e in EMPLOYER_SEPARATORS.split(row["past_employers"]) if e.strip()]
    if any(len(e) > 128 for e in employers):
        error("past_employers", _("单位名称不能超过 128 个字符。"))
    code = credit_code.normalise(row["credit_code"])
    if code:
        try:
            credit_code.validate_credit_code(code)
        except ValidationError as invalid:
            error("credit_code", " ".join(invalid.messages))
    clean = {
        **row,
        "email": email,
        "expertise": [categories[n] for n in dict.fromkeys(names) if n in categories],
        "past_employers": "\n".join(employers),
        "credit_code": code,
    }
    return clean, errors


def _create(actor, row: dict, via: str) -> ExpertProfile:
    user = User(username=row["email"], email=row["email"], full_name=row["name"], phone=row["phone"],
                role=Role.EXPERT)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = ExpertProfile(user=user, work_unit=row["work_unit"], work_unit_credit_code=row["credit_code"],
                            title=row["title"], keywords=row["keywords"], past_employers=row["past_employers"])
    profile.full_clean()
    profile.save()
    profile.expertise.set(row["expertise"])
    changes = audit.diff({}, {**audit.snapshot(profile), "name": user.full_name, "email": user.email,
                              "phone": user.phone})
    changes.pop("user", None)
    audit.record(actor, "expert.create", profile, changes=changes, via=via)
    return profile


def import_experts(actor, file, *, via: str = "import") -> ImportReport:
    """Checks every row of the uploaded spreadsheet first; imports all of them, or none and reports
    each fault with its row and column."""
    require(is_administrator(actor))
    try:
        imports.check_xlsx(file)  # before openpyxl opens it: the real inflated size, measured
        rows = read_rows(file)
        imports.check_row_count(len(rows))
    except SheetError as error:
        return ImportReport(errors=error.errors)
    except imports.ImportRefused as refused:
        return ImportReport(errors=[RowError(None, "", str(refused))])
    categories = {c.name: c for c in ProjectCategory.objects.all()}
    emails = {row["email"].lower() for _number, row in rows if row["email"]}
    taken = set(
        User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True)
    ) | set(User.objects.annotate(u=Lower("username")).filter(u__in=emails).values_list("u", flat=True))
    report, checked, seen = ImportReport(), [], {}
    for number, row in rows:
        clean, errors = _check_row(number, row, categories, taken, seen)
        checked.append(clean)
        report.errors.extend(errors)
    if report.errors:
        return report
    with transaction.atomic():
        report.created = [_create(actor, row, via) for row in checked]
        for profile in report.created:
            send_invitation(profile.user)
            detect_conflicts(profile, actor=actor, via=via)
    return report


def set_password_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])


def send_invitation(user) -> None:
    """E-mails the set-password link once the transaction commits (not kept in the in-app feed:
    the link is a credential)."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    send_message([user.email], "expert.invitation", name=user.display_name, portal=ref("fragment.portal_name"),
                 username=user.username, days=days, link=set_password_link(user))
