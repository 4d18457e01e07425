"""Recompute the story index (fingerprints and keys) of every article, in batches.

Matching compares an arriving article with the fingerprints stored for the others; those of
articles stored before matching changed (older ones lack the dates matching now compares)
are rewritten by what matching computes today. Stories, leads and editors' moves are left as
they are: only the index is rebuilt. Safe to stop and run again: each batch is one
transaction, and a rerun rebuilds every article again (`--after ID` resumes).
"""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.stories import reindex_articles

# Only what the fingerprint is computed from.
_FIELDS = ("title", "lead", "body", "language", "published_at", "story_id")


class Command(BaseCommand):
    help = "Recompute the story-matching fingerprints and keys of all articles (stories kept)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, metavar="N")
        parser.add_argument(
            "--after", type=int, default=0, metavar="ID", help="Start after this article id."
        )

    def handle(self, *args, batch_size=500, after=0, **options):
        if batch_size <= 0:
            raise CommandError("--batch-size needs a positive number.")
        done = 0
        last = after
        while True:
            batch = list(
                Article.objects.filter(pk__gt=last).order_by("pk").only(*_FIELDS)[:batch_size]
            )
            if not batch:
                break
            done += reindex_articles(batch)
            last = batch[-1].pk
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} articles reindexed (up to id {last}).")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the story index of {done} articles."))
