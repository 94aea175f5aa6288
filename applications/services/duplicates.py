"""Duplicate detection by content (疑似重复), seed 001: a project already honoured, or already submitted
to the same year's municipal programme, is not accepted again — whatever its title now says.

On submission an application's project name and narrative sections are fingerprinted (MinHash of
3-character shingles, applications.duplicates_index) and compared with every submitted application
of the same, previous and next year, of every programme and level, and with every published award;
LSH proposes candidates, the exact Jaccard of the shingle sets decides against the threshold
(settings.DUPLICATE_SIMILARITY_THRESHOLD). A pair found is a DuplicateCandidate for a person to look
at; a pair marked "not a duplicate" (with a reason, audited) is never raised again.
"""

import logging
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import ProgrammeStatus
from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError, InvalidTransition

from .. import duplicates_index as index_module
from ..duplicates_index import CONTENT_FIELDS, content_text, digest, jaccard, normalise, shingle_codes, signature
from ..duplicates_passages import labelled, matching_passages, swapped
from ..models import Application, ApplicationFingerprint, ApplicationStatus, DuplicateCandidate, DuplicateStatus
from ..permissions import may_dismiss
from ..visibility import applications_for, duplicates_for

logger = logging.getLogger(__name__)
REASON_LIMIT = 500
# A candidate whose MinHash estimate is this far below the threshold is not worth reading its text
# (128 permutations: the estimate's standard error is at most 0.045).
ESTIMATE_MARGIN = 0.15
# A prize in a published programme (awards.models.awards.AWARDED_TIERS, awards.permissions.PUBLIC_STATUSES:
# named here because applications may not import the later step, as in services.eligibility).
AWARDED_TIERS = ("first", "second", "third")
PUBLISHED = (ProgrammeStatus.PUBLISHED, ProgrammeStatus.CLOSED)
PREVIEW = 3  # passages shown in the review page's panel; the comparison page has them all


def _values(app: Application) -> dict:
    return {name: getattr(app, name) for name in CONTENT_FIELDS}


@dataclass(frozen=True)
class Fingerprint:
    codes: np.ndarray  # the distinct shingles, for the exact Jaccard
    minhash: object  # datasketch LeanMinHash
    digest: str

    def row(self, application_id: int) -> ApplicationFingerprint:
        return ApplicationFingerprint(application_id=application_id, hashvalues=index_module.to_bytes(self.minhash),
                                      digest=self.digest, shingle_count=len(self.codes))


def compute(values: dict) -> Fingerprint:
    normalised = normalise(content_text(values))
    codes = shingle_codes(normalised)
    return Fingerprint(codes, signature(codes), digest(normalised))


def fingerprint(app: Application) -> Fingerprint:
    """Computes the application's signature and stores it (unchanged content: no write)."""
    found = compute(_values(app))
    stored = ApplicationFingerprint.objects.filter(application=app).values_list("digest", flat=True).first()
    if stored != found.digest:
        row = found.row(app.pk)
        ApplicationFingerprint.objects.update_or_create(application=app, defaults={
            "hashvalues": row.hashvalues, "digest": row.digest, "shingle_count": row.shingle_count})
    return found


def store_many(rows: list[ApplicationFingerprint]) -> None:
    """Upserts many signatures in one statement (the rebuild command)."""
    ApplicationFingerprint.objects.bulk_create(rows, update_conflicts=True, unique_fields=["application"],
                                               update_fields=["hashvalues", "digest", "shingle_count", "updated_at"])


def comparable(app: Application):
    """What ``app`` is compared with: every other past-draft application of the same, previous or
    next year (the pair is the same seen from either side), and any published award; an application
    holding a published award is compared with every year."""
    others = Application.objects.exclude(pk=app.pk).exclude(status=ApplicationStatus.DRAFT)
    awarded = awarded_q()
    if Application.objects.filter(awarded, pk=app.pk).exists():
        return others
    year = app.programme.year
    return others.filter(Q(programme__year__gte=year - 1, programme__year__lte=year + 1) | awarded)


def check_application(app: Application) -> list[DuplicateCandidate]:
    """Fingerprints ``app`` and records its open suspected duplicates; returns them, closest first."""
    # Only what is compared (the many decimal columns cost more to load than the comparison).
    app = Application.objects.select_related("programme").only(
        "status", "programme__year", "programme__status", *CONTENT_FIELDS).get(pk=app.pk)
    found_print = fingerprint(app)
    codes = found_print.codes
    index = index_module.get_index()
    index.put(app.pk, found_print.digest, found_print.minhash)
    limit = index.limit
    keys = set(index.candidates(found_print.minhash, floor=limit - ESTIMATE_MARGIN)) - {app.pk}
    pairs = DuplicateCandidate.objects.filter(Q(a=app) | Q(b=app))
    known = {pair.other(app.pk): pair for pair in pairs}
    keys |= {other for other, pair in known.items() if pair.status == DuplicateStatus.OPEN}
    mine = _values(app)
    found = []
    for row in comparable(app).filter(pk__in=keys).values("pk", *CONTENT_FIELDS).iterator(chunk_size=200):
        similarity, containment = jaccard(codes, shingle_codes(normalise(content_text(row))))
        pair = known.get(row["pk"])
        if similarity < limit:
            if pair is not None and pair.status == DuplicateStatus.OPEN:
                pair.delete()  # the text changed since: an undecided machine finding, nothing to keep
            continue
        if pair is not None and pair.status == DuplicateStatus.DISMISSED:
            continue  # a person decided: not raised again
        found.append(_record(app.pk, row, mine, pair, similarity, containment))
    found.sort(key=lambda pair: -pair.similarity)
    return found


