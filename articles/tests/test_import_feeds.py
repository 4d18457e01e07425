"""Tests for the feed import: a local HTTP server serves fixture feeds; nothing leaves 127.0.0.1."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from articles.importers import feeds, ingest, messages
from articles.importers.feeds import import_source, normalize_url
from articles.models import Article, BodyPicture, Category, ImportStatus, Source
from articles.tests.feed_server import (
    FIXTURES,
    conditional,
    huge,
    recorded_errors,
    slow,
)

MB = 1024 * 1024


@pytest.fixture
def az_source(server, make_source):
    Category.objects.create(name_az="Cəmiyyət", name_ru="Общество", slug="cemiyyet")
    Category.objects.create(name_az="İdman", name_ru="Спорт", slug="idman")
    server.add_fixture("/az.xml", "rss_az.xml")
    return make_source("/az.xml", category_map={"cəmiyyət": "cemiyyet", "idman": "idman"})


def article(url):
    return Article.objects.get(source_url=url)


PARK = "https://oxu.az/society/park-123?id=5"


# --- one feed, end to end -------------------------------------------------------------------


def test_rss_feed_becomes_draft_articles_with_their_provenance(az_source, server):
    before = timezone.now()

    report = import_source(az_source)

    assert report.status == ImportStatus.OK
    assert (report.new, report.updated, report.skipped, report.failed) == (4, 0, 1, 0)
    park = article(PARK)
    assert park.title == "Bakıda yeni park açıldı"
    assert park.label == "FOTOLAR"
    assert park.slug == "bakida-yeni-park-acildi"
    assert park.language == "az"
    assert park.source == az_source
    assert park.status == Article.Status.DRAFT
    assert park.published_at == datetime(2026, 1, 21, 5, 5, tzinfo=UTC)
    assert before <= park.archived_at <= timezone.now()
    assert park.author_name == "Aysel Məmmədova"
    assert park.category.slug == "cemiyyet"
    assert Article.objects.filter(source=az_source).count() == 4
    # The first request was the feed, with our own User-Agent.
    path, headers = server.requests[0]
    assert path == "/az.xml"
    assert headers["User-Agent"].startswith("Icma.az-feed-importer/")


def test_source_records_the_outcome(az_source):
    import_source(az_source)

    az_source.refresh_from_db()
    assert az_source.last_status == ImportStatus.OK
    assert az_source.last_counts == {"new": 4, "updated": 0, "skipped": 1, "failed": 0}
    assert az_source.last_attempt_at is not None
    assert az_source.last_import_at == az_source.last_attempt_at
    # Kept as msgids and values: each editor reads it in the admin's language.
    assert "şəkil götürülmədi (Bu fayl şəkil deyil.): " in az_source.import_errors()[0]
    with translation.override("ru"):
        assert (
            "изображение пропущено (Этот файл не является изображением.): "
            in az_source.import_errors()[0]
        )


def test_category_mapping_ignores_case_and_unmapped_terms(az_source):
    import_source(az_source)

    assert article("https://oxu.az/sport/idman-11").category.slug == "idman"
    assert article("https://oxu.az/tech/xss-7").category is None


def test_body_is_sanitised(az_source):
    import_source(az_source)

    body = article("https://oxu.az/tech/xss-7").body
    for payload in ("<script", "alert(", "onerror", "onclick", "onmouseover", "javascript:"):
        assert payload not in body
    assert "<iframe" not in body and "<style" not in body and "display:none" not in body
    assert "<p>Mətn davam edir.</p>" in body
    assert '<a href="https://oxu.az/a" rel="noopener nofollow">təhlükəsiz link</a>' in body


def test_relative_links_become_absolute_and_body_pictures_our_copies(az_source, server):
    # The pictures are downloaded after the import (articles/importers/pictures.py).
    ingest.run_source(az_source)

    park = article(PARK).body
    assert '<a href="https://oxu.az/society/park-124" rel="noopener nofollow">' in park
    # The CSP lets readers' browsers load our pictures only: the body's picture is our copy.
    picture = re.search(r'<img src="(/media/articles/[^"]+\.png)" alt="Parkın planı" '
                        r'width="640" height="480">', park)  # fmt: skip
    assert picture is not None
    stored = default_storage.open(picture[1].removeprefix("/media/")).read()
    assert stored == server.routes["/images/park-plan.png"][2]
    sport = article("https://oxu.az/sport/idman-11").body
    assert 'href="https://oxu.az/tables/league.html"' in sport
    # A body picture that is no picture is dropped, and why is kept.
    xss = article("https://oxu.az/tech/xss-7")
    assert "<img" not in xss.body
    failed = BodyPicture.objects.get(article=xss, source_url__endswith="fake.jpg")
    assert failed.state == BodyPicture.State.FAILED and failed.attempts == 1
    with translation.override("en"):
        assert messages.loads(failed.reason) == ["This file is not a picture."]


def test_a_second_import_keeps_the_body_pictures_it_stored(az_source, server):
    ingest.run_source(az_source)
    first = article(PARK).body
    assert "<img" in first

    report = ingest.run_source(az_source)

    assert article(PARK).body == first
    assert report.updated == 0


def test_entry_without_a_date_is_published_now(az_source):
    before = timezone.now()

    import_source(az_source)

    undated = article("https://oxu.az/society/no-date-9")
    assert before <= undated.published_at <= timezone.now()
    assert undated.body == "<p>Bu xəbərin tarixi yoxdur.</p>"


def test_real_image_is_stored_and_fake_one_skipped(az_source):
    report = import_source(az_source)

    park = article(PARK)
    assert park.image.name.startswith("articles/")
    assert park.image.name.endswith(".jpg")
    assert (park.image.width, park.image.height) == (32, 24)
    # Resized like an editor's upload: narrower than 320, so one rendition of its own width.
    assert (park.image_width, park.image_height) == (32, 24)
    assert [v.width for v in park.image_renditions] == [32]
    assert park.image.storage.exists(f"renditions/{park.image.name}.32.webp")
    assert article("https://oxu.az/sport/idman-11").image  # from <media:content>
    undated = article("https://oxu.az/society/no-date-9")
    assert not undated.image
    assert any(
        note.startswith("image skipped, This file is not a picture.") and note.endswith("fake.jpg")
        for note in report.notes
    )


def test_oversized_image_is_skipped(server, make_source, settings):
    settings.ARTICLE_IMAGE_MAX_PIXELS = 100
    server.add_fixture("/az.xml", "rss_az.xml")
    source = make_source("/az.xml")

    report = import_source(source)

    assert not article(PARK).image
    assert any("at most 0.0001 megapixels are accepted" in note for note in report.notes)


def test_image_bigger_than_the_size_limit_is_skipped(server, make_source):
    server.add("/images/park.jpg", huge(20 * MB, declare_length=True))
    server.add_fixture("/az.xml", "rss_az.xml")
    source = make_source("/az.xml")

    report = import_source(source)

    assert report.new == 4
    assert not article(PARK).image
    assert any("exceeds the limit of 5 MB" in note for note in report.notes)


def test_feeds_on_private_addresses_are_refused(az_source, settings):
    settings.FEED_IMPORT_PRIVATE_HOSTS = False

    report = import_source(az_source)

    assert report.status == ImportStatus.FAILED
    assert report.new == 0
    az_source.refresh_from_db()
    assert recorded_errors(az_source) == ["127.0.0.1 is a non-public address (127.0.0.1)"]


def test_atom_feed(server, make_source):
    Category.objects.create(name_az="İqtisadiyyat", name_ru="Экономика", slug="iqtisadiyyat")
    server.add_fixture("/atom", "atom.xml", content_type="application/atom+xml")
    source = make_source("/atom", category_map={"İqtisadiyyat": "iqtisadiyyat"})

    report = import_source(source)

    assert report.new == 2
    oil = article("https://report.az/iqtisadiyyat/neft-1/")
    assert (oil.title, oil.label) == ("Neft qiymətləri yüksəlib", "VİDEO")
    assert oil.author_name == "Rauf Əliyev"
    assert oil.published_at == datetime(2026, 1, 22, 7, 0, tzinfo=UTC)
    assert oil.category.slug == "iqtisadiyyat"
    assert oil.body == (
        "<p>Brent markalı neftin qiyməti <strong>2%</strong> artıb.</p>"
        '<p><a href="https://report.az/iqtisadiyyat/" rel="noopener nofollow">Bölmə</a></p>'
    )
    plain = article("https://report.az/iqtisadiyyat/qiymet-2/")
    assert plain.body == "<p>Mətn düz yazı kimidir &amp; teqsizdir.</p>"
    assert plain.published_at == datetime(2026, 1, 22, 6, 0, tzinfo=UTC)


def test_rss_1_0_and_0_91_feeds(server, make_source):
    server.add_fixture("/rdf", "rss10.rdf", content_type="application/rdf+xml")
    server.add_fixture("/091", "rss091.xml", content_type="text/xml")
    rdf, old = make_source("/rdf"), make_source("/091")

    assert import_source(rdf).new == import_source(old).new == 1

    official = article("https://apa.az/xeber/1")
    assert (official.title, official.label) == ("Prezident qəbul keçirib", "RƏSMİ")
    assert official.author_name == "Leyla Həsənova"
    assert official.published_at == datetime(2026, 1, 20, 6, 0, tzinfo=UTC)
    assert official.body == "<p>Qəbulda ikitərəfli əlaqələr müzakirə olunub.</p>"
    assert article("https://www.milli.az/society/2").title == "Bakıda qar yağır"


@pytest.mark.parametrize(
    ("fixture", "content_type"),
    [
        ("rss_ru_cp1251_declared.xml", "text/xml"),
        ("rss_ru_cp1251_undeclared.xml", "application/rss+xml"),
        ("rss_ru_cp1251_undeclared.xml", "application/rss+xml; charset=windows-1251"),
        # A server that claims UTF-8 for a windows-1251 file.
        ("rss_ru_cp1251_declared.xml", "text/xml; charset=utf-8"),
    ],
)
def test_windows_1251_russian_feed(server, make_source, fixture, content_type):
    server.add_fixture("/ru.xml", fixture, content_type=content_type)
    source = make_source("/ru.xml", language="ru", homepage="https://haqqin.az")

    report = import_source(source)

    assert report.new == 2
    frost = article("https://haqqin.az/news/1")
    assert frost.language == "ru"
    assert (frost.title, frost.label) == ("Морозы в Азербайджане продлятся до выходных", "ФОТО")
    assert frost.slug == "morozy-v-azerbajdzhane-prodlyatsya-do-vyhodnyh"
    assert "ночью температура опустится до минус десяти градусов" in frost.body
    snow = article("https://haqqin.az/news/2")
    assert "«дороги закрыты» — говорят в МЧС" in snow.body


# --- idempotency and updates ------------------------------------------------------------------


def test_second_run_imports_nothing_new(az_source):
    import_source(az_source)
    first = {a.source_url: (a.pk, a.updated_at) for a in Article.objects.all()}

    report = import_source(az_source)

    assert (report.new, report.updated, report.skipped, report.failed) == (0, 0, 5, 0)
    assert {a.source_url: (a.pk, a.updated_at) for a in Article.objects.all()} == first


def test_unchanged_feed_costs_one_request_answered_304(server, make_source):
    body = (FIXTURES / "atom.xml").read_bytes()
    server.add("/etag.xml", conditional(body, '"v1"'))
    source = make_source("/etag.xml")
    import_source(source)
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.last_modified == "Thu, 22 Jan 2026 08:00:00 GMT"
    server.requests.clear()

    report = import_source(source)

    assert report.status == ImportStatus.NOT_MODIFIED
    assert server.paths() == ["/etag.xml"]
    headers = server.requests[0][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Thu, 22 Jan 2026 08:00:00 GMT"
    source.refresh_from_db()
    assert source.last_status == ImportStatus.NOT_MODIFIED
    assert Article.objects.count() == 2


def _retitle(server, new_title):
    body = (
        (FIXTURES / "atom.xml")
        .read_bytes()
        .replace("Qiymətlər sabit qalıb".encode(), new_title.encode())
    )
    server.add("/atom", body, content_type="application/atom+xml")


def test_changed_entry_updates_a_draft(server, make_source):
    server.add_fixture("/atom", "atom.xml")
    source = make_source("/atom")
    import_source(source)
    _retitle(server, "Qiymətlər yenə sabit qalıb YENİLƏNİR")

    report = import_source(source)

    assert (report.new, report.updated, report.skipped) == (0, 1, 1)
    draft = article("https://report.az/iqtisadiyyat/qiymet-2/")
    assert (draft.title, draft.label) == ("Qiymətlər yenə sabit qalıb", "YENİLƏNİR")
    assert Article.objects.count() == 2


def test_changed_entry_leaves_a_published_article_alone_and_says_so(server, make_source):
    server.add_fixture("/atom", "atom.xml")
    source = make_source("/atom")
    import_source(source)
    Article.objects.update(status=Article.Status.PUBLISHED)
    _retitle(server, "Redaktə olunmamalı başlıq")

    report = import_source(source)

    assert (report.new, report.updated, report.skipped) == (0, 0, 2)
    assert article("https://report.az/iqtisadiyyat/qiymet-2/").title == "Qiymətlər sabit qalıb"
    assert report.notes == [
        "changed at the source but published, left alone: https://report.az/iqtisadiyyat/qiymet-2/"
    ]


def test_entry_stored_meanwhile_by_another_import_is_skipped(az_source, monkeypatch):
    # As if another process inserted the article after our look-up: the constraint catches it.
    Article.objects.create(title="Başqa idxal", body="<p>x</p>", source_url=PARK)
    monkeypatch.setattr(feeds, "_existing_articles", lambda entries, base: {})

    report = import_source(az_source)

    assert report.failed == 0
    assert report.new == 3
    assert Article.objects.filter(source_url=PARK).count() == 1
    assert article(PARK).title == "Başqa idxal"


def test_publishing_source_publishes_and_the_page_shows_the_provenance(client, server, make_source):
    server.add_fixture("/az.xml", "rss_az.xml")
    source = make_source("/az.xml", name="Oxu.az", publish_imported=True)

    import_source(source)

    park = article(PARK)
    assert park.status == Article.Status.PUBLISHED
    html = client.get(park.get_absolute_url()).content.decode()
    assert park.attribution_html("Icma.az") in html
    assert f'href="{PARK}"' in html
    archived = park.archived_at.astimezone(feeds.text.BAKU_TZ)
    archived_text = feeds.text.format_datetime(archived, "az")
    assert f"Bu xəbər {archived_text} mənbədən arxivləşdirilmişdir" in html
    assert park.image.url in html


# --- broken sources ---------------------------------------------------------------------------


BROKEN = {
    "/missing": (None, "the server answered HTTP 404"),
    "/error": (lambda s: s.add("/error", b"oops", status=500), "the server answered HTTP 500"),
    "/slow": (lambda s: s.add("/slow", slow(3)), "timed out after 1.5 s"),
    "/page": (
        lambda s: s.add_fixture("/page", "not_a_feed.html", content_type="text/html"),
        "an HTML page, not an RSS or Atom feed",
    ),
    "/html-as-xml": (
        lambda s: s.add_fixture("/html-as-xml", "not_a_feed.html", content_type="text/xml"),
        "an HTML page, not an RSS or Atom feed",
    ),
    "/malformed": (
        lambda s: s.add_fixture("/malformed", "malformed.xml", content_type="text/xml"),
        "malformed XML:",
    ),
    "/empty": (lambda s: s.add_fixture("/empty", "empty.xml"), "the feed has no entries"),
    "/big": (lambda s: s.add("/big", huge(20 * MB, declare_length=True)), "exceeds the limit"),
    "/big-chunked": (
        lambda s: s.add("/big-chunked", huge(20 * MB, declare_length=False)),
        "body exceeds the limit of 5 MB",
    ),
    "/r1": (
        lambda s: [
            s.add(f"/r{n}", status=302, headers={"Location": f"/r{n + 1}"}) for n in range(1, 6)
        ],
        "more than 3 redirects",
    ),
}


@pytest.mark.parametrize("path", BROKEN)
def test_broken_source_is_recorded_on_the_source(server, make_source, path):
    setup, message = BROKEN[path]
    if setup:
        setup(server)
    source = make_source(path)

    report = import_source(source)

    assert report.status == ImportStatus.FAILED
    assert message in report.error
    source.refresh_from_db()
    assert source.last_status == ImportStatus.FAILED
    with translation.override("en"):
        assert message in source.import_errors()[0]
    assert source.last_attempt_at is not None
    assert source.last_import_at is None
    assert not Article.objects.exists()


def test_unknown_host_is_a_dns_failure(make_source, guard):
    source = make_source("/x", feed_url="https://news.invalid/rss")

    report = import_source(source)

    assert report.status == ImportStatus.FAILED
    assert report.error.startswith("cannot connect to news.invalid:")
    assert guard.refused == ["news.invalid"]


def test_three_redirects_are_followed(server, make_source):
    server.add_fixture("/feed", "atom.xml")
    for n in (1, 2, 3):
        server.add(f"/hop{n}", status=301, headers={"Location": f"/hop{n + 1}"})
    server.add("/hop4", status=302, headers={"Location": "/feed"})
    server.add("/hop0", status=302, headers={"Location": "/hop2"})
    source = make_source("/hop2")

    report = import_source(source)

    assert report.new == 2
    assert server.paths() == ["/hop2", "/hop3", "/hop4", "/feed"]


# --- the command --------------------------------------------------------------------------------


def test_command_imports_the_good_sources_and_fails_for_the_broken_one(az_source, make_source):
    broken = make_source("/missing")
    make_source("/inactive", is_active=False)
    make_source("/none", feed_url="")
    out, err = _Buffer(), _Buffer()

    with pytest.raises(CommandError, match="Some sources failed"):
        call_command("import_feeds", stdout=out, stderr=err)

    assert Article.objects.filter(source=az_source).count() == 4
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["source", "status", "new", "updated", "skipped", "failed", "time"]
    assert lines[1].split()[:6] == [az_source.slug, "ok", "4", "0", "1", "0"]
    assert lines[2].split()[:6] == [broken.slug, "failed", "0", "0", "0", "0"]
    assert len(lines) == 4
    assert "4 new, 0 updated, 1 skipped, 0 failed entries from 2 sources." in lines[3]
    assert f"{broken.slug}: the server answered HTTP 404" in err.getvalue()
    assert "\r" not in err.getvalue()  # no progress bar when not on a terminal


def test_command_for_one_source_and_exit_zero(az_source, make_source):
    make_source("/missing")
    out = _Buffer()

    call_command("import_feeds", "--source", az_source.slug, stdout=out)

    assert "4 new, 0 updated, 1 skipped, 0 failed entries from 1 sources." in out.getvalue()


def test_command_rejects_an_unknown_slug(db):
    with pytest.raises(CommandError, match="No source with a feed URL has the slug: nope"):
        call_command("import_feeds", "--source", "nope")


def test_dry_run_stores_nothing(az_source, server):
    out = _Buffer()

    call_command("import_feeds", "--dry-run", stdout=out)

    assert not Article.objects.exists()
    assert "ok (dry run)" in out.getvalue()
    assert "4 new, 0 updated, 1 skipped, 0 failed" in out.getvalue()
    az_source.refresh_from_db()
    assert az_source.last_attempt_at is None and az_source.etag == ""
    assert "/images/park.jpg" not in server.paths()


def test_quiet_prints_nothing_when_all_went_well(az_source):
    out, err = _Buffer(), _Buffer()

    call_command("import_feeds", "--quiet", stdout=out, stderr=err)

    assert out.getvalue() == err.getvalue() == ""
    assert Article.objects.count() == 4


def test_progress_bar_on_a_terminal(az_source):
    out, err = _Buffer(), _Buffer(tty=True)

    call_command("import_feeds", stdout=out, stderr=err)

    assert "5/5" in err.getvalue() and az_source.name in err.getvalue()


def test_every_repeats_until_interrupted(az_source, server, monkeypatch):
    from articles.management.commands import import_feeds

    sleeps = []

    def sleep(self, seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(import_feeds.Command, "sleep", sleep)

    call_command("import_feeds", "--every", "60", "--quiet")

    assert sleeps == [60, 60]
    assert server.paths().count("/az.xml") == 2
    assert Article.objects.count() == 4


def test_every_needs_a_positive_number(db):
    with pytest.raises(CommandError, match="positive"):
        call_command("import_feeds", "--every", "0")


# --- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "normal"),
    [
        ("HTTPS://Oxu.AZ/a/B?utm_source=x&id=1#top", "https://oxu.az/a/B?id=1"),
        ("http://oxu.az:80/a?fbclid=1&gclid=2&b=&utm_medium=rss", "http://oxu.az/a?b="),
        ("https://oxu.az", "https://oxu.az/"),
        ("https://oxu.az:8443/x", "https://oxu.az:8443/x"),
        ("/relative/7", "https://report.az/relative/7"),
    ],
)
def test_normalize_url(link, normal):
    assert normalize_url(link, "https://report.az/rss") == normal


@pytest.mark.parametrize("link", ["javascript:alert(1)", "mailto:a@b.az", "ftp://oxu.az/x"])
def test_normalize_url_rejects_other_schemes(link):
    with pytest.raises(feeds.EntryError):
        normalize_url(link)


def test_guard_refuses_other_hosts(guard):
    import socket

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("news.invalid", 80)
    guard.refused.clear()
    assert timezone.now() - timedelta(seconds=5) < timezone.now()


class _Buffer:
    """A stdout/stderr stand-in that can claim to be a terminal."""

    def __init__(self, tty=False):
        self.parts = []
        self.tty = tty

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def isatty(self):
        return self.tty

    def getvalue(self):
        return "".join(self.parts)


# --- concurrency ------------------------------------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="advisory locks are PostgreSQL's",
)

pytestmark = pytest.mark.usefixtures("feed_import")


@needs_postgresql
def test_source_locked_by_another_import_is_left_alone(az_source):
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [feeds._PG_LOCK_CLASS, az_source.pk])
        report = import_source(az_source)
    finally:
        other.close()

    assert report.status == ImportStatus.BUSY
    assert not Article.objects.exists()
    az_source.refresh_from_db()
    assert az_source.last_attempt_at is None
    assert import_source(az_source).new == 4  # the lock went with the other session


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_at_once_create_no_duplicates(az_source):
    import threading

    from django.db import connection

    barrier = threading.Barrier(3)
    reports = []

    def run():
        barrier.wait()
        try:
            reports.append(import_source(Source.objects.get(pk=az_source.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Article.objects.count() == 4
    assert sum(report.new for report in reports) == 4
    assert {report.status for report in reports} <= {ImportStatus.OK, ImportStatus.BUSY}


# --- the admin ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the import runs in a thread with its own connection
def test_editor_fetches_a_source_now_from_the_admin(client, editor, az_source, make_source):
    from django.urls import reverse

    broken = make_source("/missing", name="Qırıq.az")
    client.force_login(editor)
    changelist = reverse("admin:articles_source_changelist")

    response = client.post(
        changelist,
        {"action": "fetch_now", "_selected_action": [az_source.pk, broken.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f"{az_source.name}: 4 yeni, 0 yenilənmiş, 1 ötürülmüş, 0 uğursuz" in html
    assert "Qırıq.az: idxal alınmadı: server HTTP 404 xətası qaytardı" in html
    assert Article.objects.filter(source=az_source).count() == 4
    # The list shows each source's last import.
    html = client.get(changelist).content.decode()
    assert "idxal edildi: 4 yeni, 0 yenilənmiş, 1 ötürülmüş, 0 uğursuz" in html
    assert "alınmadı" in html


def test_admin_rejects_a_category_map_naming_no_category(client, editor, db):
    from django.urls import reverse

    Category.objects.create(name_az="İdman", name_ru="Спорт", slug="idman")
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_source_add"),
        {
            "name": "Oxu.az",
            "slug": "oxu-az",
            "kind": "site",
            "homepage": "https://oxu.az",
            "language": "az",
            "feed_url": "https://oxu.az/rss",
            "is_active": "on",
            "category_map": '{"İdman": "idman", "Siyasət": "siyaset"}',
        },
    )

    assert response.status_code == 200
    assert "siyaset" in response.content.decode()
    assert not Source.objects.exists()


def test_source_change_page_shows_the_last_import(client, editor, az_source):
    from django.urls import reverse

    import_source(az_source)
    client.force_login(editor)

    response = client.get(reverse("admin:articles_source_change", args=[az_source.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "idxal edildi: 4 yeni, 0 yenilənmiş, 1 ötürülmüş, 0 uğursuz" in html
    assert "şəkil götürülmədi (Bu fayl şəkil deyil.): " in html
    assert "Kateqoriya uyğunluğu" in html and "cemiyyet" in html
    # The same record, read by an editor working in Russian.
    with translation.override("ru"):
        url = reverse("admin:articles_source_change", args=[az_source.pk])
    assert (
        "изображение пропущено (Этот файл не является изображением.): "
        in client.get(url).content.decode()
    )


def test_inactive_source_imports_when_named(make_source, server):
    server.add_fixture("/atom", "atom.xml")
    source = make_source("/atom", is_active=False)

    call_command("import_feeds", "--quiet")
    assert not Article.objects.exists()

    call_command("import_feeds", "--quiet", "--source", source.slug)
    assert Article.objects.filter(source=source).count() == 2


@pytest.mark.django_db(transaction=True)
def test_fetch_now_answers_at_once_when_a_source_is_slow(
    client, editor, server, make_source, settings
):
    import threading

    from django.urls import reverse

    settings.FEED_FETCH_NOW_WAIT_SECONDS = 0.3
    server.add("/slow", slow(1.0))
    source = make_source("/slow", name="Yavaş.az")
    client.force_login(editor)
    changelist = reverse("admin:articles_source_changelist")
    started = time.monotonic()

    response = client.post(
        changelist, {"action": "fetch_now", "_selected_action": [source.pk]}, follow=True
    )

    assert time.monotonic() - started < 1.0
    html = response.content.decode()
    assert "Hələ arxa planda yüklənir: Yavaş.az" in html
    for thread in threading.enumerate():
        if thread.name == "fetch-now":
            thread.join(10)
    source.refresh_from_db()
    # slow() answers an empty feed after a second: the import finished and was recorded.
    assert source.last_status == ImportStatus.FAILED
    assert recorded_errors(source) == ["the feed has no entries"]
