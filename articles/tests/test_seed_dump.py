"""Tests for the parser of the portal's page dumps."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.importers.seed_dump import (
    MAX_FILE_SIZE,
    SeedDumpError,
    parse_seed_dump,
    parse_seed_file,
)

BAKU = ZoneInfo("Asia/Baku")
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_50356239f90487a7.txt"

# Line numbers in the tests below refer to this dump (line 1 is "Icma.az").
AZ_DUMP = """\
Icma.az
close
up
RU
Bakıda yeni park açıldı

Bakıda yeni park açıldı

Icma.az, Oxu.az saytına istinadən məlumat yayır.

Park beş hektar ərazini əhatə edir.

Açılışda sakinlər iştirak edib.

Sonrakı hadisələr barədə daha çox məlumat almaq üçün Icma.az saytını izləyin.
seeBaxış sayı: 42
embed Mənbə:https://oxu.az/society/123
archiveBu xəbər 21 Yanvar 2026 09:05 mənbədən arxivləşdirilmişdir
2 Şərh
Daxil olun, şərh yazmaq üçün...
Aysel: Çox gözəl!
Rauf: Bəs Son xəbərlər harada?
topGünün ən çox oxunanları
Hal-hazırda ən çox müzakirə olunan hadisələr

Azərbaycan nefti ucuzlaşıb

21 Yanvar 2026 00:29see136

Əhaliyə texniki kartof satılır? ARAŞDIRMA

21 Yanvar 2026 11:49see132
newsSon xəbərlər
Günün ən son və aktual hadisələri
"""

RU_DUMP = """\
Icma.az
close
up
AZ
Морозы в Азербайджане продлятся до выходных ФОТО

Морозы в Азербайджане продлятся до выходных ФОТО

Icma.az, ссылаясь на сайт Haqqin.az, передает.

По данным синоптиков, ночью температура опустится до минус десяти градусов.

Следите за погодой: в горах ожидается снег.

Следите за Icma.az, чтобы узнать больше о дальнейших событиях.
seeПросмотров: 57
embedИсточник: https://haqqin.az/news/1
archiveЭта новость взята из источника 22 января 2026 08:15
3 комментария
Войдите, чтобы оставить комментарий...
topСамое читаемое за день
Самые обсуждаемые события сейчас

В Баку открылся новый парк ФОТО

