"""Usernames readers cannot be fooled by: no look-alikes of existing names or of staff titles.

A name's *skeleton* is what it looks like: case folded, and letters that look alike on screen
(Cyrillic "е" and Latin "e", Greek "ο" and Latin "o", "0" and "o") mapped to one of them. Two
names with one skeleton are one name to a reader. The table covers the scripts our readers
write in (Latin with Azerbaijani letters, Cyrillic) and Greek; letters with their own look
(ə, ş, ç, ğ, ö, ü) stay themselves.
"""

import re
import unicodedata

MAX_LENGTH = 30

# Letter -> the Latin letter it looks like. Keys are lower case: names are case folded first.
LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "ѐ": "e", "є": "e", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "ў": "y",
    "х": "x", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ә": "ə",
    "ɡ": "g", "г": "r", "п": "n", "ш": "w", "ь": "b",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Latin look-alikes and digits
    "ı": "i", "ɩ": "i", "ℓ": "l", "1": "l", "|": "l", "0": "o", "5": "s", "$": "s",
    "ɑ": "a",
}  # fmt: skip

# Names that would pass for the site's own people.
RESERVED = {
    "admin", "administrator", "administrators", "root", "superuser", "staff", "editor",
    "editors", "moderator", "moderators", "mod", "support", "help", "system", "webmaster",
    "icma", "icmaaz", "redaksiya", "redaktor", "moderatorlar", "rehberlik", "official",
    "rəsmi", "info", "news", "xeber", "xəbər", "security", "noreply", "no-reply",
}  # fmt: skip


def skeleton(name: str) -> str:
    """Return what a name looks like: NFKC, case folded, look-alike letters made one."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    # "İ" folds to "i" and a combining dot above; the dot changes nothing a reader sees.
    folded = folded.replace("\u0307", "")
    return "".join(LOOK_ALIKES.get(char, char) for char in folded)


def _looks_like(char: str) -> set[str]:
    """Return every character whose skeleton is `char` (any case), for a database pattern."""
    same = {char, char.upper(), char.lower()}
    for letter, target in LOOK_ALIKES.items():
        if target == char:
            same |= {letter, letter.upper()}
    return same


def look_alike_pattern(name: str) -> str:
    """Return a regular expression matching the names that look like `name` (same skeleton).

    Stored usernames are NFKC already (Django normalises them), so one class per letter of
    the skeleton finds them in the database without a column of skeletons.
    """
    classes = []
    for char in skeleton(name):
        options = _looks_like(char)
        if char == "i":
            options |= {"İ"}
        classes.append("[" + "".join(re.escape(option) for option in sorted(options)) + "]")
    return "^" + "".join(classes) + "$"


RESERVED_SKELETONS = {skeleton(name) for name in RESERVED}


def is_reserved(name: str) -> bool:
    return skeleton(name) in RESERVED_SKELETONS
