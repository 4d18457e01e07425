"""Drill: back up a live site with backup.sh, restore it elsewhere, compare what both serve.

    .venv/bin/python bench/drills/restore.py [--views 200]

On the PostgreSQL server of BENCH_DATABASE_URL (default 127.0.0.1:5432) it creates a scratch
database, imports the seeds, serves it with gunicorn and reads articles as `--views` distinct
visitors (counted views); it gives one article an uploaded picture. Then `backup.sh backup`
dumps the database and the media, `backup.sh restore` loads them into a second, empty
database and media folder, and a second gunicorn serves the restored copy. Both sites are
crawled the same way (sitemaps, then every article page as a search engine, which is not
counted): the number of articles, the sum of the view counts shown on their pages, and the
picture must be the same. Prints both and exits 1 on any difference. Both databases and folders
are removed at the end.
"""

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import support  # noqa: E402
from bench.support import BROWSER  # noqa: E402

BACKUP = Path(__file__).resolve().parent / "backup.sh"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def crawl(base, media_root):
    """Return (article URLs, total of the view counts shown, picture bytes) as a crawler sees.

    The picture is read from `media_root` at the address the page shows: in production the
    web server in front of gunicorn serves /media/ from there.
    """
    index = requests.get(f"{base}/sitemap.xml", headers={"User-Agent": CRAWLER}, timeout=30).text
    pages = set()
    for section in re.findall(r"<loc>([^<]+)</loc>", index):
        path = re.sub(r"^https?://[^/]+", "", section)
        text = requests.get(base + path, headers={"User-Agent": CRAWLER}, timeout=30).text
        found = re.findall(r"<loc>([^<]+)</loc>", text)
        pages |= {re.sub(r"^https?://[^/]+", "", url) for url in found}
    articles = sorted(path for path in pages if "/news/" in path)
    views, picture = 0, None
    for path in articles:
        html = requests.get(base + path, headers={"User-Agent": CRAWLER}, timeout=30).text
        views += int(re.search(r"<span>[^<]*<strong>(\d+)</strong></span>", html)[1])
        found = re.search(r'<img[^>]+src="(/media/[^"]+)"', html)
        if found and picture is None:
            picture = (Path(media_root) / found[1].removeprefix("/media/")).read_bytes()
    return articles, views, picture


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", type=int, default=200, help="counted visits before the backup")
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix="restore-drill-"))
    names = {"live": f"drill_live_{run}", "restored": f"drill_restored_{run}"}
    urls = {key: support.create_database(name) for key, name in names.items()}
    media = {key: work / f"media-{key}" for key in names}
    servers = []
    try:
        live = support.drill_env(urls["live"], MEDIA_ROOT=str(media["live"]))
        support.prepare_site(live)
        support.manage(
            live,
            "shell",
            "-c",
            "from django.core.files.base import ContentFile\n"
            "from articles.models import Article\n"
            "from articles.tests.feed_server import tiny_jpeg\n"
            "a = Article.objects.published().order_by('id').first()\n"
            "a.image.save('drill.jpg', ContentFile(tiny_jpeg()), save=True)",
        )
        port = support.free_port()
        servers.append(
            support.start_gunicorn(live, port, *support.DRILL_GUNICORN, log=work / "live.log")
        )
        base = f"http://127.0.0.1:{port}"
        articles, _views, _picture = crawl(base, media["live"])
        for visit in range(args.views):
            agent = f"{BROWSER} drill-{visit}"
            requests.get(base + random.choice(articles), headers={"User-Agent": agent}, timeout=30)
        before = crawl(base, media["live"])

        backup = work / "backup"
        script = str(BACKUP)
        subprocess.run(
            [script, "backup", urls["live"], str(media["live"]), str(backup)], check=True
        )
        subprocess.run(
            [script, "restore", str(backup), urls["restored"], str(media["restored"])], check=True
        )

        restored_env = support.drill_env(urls["restored"], MEDIA_ROOT=str(media["restored"]))
        port = support.free_port()
        servers.append(
            support.start_gunicorn(
                restored_env, port, *support.DRILL_GUNICORN, log=work / "restored.log"
            )
        )
        after = crawl(f"http://127.0.0.1:{port}", media["restored"])

        print(f"live site:     {len(before[0])} articles, {before[1]} views in all")
        print(f"restored site: {len(after[0])} articles, {after[1]} views in all")
        same_picture = before[2] is not None and before[2] == after[2]
        print(f"uploaded picture identical: {'yes' if same_picture else 'no'}")
        ok = before[0] == after[0] and before[1] == after[1] and same_picture
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for server in servers:
            support.stop(server)
        for name in names.values():
            support.drop_database(name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
