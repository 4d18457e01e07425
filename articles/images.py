"""Article pictures: checked on upload, resized once into a few widths in WebP and JPEG.

Renditions sit beside the original as `<name>.<width>.webp` / `<name>.<width>.jpg`, turned
upright by their EXIF orientation and written without any metadata (no camera data or GPS
reaches readers). Pages only link renditions; the original stays for editors. The admin and
the feed importer both store Article.image and then call
`services.store_renditions()`; this module knows no model.
"""

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

WIDTHS = (320, 640, 1280)
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # far above any news photo, far below a decompression bomb
JPEG_QUALITY = 82
WEBP_QUALITY = 80


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    jpeg_url: str
    webp_url: str


def validate_upload(upload):
    """Refuse files that are too big, not pictures, or with too many pixels (bombs)."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; at most %(limit)s MB can be uploaded."),
            params={
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
            },
            code="too_big",
        )
    position = upload.tell()
    try:
        with Image.open(upload) as picture:
            width, height = picture.size  # read from the header, nothing decoded yet
    except Image.DecompressionBombError:
        width = height = None
    except (UnidentifiedImageError, OSError):
        raise ValidationError(_("This file is not a picture."), code="not_image") from None
    finally:
        upload.seek(position)
    if width is None or width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image has too many pixels; at most %(limit)s megapixels are accepted."),
            params={"limit": MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        )


def rendition_name(name, width, extension):
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{width}.{extension}"))


def planned_widths(original_width):
    """Return the widths made for an original: each of WIDTHS it reaches, else its own."""
    return [width for width in WIDTHS if width <= original_width] or [original_width]


def make_renditions(field_file):
    """Write the WebP and JPEG renditions of a stored picture; return the original's size."""
    storage = field_file.storage
    with storage.open(field_file.name, "rb") as stored, Image.open(stored) as picture:
        upright = ImageOps.exif_transpose(picture)
        upright = _flatten(upright)
    for width in planned_widths(upright.width):
        height = max(1, round(upright.height * width / upright.width))
        resized = upright.resize((width, height), Image.Resampling.LANCZOS)
        for extension, options in (
            ("webp", {"format": "WEBP", "quality": WEBP_QUALITY, "method": 4}),
            (
                "jpg",
                {"format": "JPEG", "quality": JPEG_QUALITY, "optimize": True, "progressive": True},
            ),
        ):
            buffer = io.BytesIO()
            resized.save(buffer, **options)  # no exif= or icc_profile=: metadata stays out
            name = rendition_name(field_file.name, width, extension)
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, ContentFile(buffer.getvalue()))
    return upright.width, upright.height


def delete_renditions(field_file, original_width):
    storage = field_file.storage
    for width in planned_widths(original_width or WIDTHS[-1]):
        for extension in ("webp", "jpg"):
            storage.delete(rendition_name(field_file.name, width, extension))


def renditions(article):
    """Return the article picture's renditions, smallest first; no file is opened."""
    if not article.image or not article.image_width:
        return []
    storage, name = article.image.storage, article.image.name
    result = []
    for width in planned_widths(article.image_width):
        height = max(1, round(article.image_height * width / article.image_width))
        result.append(
            Rendition(
                width,
                height,
                storage.url(rendition_name(name, width, "jpg")),
                storage.url(rendition_name(name, width, "webp")),
            )
        )
    return result


def _flatten(picture):
    """Return an RGB copy; transparent parts become white (JPEG has no transparency)."""
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")
