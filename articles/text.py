"""Text helpers for the portal: slugs, casing, labels, dates and attribution lines."""

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from string import Formatter
from zoneinfo import ZoneInfo

BAKU_TZ = ZoneInfo("Asia/Baku")

# --- Slugs -------------------------------------------------------------------------------------

_AZ_FOLD = {"ə": "e", "ı": "i", "İ": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u"}
_RU_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}
_SLUG_TABLE = str.maketrans(
    {
        char: ascii_
        for table in (_AZ_FOLD, _RU_TRANSLIT)
        for lower, ascii_ in table.items()
        for char in (lower, lower.upper())
    }
)
_NON_SLUG_RUN = re.compile(r"[^a-z0-9]+")
SLUG_FALLBACK = "article"


def slugify_title(title: str, max_length: int = 80) -> str:
    """Return the portal's ASCII slug for a title, at most max_length characters."""
    if max_length < 1:
        raise ValueError(f"max_length must be positive, got {max_length}")
    folded = unicodedata.normalize("NFKD", title.translate(_SLUG_TABLE))
    # Drop only the accents: other non-ASCII characters (“ ” « » ’ —) separate words.
    plain = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    slug = _NON_SLUG_RUN.sub("-", plain).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Only split a word when the first word alone does not fit.
        if slug[max_length] != "-" and "-" in cut:
            cut = cut[: cut.rindex("-")]
        slug = cut.strip("-")
    return slug or SLUG_FALLBACK[:max_length]


# --- Casing ------------------------------------------------------------------------------------

_AZ_UPPER_TABLE = str.maketrans({"i": "İ", "ı": "I"})
_AZ_LOWER_TABLE = str.maketrans({"İ": "i", "I": "ı"})


def az_upper(text: str) -> str:
    """Upper-case text by Azerbaijani rules (i → İ, ı → I)."""
    return text.translate(_AZ_UPPER_TABLE).upper()


def az_lower(text: str) -> str:
    """Lower-case text by Azerbaijani rules (İ → i, I → ı)."""
    return text.translate(_AZ_LOWER_TABLE).lower()


def upper_for_language(text: str, language: str) -> str:
    """Upper-case text by the rules of the given language code."""
    return az_upper(text) if language == "az" else text.upper()


# --- Folding for matching ----------------------------------------------------------------------

# The letters lower() and unaccent leave wrong for matching: ə and ı have no accent to strip,
# İ would lower to i + a combining dot, I must match i (readers type "Ilham" for "İlham").
_FOLD_SPECIAL = {"ə": "e", "Ə": "e", "ı": "i", "İ": "i", "I": "i", "ё": "е", "Ё": "е"}


def fold(text: str) -> str:
    """Fold text for matching: lower case, Latin accents off, ə→e, ı/İ/I→i, ё→е.

    One character in, one character out, so a position in the folded text is a position in
    the original (search highlighting relies on it). It folds as PostgreSQL's `portal_search`
    configuration does (unaccent, then lower case), so SQLite and PostgreSQL match alike.
    """
    return text.translate(_FOLD_TABLE)


class _FoldTable(dict):
    """str.translate's table for fold(): each character's folding, worked out when first met.

    One look-up per character in C instead of a Python call per character (related news fold
    the titles of up to 200 candidates for every article page rendered).
    """

    def __missing__(self, code):
        folded = _fold_char(chr(code))
        if len(self) < _FOLD_TABLE_SIZE:  # text of every script cannot grow it without bound
            self[code] = folded
        return folded


_FOLD_TABLE_SIZE = 20_000


_FOLD_TABLE = _FoldTable()


def _fold_char(char: str) -> str:
    if char in _FOLD_SPECIAL:
        return _FOLD_SPECIAL[char]
    # As unaccent does: accents come off Latin letters only (й stays й).
    base = unicodedata.normalize("NFKD", char)[0]
    lower = (base if base.isascii() else char).lower()
    return lower if len(lower) == 1 else char


# --- Labels ------------------------------------------------------------------------------------

KNOWN_LABELS = (
    "FOTOLAR",
    "FOTO",
    "VİDEO",
    "YENİLƏNİR",
    "ŞƏRH",
    "ARAŞDIRMA",
    "MÜSAHİBƏ",
    "RƏY",
    "PROQNOZ",
    "RƏSMİ",
    "ФОТО",
    "ВИДЕО",
    "ОБНОВЛЕНО",
    "МНЕНИЕ",
    "ИНТЕРВЬЮ",
    "КОММЕНТАРИЙ",
    "РАССЛЕДОВАНИЕ",
    "ОФИЦИАЛЬНО",
)
_WORD = re.compile(r"\S+")