def _record(app_pk, row, mine, pair, similarity, containment) -> DuplicateCandidate:
    passages = matching_passages(mine, row)
    a_id, b_id = sorted((app_pk, row["pk"]))
    if a_id != app_pk:
        passages = swapped(passages)  # stored from a's side
    values = {"similarity": round(similarity, 4), "containment": round(containment, 4), "passages": passages}
    if pair is None:
        pair, _created = DuplicateCandidate.objects.update_or_create(a_id=a_id, b_id=b_id, defaults=values)
        return pair
    for name, value in values.items():
        setattr(pair, name, value)
    pair.save(update_fields=[*values, "updated_at"])
    return pair


def on_submitted(app: Application) -> None:
    """The submission's hook. The signature is stored with the submission; the search runs once it is
    committed, so of two copies submitted at the same moment the later search sees the earlier one.
    A failure here never refuses a submission (it is logged; ``rebuild_duplicate_index --scan``
    catches up)."""
    pk = app.pk
    try:
        with transaction.atomic():
            fingerprint(app)
    except Exception:  # a side finding must not block the procedure
        logger.exception("duplicate fingerprint failed for application %s", pk)
    transaction.on_commit(lambda: _check_safely(pk))


def _check_safely(pk: int) -> None:
    try:
        with transaction.atomic():
            check_application(Application(pk=pk))
    except Exception:  # after the commit: the submission stands whatever happens here
        logger.exception("duplicate check failed for application %s", pk)


def refresh_after_edit(app: Application) -> None:
    """For paths that change a submitted application's content outside submission (the Django admin)."""
    if app.status != ApplicationStatus.DRAFT:
        on_submitted(app)


# ---- decisions --------------------------------------------------------------------------------------


@transaction.atomic
def dismiss(actor, pair: DuplicateCandidate, reason: str, *, via: str = "web") -> DuplicateCandidate:
    """Marks a pair "not a duplicate" (非重复) with the reason; audited in both applications' programmes."""
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("请填写理由，说明两份申报为何不是同一项目。"))
    if len(text) > REASON_LIMIT:
        raise DomainError(_("理由不能超过%(n)d字。") % {"n": REASON_LIMIT})
    pair = DuplicateCandidate.objects.select_for_update().select_related("a", "b").get(pk=pair.pk)
    require(may_dismiss(actor, pair))
    if pair.status != DuplicateStatus.OPEN:
        raise InvalidTransition(_("该疑似重复已核实，无需重复操作。"))
    pair.status, pair.reason = DuplicateStatus.DISMISSED, text
    pair.dismissed_by, pair.dismissed_at = actor, timezone.now()
    pair.save(update_fields=["status", "reason", "dismissed_by", "dismissed_at", "updated_at"])
    for programme_id in dict.fromkeys((pair.a.programme_id, pair.b.programme_id)):
        audit.record(actor, "duplicate.dismiss", pair, programme=programme_id, via=via, note=text,
                     changes={"status": [DuplicateStatus.OPEN, DuplicateStatus.DISMISSED],
                              "applications": [pair.a_id, pair.b_id]})
    return pair


# ---- what a reviewer is shown -----------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateEntry:
    """One suspected duplicate of ``application`` as ``user`` may see it: ``other`` is None when the
    other application is not theirs to see (then only its year, level and channel are told), and
    ``award`` the other's published award (public anyway)."""

    pair: DuplicateCandidate
    other: Application | None
    year: int
    level: str
    same_programme: bool
    same_channel: bool
    award: object
    passages: list

    @property
    def percent(self) -> int:
        return round(self.pair.similarity * 100)

    @property
    def preview(self) -> list:
        """A few passages for the panel: the project's own sections before its name and the
        organisation's introduction (shared by every project of one enterprise)."""
        return sorted(self.passages, key=lambda p: p["a_field"] in ("project_name", "org_intro"))[:PREVIEW]


def duplicate_entries(user, application: Application) -> list[DuplicateEntry]:
    """What the review page's panel shows: the open suspected duplicates of ``application`` that
    ``user`` may know of (visibility.duplicates_for), closest first, each told as far as ``user``
    may read the other application (visibility.applications_for)."""
    pairs = list(duplicates_for(user).filter(Q(a=application) | Q(b=application)).order_by("-similarity", "pk"))
    if not pairs:
        return []
    other_ids = [pair.other(application.pk) for pair in pairs]
    visible = set(applications_for(user).filter(pk__in=other_ids).values_list("pk", flat=True))
    others = Application.objects.select_related("programme", "organisation", "recommender").in_bulk(other_ids)
    awards = _public_awards(other_ids)
    entries = []
    for pair in pairs:
        other = others[pair.other(application.pk)]
        shown = other.pk in visible
        passages = pair.passages if pair.a_id == application.pk else swapped(pair.passages)
        entries.append(DuplicateEntry(
            pair=pair, other=other if shown else None, year=other.programme.year,
            level=other.programme.get_level_display(), same_programme=other.programme_id == application.programme_id,
            same_channel=(other.recommender_id == application.recommender_id
                          and other.self_declared == application.self_declared),
            award=awards.get(other.pk), passages=labelled(passages) if shown else [],
        ))
    return entries


def _public_awards(application_ids) -> dict:
    """awards.Award rows (reached by the reverse relation: applications does not import awards) of
    the applications that won a prize in a published programme: public facts anyway."""
    rows = Application.objects.filter(awarded_q(), pk__in=application_ids).select_related("award__programme")
    return {app.pk: app.award for app in rows}


def awarded_q() -> Q:
    return Q(award__tier__in=AWARDED_TIERS, award__programme__status__in=PUBLISHED)
