"""Background jobs of the awards app, registered by ``register_all()`` from AwardsConfig.ready().
Each can_request predicate reuses awards.visibility / awards.permissions, so a job never hands out
what a page would not."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import jobs
from portal.filenames import file_name
from portal.models import Programme
from portal.permissions import deny

from .models import Award
from .permissions import is_approved, may_get_certificate, may_see_report, may_view_scores
from .services import certificates, exports, report
from .services.pdf import render_pdf
from .visibility import determined_programmes_for, report_programmes_for

NOT_FOUND = _("找不到该批次。")


def _programme(queryset, params):
    try:
        return queryset.filter(pk=int(params.get("programme_id"))).first()
    except (TypeError, ValueError):
        return None


def _administered(user, params):
    programme = _programme(determined_programmes_for(user), params)
    return may_view_scores(user, programme) if programme else deny(NOT_FOUND)


def _approved_administered(user, params):
    programme = _programme(determined_programmes_for(user), params)
    if programme is None:
        return deny(NOT_FOUND)
    if not is_approved(programme):
        return deny(_("评定结果尚未批准。"))
    return may_view_scores(user, programme)


def _published_or_administered(user, params):
    programme = _programme(report_programmes_for(user), params)
    return may_see_report(user, programme) if programme else deny(NOT_FOUND)


def _certificate(user, params):
    award = Award.objects.filter(pk=params.get("award_id")).select_related("programme", "application").first()
    return may_get_certificate(user, award) if award else deny(_("找不到该成果。"))


def score_sheet(job, progress):
    programme = Programme.objects.get(pk=job.params["programme_id"])
    data = exports.score_sheet_xlsx(programme, anonymise=bool(job.params.get("anonymise")), progress=progress)
    suffix = _("匿名") if job.params.get("anonymise") else ""
    return file_name(_("评分汇总表"), programme.title, suffix, f"{timezone.localdate():%Y%m%d}", ext="xlsx"), data


def ranking_pdf(job, progress):
    programme = Programme.objects.get(pk=job.params["programme_id"])
    progress(20, "")
    return file_name(_("评定排名"), programme.title, ext="pdf"), exports.ranking_pdf(programme)


def published_list(job, progress):
    programme = Programme.objects.get(pk=job.params["programme_id"])
    return file_name(_("成果名单"), programme.title, ext="xlsx"), exports.published_list_xlsx(programme)


def certificate(job, progress):
    award = Award.objects.select_related("programme").get(pk=job.params["award_id"])
    progress(30, "")
    name = file_name(_("获奖证书"), award.application.project_name, award.verification_code, ext="pdf")
    return name, certificates.certificate_pdf(award)


def certificates_zip(job, progress):
    programme = Programme.objects.get(pk=job.params["programme_id"])
    return file_name(_("获奖证书"), programme.title, ext="zip"), certificates.certificates_zip(programme, progress)


def report_pdf(job, progress):
    programme = Programme.objects.get(pk=job.params["programme_id"])
    figures = report.build(programme, viewer=job.requested_by)
    progress(40, "")
    pdf = render_pdf("awards/pdf/report.html", {"programme": programme, "report": figures,
                                                 "charts": report.charts_for(figures)})
    return file_name(_("年度报告"), programme.title, ext="pdf"), pdf


def register_all() -> None:
    """Called from AwardsConfig.ready()."""
    # Every kind's can_request is asked again on every request for its job (portal.jobs.visible_job);
    # programme-level kinds name no "about" object: their pages use awards.visibility, not programmes_for.
    kinds = [
        ("awards.score_sheet", _("评分汇总表导出"), score_sheet, _administered, None),
        ("awards.ranking_pdf", _("评定排名 PDF"), ranking_pdf, _administered, None),
        ("awards.published_list", _("成果名单导出"), published_list, _published_or_administered, None),
        ("awards.certificate", _("获奖证书"), certificate, _certificate, ("awards.award", "award_id")),
        ("awards.certificates_zip", _("全部获奖证书（ZIP）"), certificates_zip, _approved_administered, None),
        ("awards.report_pdf", _("年度报告 PDF"), report_pdf, _published_or_administered, None),
    ]
    for name, label, handler, can_request, about in kinds:
        jobs.register_kind(name, label, handler, can_request, about=about)
