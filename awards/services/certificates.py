"""Certificates (获奖证书): one PDF per awarded project with a verification code and a QR code
linking to the public verification page (settings.SITE_URL + /awards/verify/<code>/)."""

import base64
import io
import zipfile

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import Award
from ..models.awards import AWARDED_TIERS
from .pdf import render_pdf


def verification_url(award: Award) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("awards:verify", args=[award.verification_code])


def qr_svg_data_uri(text: str) -> str:
    """The QR code as an SVG data: URI (qrcode's pure-Python SVG factory, no PIL)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(text, image_factory=SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def certificate_pdf(award: Award) -> bytes:
    programme = award.programme
    determination = getattr(programme, "determination", None)
    issued = (determination.published_at or determination.approved_at) if determination else None
    context = {
        "award": award,
        "programme": programme,
        "organisers": programme.organiser_name_list,
        "date": timezone.localdate(issued) if issued else timezone.localdate(),
        "url": verification_url(award),
        "qr": qr_svg_data_uri(verification_url(award)),
    }
    return render_pdf("awards/pdf/certificate.html", context)


def certificate_name(award: Award) -> str:
    return f"certificate-{award.programme.year}-{award.verification_code}.pdf"


def certificates_zip(programme, progress=lambda percent, message="": None) -> bytes:
    awards = list(Award.objects.filter(programme=programme, tier__in=AWARDED_TIERS)
                  .select_related("programme__determination").order_by("tier", "rank", "pk"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, award in enumerate(awards, start=1):
            name = f"{n:03d}-{award.get_tier_display()}-{award.project_name[:40]}.pdf"
            archive.writestr(name, certificate_pdf(award))
            progress(int(95 * n / max(len(awards), 1)), f"{n}/{len(awards)}")
    return buffer.getvalue()