def _is_label_word(word: str) -> bool:
    return len(word) >= 2 and word.isalpha() and word.isupper()


def split_label(title: str) -> tuple[str, str]:
    """Split a trailing upper-case label off a title; return (title, label) or (title, "")."""
    words = list(_WORD.finditer(title))
    start = len(words)
    while start > 0 and _is_label_word(words[start - 1].group()):
        start -= 1
    run = [match.group() for match in words[start:]]
    # A lone unknown word is usually an acronym (BMT, NATO), not a label.
    if not run or (len(run) == 1 and run[0] not in KNOWN_LABELS):
        return title, ""
    rest = title[: words[start].start()].strip()
    if not rest or rest.isupper():
        return title, ""
    return rest, " ".join(run)


# --- Dates -------------------------------------------------------------------------------------

AZ_MONTHS = (
    "Yanvar",
    "Fevral",
    "Mart",
    "Aprel",
    "May",
    "İyun",
    "İyul",
    "Avqust",
    "Sentyabr",
    "Oktyabr",
    "Noyabr",
    "Dekabr",
)
RU_MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_MONTHS_BY_LANGUAGE = {"az": AZ_MONTHS, "ru": RU_MONTHS_GENITIVE}


# Folded, so "Iyun", "İYUN" and "iyun" all find June.
_MONTH_NUMBERS = {
    fold(name): number
    for months in _MONTHS_BY_LANGUAGE.values()
    for number, name in enumerate(months, start=1)
}
_PORTAL_DATETIME = re.compile(
    r"(?P<day>[0-9]{1,2})\s+(?P<month>\w+)\s+(?P<year>[0-9]{4})\s+"
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
)


def _months_for(language: str) -> tuple[str, ...]:
    try:
        return _MONTHS_BY_LANGUAGE[language]
    except KeyError:
        raise ValueError(f"unsupported language {language!r}; use 'az' or 'ru'") from None


def format_datetime(value: datetime, language: str = "az") -> str:
    """Format a datetime in Baku time as the portal shows it, e.g. "20 Oktyabr 2025 12:24"."""
    months = _months_for(language)
    if value.tzinfo is not None:
        value = value.astimezone(BAKU_TZ)
    return f"{value.day} {months[value.month - 1]} {value.year} {value.hour:02d}:{value.minute:02d}"


def format_change_time(changed: datetime, published: datetime, language: str = "az") -> str:
    """Format when an article changed: "14:05" on its publication day, else the full date."""
    changed, published = changed.astimezone(BAKU_TZ), published.astimezone(BAKU_TZ)
    if changed.date() == published.date():
        return f"{changed.hour:02d}:{changed.minute:02d}"
    return format_datetime(changed, language)


def parse_portal_datetime(text: str) -> datetime:
    """Parse a portal date like "20 Oktyabr 2025 12:24" into an aware Baku datetime."""
    match = _PORTAL_DATETIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a portal date 'D Month YYYY HH:MM': {text!r}")
    month = _MONTH_NUMBERS.get(fold(match["month"]))
    if month is None:
        raise ValueError(f"unknown month name {match['month']!r} in {text!r}")
    try:
        return datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            tzinfo=BAKU_TZ,
        )
    except ValueError as error:
        raise ValueError(f"invalid date {text!r}: {error}") from None


# --- Attribution lines -------------------------------------------------------------------------

