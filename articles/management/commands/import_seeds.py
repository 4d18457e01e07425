"""Import portal page dumps (the format of seeds/*.txt) as demo content.

Each file is imported in one transaction: a broken file imports nothing and is reported with
its line and what was expected; the other files still import. Running it twice changes nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importers.seed_dump import SeedDumpError
from articles.importers.seeds import import_seed_file

DEFAULT_DIR = Path(settings.BASE_DIR) / "seeds"


class Command(BaseCommand):
    help = "Import portal page dumps (default: every file in seeds/)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="dump files or folders of dumps")

    def handle(self, *args, paths, verbosity, **options):
        files = self._files([Path(p) for p in paths] or [DEFAULT_DIR])
        created = unchanged = 0
        failed = []
        for path in files:
            try:
                result = import_seed_file(path)
            except SeedDumpError as error:
                self.stderr.write(self.style.ERROR(str(error)))
                failed.append(path)
                continue
            created += result.created
            unchanged += result.unchanged
            if verbosity > 1:
                self.stdout.write(f"{path}: {result.created} new, {result.unchanged} already there")
        summary = f"{len(files) - len(failed)} of {len(files)} files imported: "
        summary += f"{created} new articles, {unchanged} already there."
        if failed:
            raise CommandError(summary + f" {len(failed)} files failed.")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(summary))

    def _files(self, paths):
        files = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir() if p.is_file()))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder.")
        return files
