"""The organiser's seal (证书印章) printed on a programme's certificates: one image per programme, in
its award settings (AwardSettings.seal).

``set_seal`` is the one way to set or remove it: the programme's administrators only, audited. An
upload is checked before anything is stored (PNG or JPEG by content, at most SEAL_MAX_BYTES, at most
SEAL_MAX_SIDE pixels a side, read in full by Pillow), then re-encoded as a PNG of at most
SEAL_STORED_SIDE pixels: what is stored and printed is an image Pillow wrote, never the bytes as
sent (no metadata, no trailing payload). A refused upload leaves the current seal as it was.

Certificates are rendered afresh on every request (a job per request, nothing cached), so the next
certificate carries the new seal; files already downloaded are the person's own copies."""

import base64
import io
import logging
import os
import warnings
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from applications.services import filetypes
from portal.kept import MISSING, Kept
from portal.permissions import administers_programme, require
from portal.services import audit
from portal.services.errors import DomainError

from ..models import AwardSettings
from .scores import settings_for

log = logging.getLogger(__name__)

SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MAX_SIDE = 4000  # pixels; checked from the header, before the image is decoded
SEAL_MIN_SIDE = 100  # smaller prints as a blur at 40 mm
SEAL_STORED_SIDE = 1200  # 40 mm at ~760 dpi: more than any printer needs
PREVIEW_SIDE = 240
ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"
EXTENSIONS = (".png", ".jpg", ".jpeg")


class SealRejected(DomainError):
    """The upload is not a usable seal image; the message says why, in the person's words."""


@contextmanager
def _whole_images_only():
    """WeasyPrint sets Pillow's process-wide ImageFile.LOAD_TRUNCATED_IMAGES on import (half a picture
    rather than none); an upload must be whole, so truncation raises while it is read. Harmless to a
    render at the same moment: the only raster images WeasyPrint reads here are seals Pillow wrote."""
    kept = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = kept


def _checked_image(uploaded, name: str):
    """The upload as a decoded Pillow image, or SealRejected."""
    if os.path.splitext(name or "")[1].lower() not in EXTENSIONS:
        raise SealRejected(_("只接受 PNG 或 JPG 格式的图片，请上传透明背景的 PNG 印章图片。"))
    size = uploaded.size or 0
    if size == 0:
        raise SealRejected(_("文件为空，请重新选择印章图片。"))
    if size > SEAL_MAX_BYTES:
        raise SealRejected(_("文件大小为 %(size).1f MB，超过 2 MB 的上限，请压缩后再上传。")
                           % {"size": size / 1024 / 1024})
    if filetypes.detect(uploaded, size) not in (filetypes.FILE_TYPES["png"], filetypes.FILE_TYPES["jpeg"]):
        raise SealRejected(_("文件内容不是 PNG 或 JPG 图片（实际为%(actual)s），请上传印章图片。")
                           % {"actual": filetypes.describe(filetypes.read_head(uploaded))})
    too_large = _("图片像素尺寸过大（最大 %(side)d×%(side)d 像素），请缩小后再上传。") % {"side": SEAL_MAX_SIDE}
    uploaded.seek(0)
    try:
        with warnings.catch_warnings(), _whole_images_only():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded, formats=("PNG", "JPEG"))
            width, height = image.size
            if max(width, height) > SEAL_MAX_SIDE:
                raise SealRejected(too_large)  # before load(): a decompression bomb is never decoded
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise SealRejected(too_large) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise SealRejected(_("图片已损坏或无法读取，请重新导出后再上传。")) from error
    if min(width, height) < SEAL_MIN_SIDE:
        raise SealRejected(_("图片太小（%(width)d×%(height)d 像素），请上传 400×400 像素以上的印章图片。")
                           % {"width": width, "height": height})
    return image


def _normalised_png(image) -> bytes:
    """RGBA PNG at most SEAL_STORED_SIDE a side, upright (a phone photo's EXIF rotation applied)."""
    image = ImageOps.exif_transpose(image).convert("RGBA")
    image.thumbnail((SEAL_STORED_SIDE, SEAL_STORED_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@transaction.atomic
def set_seal(actor, programme, uploaded, *, name: str | None = None, via: str = "web") -> AwardSettings:
    """Sets the programme's seal to ``uploaded`` (a file-like with ``size``), or removes it when
    ``uploaded`` is None. ``name`` is the person's file name (default: ``uploaded.name``)."""
    require(administers_programme(actor, programme))
    settings = AwardSettings.objects.select_for_update().get(pk=settings_for(programme).pk)
    before = settings.seal.name
    if uploaded is None:
        if not before:
            return settings
        note = ""
        settings.seal = ""
    else:
        name = uploaded.name if name is None else name
        image = _checked_image(uploaded, name)
        note = f"{name}（{image.width}×{image.height}）"
        try:
            png = _normalised_png(image)
        except (OSError, ValueError) as error:  # a mode or profile Pillow cannot convert
            raise SealRejected(_("图片已损坏或无法读取，请重新导出后再上传。")) from error
        settings.seal.save("seal.png", ContentFile(png), save=False)
    stored = settings.seal.name
    storage = settings.seal.storage
    try:
        settings.save(update_fields=["seal", "updated_at"])
    except Exception:
        if stored:
            storage.delete(stored)
        raise
    if before:
        # Only once the new state is committed: a rollback keeps the old seal and its file.
        transaction.on_commit(lambda: storage.delete(before))
    audit.record(actor, "awards.seal.change", settings, changes={"seal": [bool(before), bool(stored)]},
                 note=note, via=via, programme=programme)
    return settings


def _stored_bytes(settings: AwardSettings) -> bytes:
    with settings.seal.open("rb") as handle:
        return handle.read()


def seal_data_uri(programme) -> str:
    """The seal as a data: URI for the certificate (WeasyPrint fetches nothing else), or "" without one."""
    settings = AwardSettings.objects.filter(programme_id=programme.pk).first()
    if settings is None or not settings.seal:
        return ""
    return _cached(settings.seal.name, settings, preview=False)


def preview_data_uri(settings: AwardSettings | None) -> str:
    """A small PNG of the current seal for the settings page (img-src allows data:), or ""."""
    if settings is None or not settings.seal:
        return ""
    return _cached(settings.seal.name, settings, preview=True)


# The seal as a data: URI per stored name (portal.kept says why it cannot go stale).
_KEPT = Kept("seal images")


def _cached(name: str, settings: AwardSettings, *, preview: bool) -> str:
    key = (name, preview)
    uri = _KEPT.get(key)
    if uri is MISSING:
        try:
            data = _stored_bytes(settings)
        except OSError:  # gone from storage: no seal rather than every certificate failing
            log.warning("seal file %s of award settings %s cannot be read", name, settings.pk)
            return ""
        if preview:
            data = _thumbnail(data)
        uri = _KEPT.put(key, "data:image/png;base64," + base64.b64encode(data).decode())
    return uri


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    return buffer.getvalue()