SOURCE_KINDS = ("site", "portal", "agency")
# Each kind word declined per case; phrasings pick a case with {kind_<case>}.
_KIND_FORMS = {
    "az": {
        "site": {"dat": "saytına", "abl": "saytından"},
        "portal": {"dat": "portalına", "abl": "portalından"},
        "agency": {"dat": "agentliyinə", "abl": "agentliyindən"},
    },
    "ru": {
        "site": {"nom": "сайт", "acc": "сайт", "gen": "сайта"},
        "portal": {"nom": "портал", "acc": "портал", "gen": "портала"},
        "agency": {"nom": "агентство", "acc": "агентство", "gen": "агентства"},
    },
}
ATTRIBUTION_PHRASINGS = {
    "az": (
        "{site} bildirir, {source} {kind_dat} istinadən.",
        "{source} {kind_abl} alınan məlumatlara görə, {site} xəbər verir.",
        "{site}, {source} {kind_dat} istinadən məlumat yayır.",
    ),
    "ru": (
        "{site} сообщает со ссылкой на {kind_acc} {source}.",
        "{site}, ссылаясь на {kind_acc} {source}, передаёт.",
        "По информации {kind_gen} {source}, сообщает {site}.",
        "{site} передаёт со ссылкой на {kind_acc} {source}.",
    ),
}
# Phrasings other portals (and our older pages) use that we recognise but no longer write:
# "Как сообщает сайт X, передаёт Y" says "reports" twice.
RECOGNISED_ONLY_PHRASINGS = {
    "ru": ("Как сообщает {kind_nom} {source}, передаёт {site}.",),
}


def _kind_fields(language: str, kind: str) -> dict[str, str]:
    if language not in _KIND_FORMS:
        raise ValueError(f"unsupported language {language!r}; use 'az' or 'ru'")
    if kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {kind!r}; use one of {SOURCE_KINDS}")
    return {f"kind_{case}": form for case, form in _KIND_FORMS[language][kind].items()}


def attribution_line(site_name: str, source_name: str, kind: str, language: str, seed: int) -> str:
    """Return the attribution line naming the source, phrased stably by seed."""
    fields = _kind_fields(language, kind)
    phrasings = ATTRIBUTION_PHRASINGS[language]
    return phrasings[seed % len(phrasings)].format(site=site_name, source=source_name, **fields)


def _phrasing_pattern(phrasing: str, fields: dict[str, str]) -> re.Pattern[str]:
    parts = []
    for literal, field, _, _ in Formatter().parse(phrasing.removesuffix(".")):
        parts.append(re.escape(literal))
        if field == "source":
            parts.append(r"(?P<source>\S.*?)")
        elif field is not None:
            parts.append(re.escape(fields[field]))
    return re.compile("".join(parts))


def _fold_yo(text: str) -> str:
    # Russian writes ё or е in the same word ("передаёт", "передает"); both must match.
    return text.replace("ё", "е").replace("Ё", "Е")


@lru_cache(maxsize=8)
def _attribution_patterns(site_name: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    recognised = {
        language: (*phrasings, *RECOGNISED_ONLY_PHRASINGS.get(language, ()))
        for language, phrasings in ATTRIBUTION_PHRASINGS.items()
    }
    return tuple(
        (
            _phrasing_pattern(
                _fold_yo(phrasing),
                {
                    name: _fold_yo(value)
                    for name, value in {**_kind_fields(language, kind), "site": site_name}.items()
                },
            ),
            kind,
        )
        for language, phrasings in recognised.items()
        for phrasing in phrasings
        for kind in SOURCE_KINDS
    )


def parse_attribution(line: str, site_name: str = "Icma.az") -> tuple[str, str] | None:
    """Recognise an attribution line; return (source_name, kind) or None."""
    # Collapse whitespace runs (incl. non-breaking spaces) so only the wording has to match.
    text = " ".join(line.split()).removesuffix(".")
    folded = _fold_yo(text)  # same length: the source's name is cut from the unfolded text
    for pattern, kind in _attribution_patterns(site_name):
        match = pattern.fullmatch(folded)
        if match:
            return text[match.start("source") : match.end("source")], kind
    return None


RU_MONTHS_NOMINATIVE = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)


def format_day(value, language: str = "az") -> str:
    """Format a date as the portal does, e.g. "20 Oktyabr 2025" or "20 октября 2025"."""
    return f"{value.day} {_months_for(language)[value.month - 1]} {value.year}"


def format_month(value, language: str = "az") -> str:
    """Format the month of a date as a heading, e.g. "Oktyabr 2025" or "Октябрь 2025"."""
    months = RU_MONTHS_NOMINATIVE if language == "ru" else _months_for(language)
    return f"{months[value.month - 1]} {value.year}"


def firsts_between(first, last, kind):
    """The first day of each year (kind "year") or month from `first`'s to `last`'s.

    The admin's date links and the sitemap's months walk the span between two ends with it.
    """
    year, month = first.year, first.month if kind == "month" else 1
    while (year, month) <= (last.year, last.month if kind == "month" else 1):
        yield date(year, month, 1)
        if kind == "year" or month == 12:
            year, month = year + 1, 1
        else:
            month += 1
