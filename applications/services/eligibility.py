"""Eligibility warnings (seed 001 申报条件 2): a project already honoured at district or municipal
level, or already submitted to the same year's municipal programme, is not accepted again.

These are warnings, not refusals: project names drift between years and only a person can tell
whether two names mean the same project. Shown to the applicant and the administrator.

"Already honoured" reads the published awards (awards.Award, first to third prize, in a programme
whose results are published) of earlier applications with a similar name.
"""

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from portal.models.programmes import Level, ProgrammeStatus

from ..models import Application, ApplicationStatus

SIMILARITY = 0.8


@dataclass(frozen=True)
class EligibilityWarning:
    message: str
    other: Application


def normalise_name(name: str) -> str:
    """Project names compared without spaces, punctuation or symbols, full-width folded, lower case."""
    folded = unicodedata.normalize("NFKC", name or "").lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def similar_names(a: str, b: str) -> bool:
    a, b = normalise_name(a), normalise_name(b)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= SIMILARITY


def eligibility_warnings(application: Application) -> list[EligibilityWarning]:
    programme = application.programme
    # Names first (a light query, run on every view of the form); the rows with their programme and
    # award only for the rare similar name.
    names = (
        Application.objects.filter(organisation_id=application.organisation_id, programme__year__lte=programme.year)
        .exclude(pk=application.pk)
        .exclude(status=ApplicationStatus.DRAFT)
        .values_list("pk", "project_name")
    )
    similar = [pk for pk, name in names if similar_names(application.project_name, name)]
    if not similar:
        return []
    others = Application.objects.filter(pk__in=similar).select_related("programme", "award")
    warnings = []
    for other in others:
        if not similar_names(application.project_name, other.project_name):
            continue
        theirs = other.programme
        if theirs.year == programme.year and theirs.level == Level.MUNICIPAL and theirs.pk != programme.pk:
            message = _(
                "本单位已将相似项目“%(name)s”申报至同年度市级批次“%(programme)s”；"
                "已申报同年度市级项目的，本批次不再受理。"
            )
        elif theirs.year < programme.year and _honoured(other):
            message = _(
                "本单位的相似项目“%(name)s”已于%(year)d年获表彰（%(programme)s）；"
                "已获区级或市级重点产品质量攻关表彰的项目不再受理，请确认。"
            )
        else:
            continue
        warnings.append(EligibilityWarning(
            message % {"name": other.project_name, "programme": theirs.title, "year": theirs.year}, other
        ))
    return warnings


def _honoured(application: Application) -> bool:
    """A first, second or third prize in a programme whose results are published."""
    award = getattr(application, "award", None)  # awards.Award, the reverse one-to-one (may be absent)
    published = application.programme.status in (ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED)
    return bool(award is not None and award.is_awarded and published)
