import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, DailyViews, Source


def snapshot():
    return sorted(Article.objects.values_list("id", "title", "slug", "views", "published_at"))


def test_seed_import_creates_the_article_its_source_and_the_most_read_entries(seeded):
    assert seeded.title == "Strateji müttəfiqliyin yeni mərhələsi"
    assert seeded.views == 121
    assert seeded.author_name == "Fuad Hüseynzadə"
    assert seeded.source.name == "525.az"
    assert seeded.source.homepage == "https://525.az"
    assert seeded.source_link == "https://525.az"
    assert seeded.is_visible
    assert Article.objects.count() == 21
    assert Article.objects.get(title__startswith="ÇL: İstanbulda hesab açıldı").label == "YENİLƏNİR"
    assert DailyViews.objects.get(article=seeded).views == 121


def test_seed_import_is_idempotent(seeded, capsys):
    before = snapshot()

    call_command("import_seeds")

    assert snapshot() == before
    assert Source.objects.count() == 1
    assert DailyViews.objects.count() == 21
    assert "0 new articles, 21 already there" in capsys.readouterr().out


def test_broken_dump_imports_nothing_from_that_file_and_the_others_still_import(
    db, tmp_path, capsys, seed_dump
):
    broken = tmp_path / "001_broken.txt"
    text = seed_dump.read_text(encoding="utf-8").replace(
        "Strateji müttəfiqliyin yeni mərhələsi", "Sınıq fayl"
    )
    broken.write_text(text.replace("seeBaxış sayı:121", "seeBaxış sayı:çox"), encoding="utf-8")
    good = tmp_path / "000_good.txt"
    good.write_text(seed_dump.read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(CommandError, match="1 files failed"):
        call_command("import_seeds", str(tmp_path))

    error = capsys.readouterr().err
    line = text.splitlines().index("seeBaxış sayı:121") + 1
    assert f"{broken}:{line}:" in error
    assert "Baxış sayı" in error
    assert not Article.objects.filter(title="Sınıq fayl").exists()
    assert Article.objects.filter(title="Strateji müttəfiqliyin yeni mərhələsi").exists()


def test_missing_path_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_seeds", "/nonexistent/dump.txt")
