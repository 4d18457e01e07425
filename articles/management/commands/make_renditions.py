"""Write the renditions of every article picture again: after a change of their widths,
quality or place (e.g. the move to renditions/, which leaves older pictures without any)."""

from django.core.management.base import BaseCommand
from PIL import Image

from articles import images
from articles.caching import articles_changed
from articles.models import Article


class Command(BaseCommand):
    help = "Write the WebP and JPEG renditions of every article picture."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="only pictures whose renditions are missing"
        )

    def handle(self, *args, missing=False, **options):
        made = failed = 0
        articles = Article.objects.exclude(image="").only("id", "image", "image_width")
        for article in articles.iterator():
            if missing and article.image_width:
                widest = images.planned_widths(article.image_width)[-1]
                name = images.rendition_name(article.image.name, widest, "webp")
                if article.image.storage.exists(name):
                    continue
            try:
                width, height = images.make_renditions(article.image)
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                failed += 1
                self.stderr.write(f"article {article.pk}: {error}")
                continue
            Article.objects.filter(pk=article.pk).update(image_width=width, image_height=height)
            made += 1
        if made:
            articles_changed()
        self.stdout.write(self.style.SUCCESS(f"{made} pictures resized, {failed} failed."))
