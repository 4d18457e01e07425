"""Pictures: checked on upload, resized into WebP and JPEG widths, upright, without metadata."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles import images
from articles.models import Article
from articles.services import store_renditions
from articles.tests.pages import NO_GALLERY


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(size=(2000, 1000), orientation=None, gps=True, fmt="JPEG"):
    """A camera-like JPEG: EXIF orientation (6: turn 90° clockwise) and GPS data."""
    picture = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (40.0, 24.0, 0.0)}  # somewhere in Baku
    buffer = io.BytesIO()
    picture.save(buffer, fmt, exif=exif)
    return buffer.getvalue()


def article_form(**overrides):
    data = {
        **NO_GALLERY,
        "language": "az",
        "title": "Şəkilli xəbər",
        "slug": "",
        "label": "",
        "lead": "",
        "body": "<p>Mətn</p>",
        "image_caption": "Bakı bulvarı",
        "author_name": "",
        "author_position": "",
        "source": "",
        "source_url": "",
        "archived_at_0": "",
        "archived_at_1": "",
        "attribution_variant": "",
        "status": "published",
        "published_at_0": "2026-01-22",
        "published_at_1": "09:00:00",
        "category": "",
        "translation_link": "",
    }
    data.update(overrides)
    return data


def test_an_uploaded_photo_gets_upright_renditions_without_metadata(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("bulvar.jpg", photo(orientation=6), content_type="image/jpeg")
    response = client.post(reverse("admin:articles_article_add"), article_form(image=upload))
    assert response.status_code == 302, response.content.decode()[:3000]

    article = Article.objects.get(title="Şəkilli xəbər")
    # Orientation 6: the 2000×1000 sensor picture is shown 1000 wide and 2000 high.
    assert (article.image_width, article.image_height) == (1000, 2000)
    storage = article.image.storage
    for width in (320, 640):
        for extension, kind in (("webp", "WEBP"), ("jpg", "JPEG")):
            name = images.rendition_name(article.image.name, width, extension)
            with storage.open(name) as stored, Image.open(stored) as rendition:
                assert rendition.format == kind
                assert rendition.size == (width, width * 2)
                assert not rendition.getexif()  # no camera, orientation or GPS data
    # The original is narrower than 1280: no upscaled rendition.
    assert not storage.exists(images.rendition_name(article.image.name, 1280, "jpg"))


def test_the_article_page_offers_webp_and_jpeg_widths(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("genis.jpg", photo(size=(1600, 900)), content_type="image/jpeg")
    client.post(reverse("admin:articles_article_add"), article_form(image=upload))
    client.logout()
    article = Article.objects.get(title="Şəkilli xəbər")

    page = client.get(article.get_absolute_url()).content.decode()
    stem = f"/media/renditions/{article.image.name}"
    assert f'<source type="image/webp" srcset="{stem}.320.webp 320w, {stem}.640.webp 640w, ' in page
    assert f"{stem}.1280.jpg 1280w" in page
    # The picture at the top is what readers see first: fetched at once, not lazily.
    picture = page[page.index('class="article-image"') :].split("</figure>")[0]
    assert 'fetchpriority="high"' in picture and 'loading="lazy"' not in picture
    assert 'width="320" height="180"' in picture
    assert 'alt="Bakı bulvarı"' in page
    assert f'content="http://testserver{stem}.1280.jpg"' in page  # og:image, no metadata
    assert f'src="{article.image.url}"' not in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # Django's own check, in the words of the catalogue that wins (REST framework's az one)
        (b"<html>no picture</html>", "Keçərli şəkil yükləyin"),
        (None, "Şəkildə çox piksel var; ən çoxu 25 meqapiksel qəbul olunur."),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(client, editor, content, message):
    if content is None:  # 10 000 × 5 000: 50 megapixels, a tiny file (a would-be bomb)
        buffer = io.BytesIO()
        Image.new("1", (10_000, 5_000)).save(buffer, "PNG", optimize=True)
        content = buffer.getvalue()
    client.force_login(editor)
    upload = SimpleUploadedFile("x.png", content, content_type="image/png")
    response = client.post(reverse("admin:articles_article_add"), article_form(image=upload))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_too_big_files_are_refused_with_their_size(client, editor, settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 1024 * 1024
    big = Image.effect_noise((900, 900), 120).convert("RGB")  # about 2.4 MB as PNG
    buffer = io.BytesIO()
    big.save(buffer, "PNG")
    client.force_login(editor)
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    response = client.post("/ru/admin/articles/article/add/", article_form(image=upload))
    assert "Изображение слишком большое: допускается не более 1,0" in response.content.decode()


def test_pictures_that_are_not_images_are_refused_by_the_service():
    with pytest.raises(images.ValidationError) as refused:
        images.validate_upload(ContentFile(b"GIF89a broken", name="x.gif"))
    assert refused.value.code == "not_image"


def test_russian_editors_read_the_refusal_in_russian(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("x.jpg", b"not a picture at all", content_type="image/jpeg")
    response = client.post("/ru/admin/articles/article/add/", article_form(image=upload))
    html = response.content.decode()
    assert "Загрузите правильное изображение" in html


def test_transparent_pictures_get_a_white_background(make_article):
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 200), (255, 0, 0, 0)).save(buffer, "PNG")
    article = make_article()
    article.image.save("seffaf.png", ContentFile(buffer.getvalue()), save=True)
    store_renditions(article)
    article.refresh_from_db()
    assert (article.image_width, article.image_height) == (400, 200)
    name = images.rendition_name(article.image.name, 320, "jpg")
    with article.image.storage.open(name) as stored, Image.open(stored) as rendition:
        assert rendition.getpixel((10, 10)) == (255, 255, 255)


def test_a_rendition_never_overwrites_another_articles_original(make_article):
    """An upload called victim.320.jpg is not the 320 rendition of victim.jpg."""
    first = make_article()
    first.image.save("victim.320.jpg", ContentFile(photo(size=(400, 300))), save=True)
    original = first.image.storage.open(first.image.name).read()
    second = make_article()
    second.image.save("victim.jpg", ContentFile(photo(size=(2000, 1000))), save=True)

    store_renditions(second)

    assert first.image.name.endswith("victim.320.jpg")
    assert first.image.storage.open(first.image.name).read() == original
    assert images.rendition_name(second.image.name, 320, "jpg").startswith("renditions/")


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(make_article, monkeypatch):
    """A camera-sized JPEG is never decoded whole: libjpeg scales it while decoding."""
    decoded = []
    real_load = Image.Image.load

    def load(picture):
        result = real_load(picture)
        decoded.append(picture.size)
        return result

    monkeypatch.setattr(Image.Image, "load", load)
    article = make_article()
    article.image.save("boyuk.jpg", ContentFile(photo(size=(6000, 4000), gps=False)), save=True)
    decoded.clear()

    store_renditions(article)

    article.refresh_from_db()
    assert (article.image_width, article.image_height) == (6000, 4000)  # the original's size
    assert max(width for width, _height in decoded) <= 1500  # a quarter of 6000
    assert [r.width for r in article.image_renditions] == [320, 640, 1280]


def test_uploads_and_feeds_share_one_check(settings):
    settings.ARTICLE_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(images.ValidationError) as refused:
        images.check_picture(photo(size=(40, 30)))
    assert refused.value.code == "too_many_pixels"
    settings.ARTICLE_IMAGE_MAX_PIXELS = 25_000_000
    settings.ARTICLE_IMAGE_MAX_BYTES = 100
    with pytest.raises(images.ValidationError) as refused:
        images.check_picture(photo(size=(40, 30)))
    assert refused.value.code == "too_big"


def test_make_renditions_writes_the_missing_ones(make_article):
    from io import StringIO

    from django.core.management import call_command

    article = make_article()
    article.image.save("kohne.jpg", ContentFile(photo(size=(700, 350))), save=True)
    Article.objects.filter(pk=article.pk).update(image_width=700, image_height=350)
    out = StringIO()

    call_command("make_renditions", "--missing", stdout=out)

    assert "1 pictures resized, 0 failed." in out.getvalue()
    storage = article.image.storage
    assert storage.exists(images.rendition_name(article.image.name, 640, "webp"))
    call_command("make_renditions", "--missing", stdout=out)
    assert "0 pictures resized" in out.getvalue()
