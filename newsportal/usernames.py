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
    "ı": "l", "ɩ": "l", "ℓ": "l", "1": "l", "|": "l", "i": "l", "0": "o", "5": "s", "$": "s",
    "ɑ": "a",
}  # fmt: skip
# Capital I is a stroke like l, 1 and |; so is i in many fonts: all of them are one letter here
# (folding would make I an i first). Pairs of letters that pass for one letter.
BEFORE_FOLDING = {"I": "l"}
DIGRAPHS = {"rn": "m", "vv": "w"}

# Names that would pass for the site's own people.
RESERVED = {
    "admin", "administrator", "administrators", "root", "superuser", "staff", "editor",
    "editors", "moderator", "moderators", "mod", "support", "help", "system", "webmaster",
    "icma", "icmaaz", "redaksiya", "redaktor", "moderatorlar", "rehberlik", "official",
    "rəsmi", "info", "news", "xeber", "xəbər", "security", "noreply", "no-reply",
}  # fmt: skip


def _look(char: str) -> str:
    return LOOK_ALIKES.get(char, char)


def skeleton(name: str) -> str:
    """Return what a name looks like: NFKC, case folded, look-alike letters made one."""
    normal = unicodedata.normalize("NFKC", name)
    folded = "".join(BEFORE_FOLDING.get(char, char) for char in normal).casefold()
    # "İ" folds to "i" and a combining dot above; the dot changes nothing a reader sees.
    folded = folded.replace("\u0307", "")
    # Twice: a letter may map to one that maps on (Cyrillic і to i, i to l).
    shape = "".join(_look(_look(char)) for char in folded)
    for pair, letter in DIGRAPHS.items():
        shape = shape.replace(pair, letter)
    return shape


def _looks_like(char: str) -> set[str]:
    """Return every character whose skeleton is `char` (any case), for a database pattern."""
    same = {char, char.upper(), char.lower()}
    for letter, target in [*LOOK_ALIKES.items(), *BEFORE_FOLDING.items()]:
        if target == char:
            same |= {letter, letter.upper()}
    return same


def _letter_pattern(char: str) -> str:
    options = _looks_like(char)
    if char == "l":
        options |= {"İ"}
    letter = "[" + "".join(re.escape(option) for option in sorted(options)) + "]"
    pairs = [pair for pair, target in DIGRAPHS.items() if target == char]
    if not pairs:
        return letter
    spelled = ["".join(_letter_pattern(part) for part in pair) for pair in pairs]
    return "(?:" + "|".join([letter, *spelled]) + ")"


def look_alike_pattern(name: str) -> str:
    """Return a regular expression matching the names that look like `name` (same skeleton).

    Stored usernames are NFKC already (Django normalises them), so one class per letter of
    the skeleton finds them in the database without a column of skeletons.
    """
    return "^" + "".join(_letter_pattern(char) for char in skeleton(name)) + "$"


RESERVED_SKELETONS = {skeleton(name) for name in RESERVED}


def is_reserved(name: str) -> bool:
    """Tell whether a name passes for a staff title, also with separators or a number added."""
    bare = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", name))
    return bool({skeleton(bare), skeleton(bare.rstrip("0123456789"))} & RESERVED_SKELETONS)
