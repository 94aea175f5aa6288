"""Certificates (获奖证书): one PDF per awarded project with a verification code and a QR code
linking to the public verification page (settings.SITE_URL + /awards/verify/<code>/).

Worded as an award certificate: the awardee (and the joint awardees), the project, the award as
"上海市重点产品质量攻关成果 二等奖" (the area and the programme's project type, then the tier), the
issuers (the programme's organisers) and the date of publication, stamped with the programme's seal
when its administrators set one (awards.services.seal)."""

import base64
import io
import zipfile

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.models.programmes import ProjectType
from portal.text import clean_text

from ..models import Award
from ..models.awards import AWARDED_TIERS
from .pdf import render_pdf
from .publication import joint_names
from .seal import seal_data_uri

KEY_PRODUCT_AWARD = "重点产品质量攻关成果"


def verification_url(award: Award) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("awards:verify", args=[award.verification_code])


def qr_svg_data_uri(text: str) -> str:
    """The QR code as an SVG data: URI (qrcode's pure-Python SVG factory, no PIL)."""
    import qrcode  # noqa: PLC0415  (loaded on the first certificate, not at start-up)
    from qrcode.image.svg import SvgPathImage  # noqa: PLC0415

    image = qrcode.make(text, image_factory=SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def award_title(programme) -> str:
    """上海市重点产品质量攻关成果 (嘉定区… for a district programme); for the other project types the
    type's name, as a project (上海市产业质量提升标志性项目)."""
    if programme.project_type == ProjectType.KEY_PRODUCT:
        name = KEY_PRODUCT_AWARD
    else:
        name = str(ProjectType(programme.project_type).label)
        name = name if name.endswith(("成果", "项目")) else f"{name}项目"
    return f"{programme.area_name}{name}"


def certificate_pdf(award: Award, *, seal: str | None = None) -> bytes:
    """``seal``: the seal's data: URI ("" for none) when the caller has it; otherwise read here."""
    programme = award.programme
    determination = getattr(programme, "determination", None)
    issued = (determination.published_at or determination.approved_at) if determination else None
    context = {
        "award": award,
        "programme": programme,
        "award_title": award_title(programme),
        "awardee": clean_text(award.organisation_name),
        "joint": clean_text(joint_names([award.application_id]).get(award.application_id, "")),
        "project": clean_text(award.project_name),
        "organisers": programme.organiser_name_list,
        "date": timezone.localdate(issued) if issued else timezone.localdate(),
        "url": verification_url(award),
        "qr": qr_svg_data_uri(verification_url(award)),
        "seal": seal_data_uri(programme) if seal is None else seal,
    }
    return render_pdf("awards/pdf/certificate.html", context)


def certificate_name(award: Award) -> str:
    return f"certificate-{award.programme.year}-{award.verification_code}.pdf"


def certificates_zip(programme, progress=lambda percent, message="": None) -> bytes:
    awards = list(Award.objects.filter(programme=programme, tier__in=AWARDED_TIERS)
                  .select_related("programme__determination").order_by("tier", "rank", "pk"))
    seal = seal_data_uri(programme)  # once for the whole archive
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, award in enumerate(awards, start=1):
            name = f"{n:03d}-{award.get_tier_display()}-{award.project_name[:40]}.pdf"
            archive.writestr(name, certificate_pdf(award, seal=seal))
            progress(int(95 * n / max(len(awards), 1)), f"{n}/{len(awards)}")
    return buffer.getvalue()
