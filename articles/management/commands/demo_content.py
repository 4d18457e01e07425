"""Add a small demo set so a newcomer's site looks lived in: `make run` calls it.

    python manage.py demo_content [--dry-run]

The seed dump holds one article of one January week; this adds categories for the menu, a
"Demo" source and about thirty articles spread over the last days (Azerbaijani ones built from
the seed's sentences, Russian ones from the paragraphs `generate_articles` uses), a few with
pictures drawn here with Pillow and resized as the admin does. Everything is marked as demo:
the source is called Demo and its addresses are under demo.example (a reserved domain).
Idempotent: an article is known by its demo address, so a second run adds nothing.
"""

import io
import re
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from PIL import Image, ImageDraw

from articles import text
from articles.caching import articles_changed
from articles.importers.seed_dump import parse_seed_file
from articles.management.commands.generate_articles import (
    DEFAULT_CATEGORIES,
    RU_PARAGRAPHS,
    RU_TITLES,
    SEED_FILE,
)
from articles.models import Article, Category, DailyViews, Source
from articles.services import store_renditions

DEMO_HOME = "https://demo.example"
AZ_ARTICLES = 24
SPREAD = timedelta(days=5)
PICTURE_EVERY = 6  # one article in six has a picture
PICTURE_SIZE = (1600, 900)
CAPTIONS = {"az": "Demo şəkil", "ru": "Демонстрационное изображение"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TITLE_WORDS = 14
MIN_TITLE_WORDS = 5


class Command(BaseCommand):
    help = "Add demo categories, a Demo source and demo articles in both languages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only say what would be made")

    def handle(self, *args, dry_run, verbosity, **options):
        planned = self._planned()
        known = set(
            Article.objects.filter(source_url__startswith=DEMO_HOME).values_list(
                "source_url", flat=True
            )
        )
        missing = [item for item in planned if item["source_url"] not in known]
        if dry_run:
            self.stdout.write(f"Would add {len(missing)} of {len(planned)} demo articles.")
            return
        with transaction.atomic():
            categories = self._categories()
            source = self._source()
            created = [self._create(item, source, categories) for item in missing]
        articles_changed()
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(created)} demo articles added, {len(planned) - len(missing)} "
                    f"already there; {len(categories)} categories."
                )
            )

    # --- What is made ------------------------------------------------------------------------

    def _planned(self):
        """Return the demo articles' fields, newest first, the same on every run."""
        page = parse_seed_file(SEED_FILE)
        sentences = [s for p in page.article.paragraphs for s in _SENTENCE_END.split(p) if s]
        items = []
        for start, sentence in enumerate(sentences):
            title = _title(sentence)
            if title and len(items) < AZ_ARTICLES:
                body = [sentences[(start + k) % len(sentences)] for k in range(4)]
                items.append(_item("az", len(items), title, body))
        for number, title in enumerate(RU_TITLES):
            body = [RU_PARAGRAPHS[(number + k) % len(RU_PARAGRAPHS)] for k in range(3)]
            items.append(_item("ru", number, title, body))
        # Interleave the languages over the last days, newest first.
        items.sort(key=lambda item: item["rank"])
        step = SPREAD / len(items)
        for position, item in enumerate(items):
            item["age"] = step * position + timedelta(minutes=7)
        return items

    def _categories(self):
        for position, (slug, name_az, name_ru) in enumerate(DEFAULT_CATEGORIES):
            Category.objects.get_or_create(
                slug=slug, defaults={"name_az": name_az, "name_ru": name_ru, "position": position}
            )
        return list(Category.objects.order_by("position", "pk"))

    def _source(self):
        source, _created = Source.objects.get_or_create(
            slug="demo",
            defaults={"name": "Demo", "kind": Source.Kind.SITE, "homepage": DEMO_HOME},
        )
        return source

    def _create(self, item, source, categories):
        now = timezone.now()
        published = now - item["age"]
        number = item["number"]
        article = Article.objects.create(
            language=item["language"],
            title=item["title"],
            slug=text.slugify_title(item["title"]),
            body="".join(f"<p>{escape(paragraph)}</p>" for paragraph in item["body"]),
            category=categories[number % len(categories)] if categories else None,
            source=source,
            source_url=item["source_url"],
            archived_at=published + timedelta(minutes=3),
            status=Article.Status.PUBLISHED,
            published_at=published,
            views=item["views"],
        )
        DailyViews.objects.create(
            article=article, day=timezone.localdate(published), views=item["views"]
        )
        if number % PICTURE_EVERY == 0:
            article.image.save(f"demo-{article.language}-{number}.png", _picture(number))
            article.image_caption = CAPTIONS[article.language]
            Article.objects.filter(pk=article.pk).update(image_caption=article.image_caption)
            store_renditions(article)  # the admin's resizing, at upload
        return article


def _item(language, number, title, body):
    return {
        "language": language,
        "number": number,
        "title": title,
        "body": body,
        "source_url": f"{DEMO_HOME}/{language}/{number + 1}",
        # Russian articles every fourth place or so; views fall with age, with some spread.
        "rank": number * (4 if language == "ru" else 1.2) + (1 if language == "ru" else 0),
        "views": 40 + (number * 37) % 260,
    }


def _title(sentence):
    """Make a headline of a seed sentence, or return "" if it makes none.

    A short sentence is a headline as it is; a long one lends its first clause if that is
    whole and short; the rest stay body text (a headline cut mid-phrase reads badly).
    """
    sentence = sentence.rstrip(".!?")
    if len(sentence.split()) <= TITLE_WORDS:
        return sentence
    clause = sentence.split(", ")[0]
    if clause.endswith((" ki", " kimi")):  # "... qeyd etdiyi kimi": it leads into the rest
        return ""
    return clause if MIN_TITLE_WORDS <= len(clause.split()) <= TITLE_WORDS else ""


def _picture(number):
    """Draw a demo picture: a two-colour gradient with a few circles, as PNG bytes."""
    palettes = [
        ((10, 77, 140), (0, 150, 136)),
        ((183, 28, 28), (255, 143, 0)),
        ((55, 71, 79), (124, 179, 66)),
    ]
    top, bottom = palettes[number % len(palettes)]
    width, height = PICTURE_SIZE
    picture = Image.new("RGB", PICTURE_SIZE)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        share = y / (height - 1)
        colour = tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    for k in range(5):
        radius = 60 + 25 * ((number + k) % 4)
        x, y = 200 + k * 300, 260 + 120 * ((number * 3 + k) % 4)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline="white", width=6)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())