22 января 2026 07:40see310
newsПоследние новости
Самые свежие и актуальные события дня
"""


def replace_line(text, number, new):
    """Return the text with its 1-based line replaced (by nothing, when new is None)."""
    lines = text.split("\n")
    lines[number - 1 : number] = [] if new is None else [new]
    return "\n".join(lines)


def assert_error(text, line, message):
    """Assert that parsing fails at the line with the message."""
    with pytest.raises(SeedDumpError) as caught:
        parse_seed_dump(text, "dump.txt")
    assert caught.value.line == line
    assert str(caught.value) == f"dump.txt:{line}: {message}"


def test_seed_article():
    page = parse_seed_file(SEED)
    article = page.article

    assert page.site_name == "Icma.az"
    assert article.title == "Strateji müttəfiqliyin yeni mərhələsi"
    assert (article.source_name, article.source_kind) == ("525.az", "portal")
    assert len(article.paragraphs) == 15
    assert article.paragraphs[0].startswith("Azərbaycan ilə Qazaxıstan arasında")
    assert article.paragraphs[-1].startswith("Gələcək illərdə")
    assert article.author_name == "Fuad Hüseynzadə"
    assert article.author_position == (
        "Binəqədi Rayon İcra Hakimiyyəti yanında İctimai Şuranın katibi"
    )
    assert article.views == 121
    assert article.source_url == "https://525.az"
    assert article.archived_at == datetime(2025, 10, 20, 12, 24, tzinfo=BAKU)
    assert article.language == "az"


def test_seed_most_read():
    most_read = parse_seed_file(SEED).most_read

    assert [entry.views for entry in most_read] == [
        236, 222, 215, 207, 198, 195, 180, 173, 164, 161,
        152, 149, 147, 144, 143, 140, 136, 132, 132, 130,
    ]  # fmt: skip
    first = most_read[0]
    assert first.title == "Lotereyada 2 milyard dollara yaxın pul qazanıldı, götürən yoxdur"
    assert first.published_at == datetime(2026, 1, 21, 13, 23, tzinfo=BAKU)
    assert first.line == 55
    labels = {index: entry.label for index, entry in enumerate(most_read) if entry.label}
    assert labels == {
        1: "DEPUTAT DANIŞDI",
        9: "FOTOLAR",
        11: "YENİLƏNİR",
        18: "ŞƏRH",
        19: "ARAŞDIRMA",
    }
    assert most_read[19].title == "Əhaliyə texniki kartof satılır?"


def test_small_dump():
    page = parse_seed_dump(AZ_DUMP)
    article = page.article

    assert (article.source_name, article.source_kind) == ("Oxu.az", "site")
    assert article.views == 42
    assert article.source_url == "https://oxu.az/society/123"
    # Short closing paragraphs that end a sentence are body, not a byline.
    assert article.paragraphs == (
        "Park beş hektar ərazini əhatə edir.",
        "Açılışda sakinlər iştirak edib.",
    )
    assert (article.author_name, article.author_position) == ("", "")
    assert [(entry.title, entry.label, entry.line) for entry in page.most_read] == [
        ("Azərbaycan nefti ucuzlaşıb", "", 26),
        ("Əhaliyə texniki kartof satılır?", "ARAŞDIRMA", 30),
    ]


def test_russian_dump():
    page = parse_seed_dump(RU_DUMP)
    article = page.article

    assert article.language == "ru"
    assert article.title == "Морозы в Азербайджане продлятся до выходных ФОТО"
    assert (article.source_name, article.source_kind) == ("Haqqin.az", "site")
    # A body paragraph may start like the follow-us line: only the last one is it.
    assert article.paragraphs == (
        "По данным синоптиков, ночью температура опустится до минус десяти градусов.",
        "Следите за погодой: в горах ожидается снег.",
    )
    assert article.views == 57
    assert article.source_url == "https://haqqin.az/news/1"
    assert article.archived_at == datetime(2026, 1, 22, 8, 15, tzinfo=BAKU)
    [entry] = page.most_read
    assert (entry.title, entry.label, entry.views) == ("В Баку открылся новый парк", "ФОТО", 310)
    assert entry.published_at == datetime(2026, 1, 22, 7, 40, tzinfo=BAKU)


def own_article(closing):
    """Return AZ_DUMP without source lines, its last paragraph followed by closing lines."""
    text = AZ_DUMP
    for number in (18, 17, 10, 9):  # archive, source link, attribution and its blank line
        text = replace_line(text, number, None)
    extra = "".join(f"\n{line}\n" for line in closing)
    return text.replace("iştirak edib.\n", f"iştirak edib.\n{extra}")


def test_own_article_with_byline():
    article = parse_seed_dump(own_article(["Aynur Məmmədova", "Icma.az-ın müxbiri"])).article

    assert (article.source_name, article.source_kind, article.source_url) == ("", "", "")
    assert article.archived_at is None
    assert article.paragraphs == (
        "Park beş hektar ərazini əhatə edir.",
        "Açılışda sakinlər iştirak edib.",
    )
    assert (article.author_name, article.author_position) == (
        "Aynur Məmmədova",
        "Icma.az-ın müxbiri",
    )


def test_lone_short_closing_paragraph_is_the_author_name():
    article = parse_seed_dump(own_article(["Aynur Məmmədova"])).article

    assert (article.author_name, article.author_position) == ("Aynur Məmmədova", "")
    assert len(article.paragraphs) == 2


def test_long_closing_paragraph_stays_body():
    long_line = "Park " + "yaşıl " * 30 + "qalacaq"

    article = parse_seed_dump(own_article([long_line, "Aynur Məmmədova"])).article

    assert (article.author_name, article.author_position) == ("Aynur Məmmədova", "")
    assert article.paragraphs[-1] == long_line


def test_lenient_with_blank_lines_whitespace_crlf_and_bom(tmp_path):
    messy = "\ufeff\n" + AZ_DUMP.replace("\n\n", "\n\n\n").replace("\n", " \t\r\n")
    path = tmp_path / "messy.txt"
    path.write_bytes(messy.encode("utf-8"))

    page = parse_seed_file(path)

    expected = parse_seed_dump(AZ_DUMP)
    assert page.article == expected.article
    assert [(e.title, e.views) for e in page.most_read] == [
        (e.title, e.views) for e in expected.most_read
    ]


@pytest.mark.parametrize("value", ["seeBaxış sayı:12a", "seeBaxış sayı:-3", "seeBaxış sayı:"])
def test_bad_views_number(value):
    assert_error(replace_line(AZ_DUMP, 16, value), 16, 'expected "Baxış sayı:<number>"')


@pytest.mark.parametrize("value", ["31 Fevral 2026 00:29see136", "21 Yanvr 2026 00:29see136"])
def test_bad_date_in_most_read_entry(value):
    assert_error(
        replace_line(AZ_DUMP, 28, value), 28, 'expected a date like "20 Oktyabr 2025 12:24"'
    )


def test_bad_view_count_in_most_read_entry():
    text = replace_line(AZ_DUMP, 28, "21 Yanvar 2026 00:29seemany")

    assert_error(text, 28, 'expected a view count after "see"')


def test_bad_archive_date():
    text = replace_line(
        AZ_DUMP, 18, "archiveBu xəbər 21 Yanvar 2026 25:05 mənbədən arxivləşdirilmişdir"
    )

    assert_error(text, 18, 'expected a date like "20 Oktyabr 2025 12:24"')


def test_title_not_repeated():
    expected = 'expected the title repeated ("Bakıda yeni park açıldı")'

    assert_error(replace_line(AZ_DUMP, 7, "Bakıda yeni park açıldı!"), 7, expected)
    assert_error(replace_line(AZ_DUMP, 7, None), 8, expected)


def test_article_without_body():
    text = replace_line(replace_line(AZ_DUMP, 13, None), 11, None)

    assert_error(text, 13, "expected a body paragraph before the follow-us line")


def test_missing_follow_us_line():
    text = replace_line(AZ_DUMP, 15, None)

    assert_error(text, 15, 'expected the follow-us line ("Sonrakı hadisələr ...")')


def test_unexpected_line_instead_of_comment_count():
    assert_error(replace_line(AZ_DUMP, 19, "iki Şərh"), 19, 'expected "<number> Şərh"')
    assert_error(
        replace_line(own_article([]), 15, "Mənbə yoxdur"),
        15,
        'expected "Mənbə:<url>", "Bu xəbər <date> mənbədən arxivləşdirilmişdir" or "<number> Şərh"',
    )


def test_truncated_file():
    lines = AZ_DUMP.split("\n")

    assert_error(
        "\n".join(lines[:30]),
        30,
        'unexpected end of file, expected a date and view count like "20 Oktyabr 2025 12:24see236"',
    )
    assert_error(
        "\n".join(lines[:14]),
        13,
        'unexpected end of file, expected the follow-us line ("Sonrakı hadisələr ...")',
    )
    assert_error(
        "\n".join(lines[:33]),
        33,
        'unexpected end of file, expected the subtitle of "Son xəbərlər"',
    )


@pytest.mark.parametrize("text", ["", "\ufeff", "\n  \n\t\r\n"])
def test_empty_file(text):
    assert_error(text, 1, "empty file, expected the site name")


def test_binary_content_in_text():
    assert_error(replace_line(AZ_DUMP, 3, "up\x00\x00"), 3, "binary content, expected text")


def test_binary_file(tmp_path):
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(replace_line(AZ_DUMP, 11, "Park \udcff").encode("utf-8", "surrogateescape"))

    with pytest.raises(SeedDumpError, match=r"image\.txt:1: invalid UTF-8 byte 0x89, expected"):
        parse_seed_file(png)
    with pytest.raises(SeedDumpError) as caught:
        parse_seed_file(broken)
    assert caught.value.line == 11
    assert str(caught.value).endswith(":11: invalid UTF-8 byte 0xff, expected UTF-8 text")


def test_file_too_large(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(AZ_DUMP.encode("utf-8").ljust(MAX_FILE_SIZE + 1, b"\n"))

    with pytest.raises(SeedDumpError, match=r"huge\.txt:1: file too large"):
        parse_seed_file(path)


@pytest.mark.parametrize(
    "value", ["embedMənbə:ftp://oxu.az", "embedMənbə:oxu.az", "embedMənbə:https://", "Mənbə:"]
)
def test_bad_source_url(value):
    text = replace_line(AZ_DUMP, 17, value)

    assert_error(text, 17, "expected a URL starting with http:// or https://")


def test_unknown_language_switch():
    assert_error(replace_line(AZ_DUMP, 4, "EN"), 4, 'expected "RU" or "AZ" (the language switch)')
