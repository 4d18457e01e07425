"""Article pictures: checked once, resized once into a few widths in WebP and JPEG.

`check_picture()` is the one check, with one byte limit (ARTICLE_IMAGE_MAX_BYTES) and one pixel
limit (ARTICLE_IMAGE_MAX_PIXELS), for the admin's uploads and the feed importer's downloads
alike; it reads only the header, never decodes.

Renditions live under `renditions/`, named after the whole stored name of their original
(`renditions/articles/2026/01/park.jpg.320.webp`). Uploads and imports are stored under
`articles/...`, so no upload can take a rendition's name, and two originals (which the storage
keeps apart) never share renditions: an upload called `victim.320.jpg` stays itself. They are
turned upright by their EXIF orientation and written without any metadata (no camera data or
GPS reaches readers). Pages only link renditions; the original stays for editors. JPEGs are
decoded at the smallest scale the largest rendition allows (libjpeg's DCT scaling), so a
camera-sized picture costs a fraction of its full size in memory and time. The admin and the
importer store Article.image, then `services.store_renditions()` makes these: this module
knows no model.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

WIDTHS = (320, 640, 1280)
RENDITIONS_FOLDER = "renditions"
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}  # format -> extension
JPEG_QUALITY = 82
WEBP_QUALITY = 80
_TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    jpeg_url: str
    webp_url: str


# The refusals, marked once: the admin shows them in a form, the importer keeps them as
# messages translated when an editor reads them (importers/messages.py).
REFUSALS = {
    "too_big": gettext_noop("The image is too large: at most %(size)s are allowed."),
    "not_image": gettext_noop("This file is not a picture."),
    "too_many_pixels": gettext_noop(
        "The image has too many pixels; at most %(limit)s megapixels are accepted."
    ),
    "format": gettext_noop(
        "Pictures in %(format)s cannot be used; send a JPEG, PNG, WebP or GIF file."
    ),
}


def check_picture(picture, size=None):
    """Return the extension of a picture we may store; raise ValidationError saying why not.

    `picture` is a file (an upload) or bytes (a download). Only the header is read.
    """
    max_bytes, max_pixels = settings.ARTICLE_IMAGE_MAX_BYTES, settings.ARTICLE_IMAGE_MAX_PIXELS
    if isinstance(picture, bytes | bytearray):
        size, picture = len(picture), io.BytesIO(picture)
    size = picture.size if size is None else size
    if size > max_bytes:
        raise ValidationError(
            _(REFUSALS["too_big"]),
            params={"size": filesizeformat(max_bytes)},
            code="too_big",
        )
    position = picture.tell()
    try:
        with Image.open(picture) as opened:
            kind, (width, height) = opened.format, opened.size  # the header, nothing decoded
    except Image.DecompressionBombError:
        kind, width, height = None, max_pixels, max_pixels
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_(REFUSALS["not_image"]), code="not_image") from None
    finally:
        picture.seek(position)
    if width * height > max_pixels:
        raise ValidationError(
            _(REFUSALS["too_many_pixels"]),
            params={"limit": f"{max_pixels / 1_000_000:g}"},
            code="too_many_pixels",
        )
    if kind not in FORMATS:
        raise ValidationError(
            _(REFUSALS["format"]),
            params={"format": kind},
            code="format",
        )
    return FORMATS[kind]


def validate_upload(upload):
    """Refuse uploads that are too big, not pictures, or with too many pixels (bombs)."""
    check_picture(upload)


def rendition_name(name, width, extension):
    return f"{RENDITIONS_FOLDER}/{name}.{width}.{extension}"


def planned_widths(original_width):
    """Return the widths made for an original: each of WIDTHS it reaches, else its own."""
    return [width for width in WIDTHS if width <= original_width] or [original_width]


def make_renditions(field_file):
    """Write the WebP and JPEG renditions of a stored picture; return the original's size."""
    storage = field_file.storage
    with storage.open(field_file.name, "rb") as stored, Image.open(stored) as picture:
        if picture.width * picture.height > settings.ARTICLE_IMAGE_MAX_PIXELS:
            raise ValueError(f"{picture.width}×{picture.height} pixels is too many to resize")
        turned = picture.getexif().get(0x0112) in _TURNED
        width, height = (picture.height, picture.width) if turned else picture.size
        # JPEG: decode at 1/2, 1/4 or 1/8 scale, as long as the widest rendition still fits.
        wanted = min(WIDTHS[-1], width)
        picture.draft("RGB", (1, wanted) if turned else (wanted, 1))
        upright = _flatten(ImageOps.exif_transpose(picture))
    for target in planned_widths(width):
        resized_height = max(1, round(upright.height * target / upright.width))
        resized = upright.resize((target, resized_height), Image.Resampling.LANCZOS)
        for extension, options in (
            ("webp", {"format": "WEBP", "quality": WEBP_QUALITY, "method": 4}),
            (
                "jpg",
                {"format": "JPEG", "quality": JPEG_QUALITY, "optimize": True, "progressive": True},
            ),
        ):
            buffer = io.BytesIO()
            resized.save(buffer, **options)  # no exif= or icc_profile=: metadata stays out
            name = rendition_name(field_file.name, target, extension)
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, ContentFile(buffer.getvalue()))
    return width, height


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
