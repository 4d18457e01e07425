"""Broken encodings, truncated files, 50 MB lines and binary data in seed dumps and feeds:
a clear error naming the problem, and nothing imported from the broken file or feed."""

import os

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from articles.importers.feeds import import_source
from articles.models import Article, ImportStatus
from articles.tests.feed_server import FIXTURES

pytestmark = pytest.mark.usefixtures("feed_import")

MB = 1024 * 1024
RSS_AZ = (FIXTURES / "rss_az.xml").read_bytes()


def fifty_mb_line(handler):
    """A feed whose second line is 50 MB long, streamed without a Content-Length."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        handler.wfile.write(b'<?xml version="1.0"?>\n<rss><channel><item><title>')
        for _ in range(50):
            handler.wfile.write(b"x" * MB)
    except (BrokenPipeError, ConnectionResetError):
        pass
    handler.close_connection = True


BROKEN_FEEDS = {
    "truncated mid-entry": (RSS_AZ[: len(RSS_AZ) // 2], "malformed XML"),
    "truncated before the end": (RSS_AZ[:-20], "malformed XML"),
    "UTF-8 with a broken byte": (RSS_AZ.replace("ə".encode(), b"\xe9", 1), "broken encoding"),
    "random binary": (os.urandom(64 * 1024), "malformed XML"),
    "a PNG picture": (b"\x89PNG\r\n\x1a\n" + os.urandom(4096), "malformed XML"),
    "NUL bytes in a title": (
        RSS_AZ.replace(b"<title>Bak", b"<title>\x00\x00Bak", 1),
        "malformed XML",
    ),
}


@pytest.mark.parametrize("case", BROKEN_FEEDS)
def test_a_broken_feed_is_a_clear_error_and_imports_nothing(server, make_source, case):
    body, message = BROKEN_FEEDS[case]
    server.add("/broken.xml", body, content_type="application/rss+xml; charset=utf-8")
    source = make_source("/broken.xml")

    report = import_source(source)

    assert report.status == ImportStatus.FAILED
    assert message in report.error
    assert "nothing imported" in report.error
    assert not Article.objects.exists()
    source.refresh_from_db()
    with translation.override("en"):
        assert message in source.import_errors()[0]


def test_a_feed_with_a_50_mb_line_is_cut_off_at_the_size_limit(server, make_source):
    server.add("/line.xml", fifty_mb_line)
    source = make_source("/line.xml")

    report = import_source(source)

    assert report.status == ImportStatus.FAILED
    assert "exceeds the limit of 5 MB" in report.error
    assert not Article.objects.exists()


def test_the_same_feed_whole_imports_every_entry(server, make_source):
    """The control: the feed the broken cases were cut from imports fine."""
    server.add_fixture("/whole.xml", "rss_az.xml")

    report = import_source(make_source("/whole.xml"))

    assert report.status == ImportStatus.OK and report.new == 4


def test_broken_seed_dumps_are_named_with_their_problem_and_import_nothing(
    db, tmp_path, capsys, seed_dump
):
    good = seed_dump.read_bytes()
    (tmp_path / "000_good.txt").write_bytes(good)
    (tmp_path / "001_truncated.txt").write_bytes(good[: len(good) // 3])
    (tmp_path / "002_cp1251.txt").write_bytes(
        good.decode("utf-8").replace("ə", "e").encode("cp1251", "replace")
        + "Новости".encode("cp1251")
    )
    (tmp_path / "003_line.txt").write_bytes(b"x" * (50 * MB))
    (tmp_path / "004_binary.txt").write_bytes(os.urandom(4096))
    (tmp_path / "005_nul.txt").write_bytes(good.replace(b"\n", b"\n\x00", 3))

    with pytest.raises(CommandError, match="1 of 6 files imported.* 5 files failed"):
        call_command("import_seeds", str(tmp_path))

    errors = capsys.readouterr().err
    assert "001_truncated.txt:" in errors and "unexpected end of file" in errors
    assert "002_cp1251.txt:" in errors and "invalid UTF-8 byte" in errors
    assert "003_line.txt:1: file too large" in errors
    assert "004_binary.txt:" in errors
    assert "005_nul.txt:" in errors and "binary content" in errors
    # Only the good dump's articles, exactly as a clean import makes them.
    imported = set(Article.objects.values_list("title", flat=True))
    Article.objects.all().delete()
    call_command("import_seeds", str(tmp_path / "000_good.txt"), verbosity=0)
    assert imported == set(Article.objects.values_list("title", flat=True))
