"""PostgreSQL: the search columns are kept by a trigger instead of being generated columns.

Same words, same weights (migration 0006), but computed by two SQL functions a trigger calls
on INSERT and on UPDATE OF title, lead, body. A generated column cannot be given: every row
of a bulk load paid for `to_tsvector` of its body, half of `generate_articles`' time. The
trigger keeps vectors an INSERT supplies (generate_articles computes them once per distinct
text with the same functions); every other writer (the ORM never names these columns) gets
them computed. A no-op on other databases.
"""

from django.db import migrations


def _vector(column):
    return f"to_tsvector('portal_search'::regconfig, translate(coalesce({column}, ''), 'əƏ', 'eE'))"


FORWARD_SQL = f"""
CREATE FUNCTION articles_search_head(title text, lead text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight({_vector("title")}, 'A') || setweight({_vector("lead")}, 'B');
CREATE FUNCTION articles_search_body(body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN strip({_vector("body")});
CREATE FUNCTION articles_article_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.search_head IS NOT NULL AND NEW.search_vector IS NOT NULL THEN
    RETURN NEW;
  END IF;
  NEW.search_head := articles_search_head(NEW.title, NEW.lead);
  NEW.search_vector := NEW.search_head || articles_search_body(NEW.body);
  RETURN NEW;
END $$;
ALTER TABLE articles_article
  ALTER COLUMN search_vector DROP EXPRESSION,
  ALTER COLUMN search_head DROP EXPRESSION;
CREATE TRIGGER article_search_columns
  BEFORE INSERT OR UPDATE OF title, lead, body ON articles_article
  FOR EACH ROW EXECUTE FUNCTION articles_article_search_columns();
"""

HEAD = f"setweight({_vector('title')}, 'A') || setweight({_vector('lead')}, 'B')"
BACKWARD_SQL = f"""
DROP TRIGGER article_search_columns ON articles_article;
DROP FUNCTION articles_article_search_columns();
DROP FUNCTION articles_search_body(text);
DROP FUNCTION articles_search_head(text, text);
ALTER TABLE articles_article DROP COLUMN search_vector, DROP COLUMN search_head;
ALTER TABLE articles_article
  ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({HEAD} || strip({_vector("body")})) STORED,
  ADD COLUMN search_head tsvector GENERATED ALWAYS AS ({HEAD}) STORED,
  ALTER COLUMN search_vector SET STORAGE MAIN,
  ALTER COLUMN search_head SET STORAGE MAIN;
CREATE INDEX article_search_vector ON articles_article USING gin (search_vector);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_article_went_live_at"),
    ]

    operations = [migrations.RunPython(forward, backward)]
