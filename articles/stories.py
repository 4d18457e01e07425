"""Matching an arriving article to its story: the same real-world event from several sources.

Two kinds of sameness, both looked up through an index of candidates (`StoryKey`: a hash per
row, read by language, key and time), never by a scan of recent articles:

- near-copies of one agency text (another attribution line, small edits): a MinHash signature
  of the text's word shingles, cut into bands for locality-sensitive hashing. The MinHash is
  one-permutation hashing (one 64-bit hash per shingle, its low bits choose one of BINS bins,
  each bin keeps its minimum), written here rather than taken from datasketch: datasketch
  computes 128 permutations per shingle with numpy, a dependency the project does not have,
  and pure Python permutations would cost ~10 ms an article against our 2 ms budget (import
  must stay >= 500 entries/s); one hash per shingle costs ~0.2 ms.
- rewrites in other words: the weighted words of title and lead (names and numbers weigh most),
  after Azerbaijani/Russian normalisation (the project's one case-fold, `search.fold`; a light
  suffix stripper of our own; punctuation gone) and after attribution lines, "follow us" lines
  and other boilerplate are stripped. The strongest terms are indexed as keys too.

A candidate joins the arriving article to its story when the texts are near-copies, or when
the weighted words agree and names or numbers are shared and the two were published within
REWRITE_WINDOW (same day or the next): the same topic alone is not the same event. Either way
their numbers must agree and they must not name other days or other actors (`same_event`):
portals repeat templates daily (the rate, the forecast, a fire summary). Precision first: a
wrong merge hides news, a missed one only shows a duplicate. Matching never moves an
article that already has a story, and never deletes or unpublishes anything.
"""

import functools
import hashlib
import html
import json
import logging
import operator
import re
from collections import Counter, defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from articles import bulk, search, text
from articles.caching import articles_changed
from articles.models import Article, Story, StoryFingerprint, StoryKey

# Articles published this long before or after an arriving one are its candidates.
WINDOW = timedelta(hours=72)
# A rewrite (other words) must be this close in time: the same day or the next.
REWRITE_WINDOW = timedelta(hours=40)
BINS = 32
BAND_ROWS = 4  # bins per band: 8 bands, a pair with Jaccard 0.8 shares one with p = 0.98
MAX_TOKENS = 400  # near-copies agree from their start; the tail adds cost, not evidence
MAX_TERM_KEYS = 8
# The newest articles read per key: a name in every article of the day costs no more.
MAX_POSTINGS = 200
MAX_CANDIDATES = 30
MATCH_BATCH = 500  # arrivals matched together: one index look-up, one fingerprint read

NEAR_COPY = 0.5  # estimated Jaccard of the shingles
NAMES_OVERLAP = 0.5  # share of the names and numbers of the shorter text found in the other
MIN_SHARED_NAMES = 2
WORDS = 0.12  # weighted Jaccard of title and lead words
NUMBERS_AGREE = 0.5  # share of the numbers of the text giving fewer found in the other
UPDATE_WINDOW = timedelta(hours=12)  # a toll updated later the same day: 3 dead, then 5

logger = logging.getLogger(__name__)

_LOCK_CLASS = 0x5707  # PostgreSQL advisory lock: one matcher per language at a time


# --- Text: boilerplate, words, stems --------------------------------------------------------

_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|blockquote|figcaption|tr)>|<br\s*/?>", re.I)
_LINE_DROP = re.compile(
    r"izləyin|abunə ol|kanalımız|səhifəmiz|bizi .{0,30}(?:telegram|facebook|instagram"
    r"|youtube|whatsapp|tiktok)|следите за|подписывайтесь|подпишитесь"
    r"|наш(?:ем|ему)? (?:telegram|телеграм)|присоединяйтесь|все новости"
    r"|ctrl\s*\+\s*enter"  # "Если вы нашли ошибку, выделите ее и нажмите Ctrl+Enter"
    # "Read also: <a headline>" lines: the phrase, then a colon or nothing.
    r"|^(?:həmçinin oxuyun|həmçinin oxu|oxuyun|oxu|ardını oxu|daha ətraflı|читайте также"
    r"|читайте ещё|читайте еще|подробнее)\s*(?::|$)",
    re.I,
)
_AZ_SAYS = r"(?:xəbər verir|məlumat verir|məlumat yayır|xəbər yayır|bildirir|yazır)"
_RU_SAYS = r"(?:сообщает|сообщают|сообщило|передает|передаёт|пишет|информирует)"
# Agency datelines: "Bakı. 3 dekabr. REPORT.AZ/", "Bakı, 4 dekabr, AZƏRTAC.", "BAKI, Azərbaycan,
# 4 dekabr. /Trend/ -", "БАКУ, 3 дек – Sputnik.", "БАКУ /Trend/ -". The publication date says
# nothing about which event it is (tomorrow's forecast is dated today) and would be taken for
# the event's date.
_DATELINE = re.compile(
    r"^(?:Bakı|BAKI|Baku|BAKU|Баку|БАКУ)(?:,\s*(?:Azərbaycan|Азербайджан))?"
    r"(?:[.,]\s*\d{1,2}\s+[^\W\d]+\.?[.,]?\s*(?:[–—-]\s*)?/?[^\s/]{2,20}/?|\s*/[^/\s]{2,20}/)"
    r"(?=\s)\s*(?:[–—-]\s*)?"
)
_PREFIXES = (
    _DATELINE,
    re.compile(rf"^[^!?]{{0,80}}?\b{_AZ_SAYS} ki,?\s*", re.I),
    re.compile(
        r"^[^!?]{0,80}?(?:məlumatına görə|məlumatına əsasən|istinadən|alınan məlumat(?:a|lara)"
        r" görə),\s*",
        re.I,
    ),
    re.compile(rf"^(?:как )?{_RU_SAYS}\s[^,]{{1,80}}?,\s*", re.I),
    re.compile(r"^(?:по (?:данным|информации|сообщению)|со ссылкой на)\s[^,]{1,80}?,\s*", re.I),
)
# "..., APA xəbər verir." (the source before the verb) and "..., передает Report.az."
_AZ_SAID_AT_END = re.compile(rf"\s{_AZ_SAYS}\.?\s*$", re.I)
_RU_SAID_AT_END = re.compile(rf",\s*(?:[—–-]\s*)?{_RU_SAYS}\s[^,!?]{{1,80}}$", re.I)
_SHORT_LINE = 250
# A sentence ends at a full stop, question or exclamation mark, ellipsis or colon, unless it
# is inside a number (3.5, 12:30).
_SENTENCE_SPLIT = re.compile(r"[.!?…:](?!\d)|(?<!\d)[.!?…:]")
_TAG = re.compile(r"<[^>]*>?")
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+")
_YEAR = re.compile(r"(?:19|20)\d\d")

_AZ_SUFFIXES = sorted(
    {
        # Folded as search.fold folds them (ə→e, ı→i, ü→u, ö→o, ş→s, ç→c, ğ→g).
        *"larin lerin lari leri larda lerde lardan lerden lara lere lar ler".split(),
        *"nin nun inin unun nda nde ndan nden dan den tan ten da de ta te".split(),
        *"ya ye na ne yi yu ni nu si su in un i u a e".split(),
        *"mis mus ib ub yib yub acaq ecek aciq ecek maq mek dir dur".split(),
        *"lik liq luq luk la le yla yle".split(),
        *"ndaki ndeki daki deki taki teki".split(),  # Yasamaldakı, küçəsindəki
    },
    key=len,
    reverse=True,
)
_RU_SUFFIXES = sorted(
    {
        *"иями ией ием иям иях ами ями ого его ому ему ыми ими ым им".split(),
        *"ой ей ий ый ая яя ое ее ые ие".split(),
        *"ов ев ам ям ах ях ом ем ую юю ию ия ии ью а я ы и у ю о е ь".split(),
        *"ться тся ет ит ут ют ат ят ил ыл ла ли ло ть".split(),
    },
    key=len,
    reverse=True,
)
_STEM_RULES = {"az": (_AZ_SUFFIXES, 3, 4), "ru": (_RU_SUFFIXES, 1, 4)}  # suffixes, passes, min

# The last lines of each: words of institutions' official names (Dövlət Yol Polisi, Səhiyyə
# Nazirliyi, Masallı Rayon Polis Şöbəsi), capitalised there but shared by unrelated events, and
# the capitals of a title's tag ("- YENİLƏNİB", "(ОБНОВЛЕНО)"), read as acronyms otherwise, and
# the months ("20 Yanvar" is a date, kept as one: 20/1).
_STOPWORDS = {
    "az": """və ilə üçün bu o bir da də ki ən daha olan olub olaraq edib edilib edir edilir üzrə
        isə həm artıq sonra əvvəl qədər görə barədə haqqında il ilin gün günü saat tarixində
        zamanı çox hər bütün həmçinin bildirib deyib qeyd məlumat xəbər verir verib edilən
        keçirilib olunub olunur ona onun onlar bunu buna belə kimi amma lakin ancaq yəni yeni
        ayın bugün bu gün dünən sabah hazırda artıq isə azərbaycan bakı respublika ölkə
        hadisə nəticəsində rayon rayonu şəhər kənd qəsəbə dövlət xidmət xidməti nazirlik
        nazirliyi yenilənib yenilənir siyahı foto video
        yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr""",
    "ru": """и в во на с со по к о об от из за для что как это этот эта эти его ее её их не но
        а же ли бы был была были было будет также уже при до после под над между который
        которая которые году года год он она они мы вы все всех так там тут где когда чем
        или ни то более сегодня вчера завтра сейчас азербайджан баку республика страна
        дтп район района город государственный государственной министерство служба службы
        обновлено обновляется список фото видео
        января февраля марта апреля мая июня июля августа сентября октября ноября декабря""",
}


@functools.lru_cache(maxsize=200_000)
def _fold(word):
    # Words repeat across articles: folding each distinct one once keeps the one case-fold
    # (search.fold, one character at a time) cheap enough for imports.
    return search.fold(word)


@functools.lru_cache(maxsize=200_000)
def stem(word, language):
    """Return the folded word with its inflectional endings stripped (a light stemmer)."""
    word = _fold(word)
    if word[:1].isdigit():
        return word
    suffixes, passes, shortest = _STEM_RULES.get(language, _STEM_RULES["az"])
    for _pass in range(passes):
        for suffix in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word[:9]


@functools.cache
def _stopword_stems(language):
    return frozenset(stem(word, language) for word in _STOPWORDS.get(language, "").split())


def strip_boilerplate(line):
    """Return the line without attribution and "follow us" phrasing; "" if nothing else."""
    line = " ".join(line.split())
    if not line:
        return ""
    # Follow-us and attribution lines are short; a paragraph of news is not one.
    if len(line) < _SHORT_LINE and (_LINE_DROP.search(line) or text.parse_attribution(line)):
        return ""
    for pattern in _PREFIXES:
        line = pattern.sub("", line, count=1)
    said = _AZ_SAID_AT_END.search(line)
    if said:
        comma = line.rfind(",", 0, said.start())
        if comma != -1 and said.start() - comma <= 60:
            line = line[:comma]
    line = _RU_SAID_AT_END.sub("", line, count=1)
    return line if len(_TOKEN.findall(line)) >= 3 else ""


def _lines(markup):
    # Only words are wanted, never markup to show: a tag is anything from "<" to ">". Django's
    # strip_tags (an HTML parser, run until nothing changes) cost more than the rest of
    # matching an article.
    plain = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", markup or "")))
    return [line for line in map(strip_boilerplate, plain.split("\n")) if line]


def _lead_text(article, body_lines):
    """Return the lead, else the body's first sentences (up to ~300 characters)."""
    lead = strip_boilerplate(article.lead) if article.lead else ""
    if lead:
        return lead
    taken = []
    for line in body_lines:
        # A line whose attribution was cut ("..., APA xəbər verir.") has lost its full stop:
        # without it the next line's first word would read as a name inside a sentence.
        taken.append(line if line[-1] in ".!?…:" else f"{line}.")
        if sum(map(len, taken)) >= 300:
            break
    return " ".join(taken)[:400]


# "1,5 mln" and "1.5 milyon" are one figure: the abbreviations read as the words.
_ABBREVIATIONS = {"mln": "milyon", "mlrd": "milyard", "млн": "миллион", "млрд": "миллиард"}


def weighted_terms(title, lead, language):
    """Return {stem: weight} of the words of title and lead, title words weighing more."""
    stops = _stopword_stems(language)
    terms = {}
    for part, factor in ((title, 1.5), (lead, 1.0)):
        for token in _number_words(_TOKEN.findall(part), language):
            if token[0].isdigit():
                weight = 0.5 if _YEAR.fullmatch(token) else 2.0
                token = _number(token)
            elif len(token) < 3:
                continue
            else:
                weight = 2.0 if token[0].isupper() else 1.0
            if len(token) <= 4:
                token = _ABBREVIATIONS.get(token.lower(), token)
            key = stem(token, language)
            if key in stops or (len(key) < 3 and not key[0].isdigit()):
                continue
            terms[key] = max(terms.get(key, 0), weight * factor)
    return terms


def names_and_numbers(lines, language):
    """Return the stems of the names, places, acronyms, numbers and dates of these lines.

    A capitalised word counts when it is not the first of a sentence, or when it also shows
    capitalised inside a sentence elsewhere (a title's first word is often a name: Qarabağ),
    or when it starts two sentences and never shows in lower case (Masallıda ..., Masallı
    rayonunun ...: Azerbaijani sentences often start with the place). Years say little about
    which event it is and are left out; a day of a month is also kept as "day/month".
    """
    stops = _stopword_stems(language)
    names = set()
    starts = Counter()
    lower = set()
    sentences = set()  # the lead is often the body's first lines again: count them once
    for line in lines:
        names.update(_dates(line, language))
        for sentence in _SENTENCE_SPLIT.split(line):
            sentence = sentence.strip()
            if sentence in sentences:
                continue
            sentences.add(sentence)
            tokens = _number_words(_TOKEN.findall(sentence), language)
            for position, token in enumerate(tokens):
                head = token[0]
                if head.isdigit():
                    if not _YEAR.fullmatch(token):
                        names.add(_number(token))
                    continue
                if len(token) < 2:
                    continue
                if not head.isupper():
                    lower.add(_fold(token))
                    continue
                key = stem(token, language)
                # A sentence's first word counts only as an acronym, or where it also shows
                # capitalised inside a sentence (then it is added there).
                if position == 0 and not token.isupper():
                    starts[key] += 1
                    continue
                if key not in stops:
                    names.add(key)
    lower_stems = {stem(word, language) for word in lower}
    names.update(
        key
        for key, count in starts.items()
        if count >= 2 and len(key) >= 4 and key not in stops and key not in lower_stems
    )
    return sorted(names)


def _number(token):
    """Write a number one way: "1,5" and "1.50" as "1.5" (a decimal comma or trailing zeros)."""
    token = token.replace(",", ".")
    whole, dot, fraction = token.partition(".")
    if dot and fraction.isdigit():
        fraction = fraction.rstrip("0")
        return f"{whole}.{fraction}" if fraction else whole
    return token


def _word_values(table):
    return {word: int(value) for word, value in (pair.split(":") for pair in table.split())}


# Numbers of 10 and more written in words ("on iki faiz", "двенадцать процентов"): the same
# figure as "12". Smaller ones stay words: "bir", "iki", "один" are mostly not figures.
_RU_TEENS = "один две три четыр пят шест сем восем девят"  # + "надцать" / "надцати": 11-19
_NUMBER_WORDS = {  # language: (tens and teens, units)
    "az": (
        "on:10 iyirmi:20 otuz:30 qırx:40 əlli:50 altmış:60 yetmiş:70 səksən:80 doxsan:90",
        "bir:1 iki:2 üç:3 dörd:4 beş:5 altı:6 yeddi:7 səkkiz:8 doqquz:9",
    ),
    "ru": (
        "десять:10 десяти:10 двадцать:20 двадцати:20 тридцать:30 тридцати:30 сорок:40 "
        "сорока:40 пятьдесят:50 пятидесяти:50 шестьдесят:60 шестидесяти:60 семьдесят:70 "
        "семидесяти:70 восемьдесят:80 восьмидесяти:80 девяносто:90 девяноста:90 "
        + " ".join(
            f"{base}надцат{end}:{value}"
            for value, base in enumerate(_RU_TEENS.split(), 11)
            for end in "ьи"
        ),
        "один:1 одна:1 одного:1 одной:1 два:2 две:2 двух:2 три:3 трех:3 трёх:3 четыре:4 "
        "четырех:4 пять:5 пяти:5 шесть:6 шести:6 семь:7 семи:7 восемь:8 восьми:8 девять:9 "
        "девяти:9",
    ),
}
_NUMBER_WORDS = {
    language: (_word_values(f"{tens} {tens.title()}"), _word_values(units))
    for language, (tens, units) in _NUMBER_WORDS.items()
}


def _number_words(tokens, language):
    """Return the tokens with numbers of 10 and more written in words turned into digits."""
    tens, units = _NUMBER_WORDS.get(language, _NUMBER_WORDS["az"])
    if tens.keys().isdisjoint(tokens):  # most sentences have none: one pass in C tells
        return tokens
    result = []
    for token in tokens:
        word = token.lower()
        previous = result[-1] if result else ""
        if word in units and previous.isdigit() and previous.endswith("0") and previous != "0":
            result[-1] = str(int(previous) + units[word])  # "on iki", "двадцать пять"
        elif word in tens:
            result.append(str(tens[word]))
        else:
            result.append(token)
    return result


_MONTHS = {
    language: {
        name: number for number, names in enumerate(months.split(), 1) for name in names.split("/")
    }
    for language, months in (
        ("az", "yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr"),
        ("ru", "январ феврал март апрел мая/май июн июл август сентябр октябр ноябр декабр"),
    )
}
_DATE_PATTERNS = {
    # "4 dekabr", "4-cü dekabrda", "4 декабря"; "dekabrın 4-də" (Azerbaijani only). Not re.I,
    # much slower on these alternations: a month is in lower case, or capitalised at the start.
    language: re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:-\w+)?\s+(?P<month>{names})"
        + (
            rf"|\b(?P<month2>{names})\w*\s+(?P<day2>\d{{1,2}})(?!\d|[.,:]\d)"
            if language == "az"
            else ""
        )
    )
    for language, names in (
        (
            language,
            "|".join(
                f"[{name[0].upper()}{name[0]}{'İ' * (name[0] == 'i')}]{name[1:]}" for name in months
            ),
        )
        for language, months in _MONTHS.items()
    )
}


def _dates(line, language):
    """Return the days of months this line names, as "day/month" ("dekabrın 4-də" -> "4/12")."""
    pattern = _DATE_PATTERNS.get(language)
    if pattern is None:
        return ()
    months = _MONTHS[language]
    return {
        f"{int(match['day'] or match['day2'])}/{months[_fold(match['month'] or match['month2'])]}"
        for match in pattern.finditer(line)
    }


# --- MinHash (one-permutation hashing) and keys ---------------------------------------------


def _hash64(value):
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


_word_hash = functools.lru_cache(maxsize=200_000)(_hash64)
_MASK = (1 << 64) - 1
_K1, _K2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F


def _signed(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def signature(words):
    """Return the BINS minima of the hashes of the three-word shingles (-1: an empty bin).

    A shingle's hash combines its words' hashes (each word hashed once, cached) in order,
    then mixes the bits (MurmurHash3's finaliser): hashing each shingle's text cost a third
    of matching an article.
    """
    bins = [-1] * BINS
    hashes = [_word_hash(word) for word in words[:MAX_TOKENS]]
    for first, second, third in zip(hashes, hashes[1:], hashes[2:], strict=False):
        value = (first * _K1 + second * _K2 + third) & _MASK
        value ^= value >> 33
        value = (value * 0xFF51AFD7ED558CCD) & _MASK
        value ^= value >> 33
        slot, rest = value % BINS, value // BINS
        if bins[slot] < 0 or rest < bins[slot]:
            bins[slot] = rest
    return bins


def signature_similarity(first, second):
    """Estimate the Jaccard similarity of two texts' shingles from their signatures.

    Equal bins over the bins filled in either (an empty bin is -1). Counted by map() and
    list scans in C: an arrival is weighed against ~20 candidates, a loop over the bins
    in Python cost a tenth of matching.
    """
    equal = sum(map(operator.eq, first, second))
    both_empty = 0
    if -1 in first and -1 in second:  # rare: a text of fewer words than bins
        both_empty = sum(a < 0 and b < 0 for a, b in zip(first, second, strict=True))
    filled = len(first) - both_empty
    return (equal - both_empty) / filled if filled >= BINS // 4 else 0.0


def band_keys(bins):
    keys = []
    for band in range(BINS // BAND_ROWS):
        rows = bins[band * BAND_ROWS : (band + 1) * BAND_ROWS]
        if min(rows) >= 0:
            keys.append(_signed(_hash64(f"b{band}:" + ",".join(map(str, rows)))))
    return keys


def term_keys(names):
    """Return the index keys of the rarest-looking names: the longest ones, numbers last."""
    ranked = sorted(names, key=lambda name: (name[0].isdigit(), -len(name), name))
    return [_signed(_hash64("t:" + name)) for name in ranked[:MAX_TERM_KEYS]]


def weighted_similarity(first, second):
    """Return the weighted Jaccard similarity of two {term: weight} dicts."""
    shared = first.keys() & second.keys()
    if not shared:
        return 0.0
    common = sum(min(first[t], second[t]) for t in shared)
    return common / (sum(first.values()) + sum(second.values()) - common)


def _numbers(names):
    return {name for name in names if name[0].isdigit() and "/" not in name}


def _dates_of(names):
    return {name for name in names if "/" in name}


def _agreement(numbers, other_numbers):
    """Return the share of the fewer numbers found among the others; None if one gives none.

    A decimal (a rate, a price, a magnitude: 1.9847, 79.12, 4.1) is the event's own figure: when
    both give decimals, one of the fewer missing in the other is disagreement (0), though the
    dollar's 1.7 and the other whole numbers agree. Tomorrow's rate shares most of today's.
    """
    if not numbers or not other_numbers:
        return None
    decimals = {number for number in numbers if "." in number}
    other_decimals = {number for number in other_numbers if "." in number}
    if decimals and other_decimals:
        fewer, more = sorted((decimals, other_decimals), key=len)
        if not fewer <= more:
            return 0.0
    return len(numbers & other_numbers) / min(len(numbers), len(other_numbers))


_TIME = re.compile(r"\d{1,2}:\d\d")


def _counts_only(numbers):
    """Tell whether these numbers are all small whole numbers (people, storeys, not prices).

    A time of day (08:40) may be among them: an update tells when it happened again.
    """
    return all(
        (number.isdigit() and len(number) <= 3) or _TIME.fullmatch(number) for number in numbers
    )


def _capitalised(first, second):
    """Return the names of the first text the second writes capitalised in title or lead.

    Names at a sentence's start are not taken as names ("Yasamal rayonunda ..." starts the
    text): where the other text has them as names, they are the same names.
    """
    return {
        name
        for name in first.names - second.names
        if second.terms.get(name, 0) >= 2.0 and not name[0].isdigit()
    }


def _title_names(features):
    # The capitalised words of the title (weight 3.0 in `terms`, as are its numbers) that are
    # names of the text.
    title = {term for term, weight in features.terms.items() if weight >= 3.0}
    return {name for name in title & features.names if not name[0].isdigit()}


def _other_actors(first, second, few):
    """Tell whether the titles name other actors: other events, however much else is shared.

    Each title names someone or somewhere the other text never mentions: "Peter Siyarto İlham
    Əliyevlə görüşüb" and "İlham Əliyev Almaniyaya səfərə gedib" share the president but each
    has its own other actor; so do two matches of the same league. Or, when the texts share
    only a `few` names, the titles name no one in common and one of them names someone the
    other never mentions: accidents in Xaçmaz and in Quba on the Bakı-Quba road (the one in
    Xaçmaz mentions Quba, in the road's name). With more names in common that is a title in
    other words ("Azərbaycan və Türkiyə XİN başçıları ..." for "Bayramov Fidanla ...").
    """
    names, other_names = _title_names(first), _title_names(second)
    seen, other_seen = first.names | first.terms.keys(), second.names | second.terms.keys()
    alone = any(not _mentioned(name, other_seen) for name in names)
    other_alone = any(not _mentioned(name, seen) for name in other_names)
    if alone and other_alone:
        return True
    common = any(_mentioned(name, other_names) for name in names)
    return few and (alone or other_alone) and bool(names and other_names) and not common


def _mentioned(name, seen):
    # The light stemmer leaves a name's forms apart at times (Ильхам -> ильх, Ильхамом ->
    # ильхам; Губе, Губа): a common beginning of all but the shorter's last letter will do.
    if name in seen:
        return True
    for other in seen:
        shorter = min(len(name), len(other))
        need = min(5, shorter - 1)
        if need >= 3 and name[:need] == other[:need]:
            return True
    return False


class Features:
    """What matching compares of one article."""

    # story_id: the story's id, or while a batch is matched, the new (unsaved) Story.
    __slots__ = (
        "article",
        "bins",
        "dates",
        "keys",
        "names",
        "numbers",
        "published_at",
        "story_id",
        "terms",
    )

    def __init__(
        self, article=None, *, bins=(), terms=None, names=(), published_at=None, story_id=None
    ):
        self.article = article
        self.bins = list(bins)
        self.terms = terms or {}
        self.names = set(names)
        # Derived once: an arrival is weighed against ~20 candidates, a candidate against
        # several arrivals.
        self.dates = _dates_of(self.names)
        self.numbers = _numbers(self.names)
        self.published_at = published_at
        self.story_id = story_id
        self.keys = []

    @classmethod
    def of(cls, article):
        body_lines = _lines(article.body)
        lead = _lead_text(article, body_lines)
        title = " ".join(article.title.split())
        words = [
            _fold(token)
            for line in (title, *([article.lead] if article.lead else []), *body_lines)
            for token in _TOKEN.findall(line)
        ]
        features = cls(
            article,
            bins=signature(words),
            terms=weighted_terms(title, lead, article.language),
            names=names_and_numbers([title, lead, *body_lines[:3]], article.language),
            published_at=article.published_at,
            story_id=article.story_id,
        )
        features.keys = band_keys(features.bins) + term_keys(features.names)
        return features


def same_event(first, second):
    """Tell whether two articles' features report the same event: return a score, else 0.

    Another date (both name days of months, none in common) is another event however alike
    the texts: the daily rate, forecast or court hearing repeat one template. Near-copies by
    their shingles, when their numbers agree (a template with other figures is no copy).
    Rewrites by their names and numbers: most of the names of the shorter one found in the
    other (the same actors and places), half of the numbers of the one giving fewer found in
    the other, the words of title and lead not foreign to each other, no title naming an actor
    the other text never mentions, and published within REWRITE_WINDOW. Numbers that do not
    agree pass only as a same-day update of a toll (UPDATE_WINDOW, small whole numbers).
    """
    apart = abs(first.published_at - second.published_at)
    if apart > WINDOW:
        return 0.0
    dates, other_dates = first.dates, second.dates
    if dates and other_dates and not dates & other_dates:
        return 0.0
    numbers, other_numbers = first.numbers, second.numbers
    agreement = _agreement(numbers, other_numbers)
    numbers_agree = agreement is None or agreement >= NUMBERS_AGREE
    near = signature_similarity(first.bins, second.bins)
    if near >= NEAR_COPY and numbers_agree:
        return near
    if apart > REWRITE_WINDOW:
        return 0.0
    if not numbers_agree and not (
        apart <= UPDATE_WINDOW and _counts_only(numbers) and _counts_only(other_numbers)
    ):
        return 0.0
    # A date is a number of the text too ("20 Yanvar": 20 and 20/1): one fact, counted once.
    names, other_names = first.names - dates, second.names - other_dates
    shared = names & other_names | _capitalised(first, second) | _capitalised(second, first)
    few = len(shared) <= MIN_SHARED_NAMES
    if len(shared) < MIN_SHARED_NAMES or _other_actors(first, second, few):
        return 0.0
    # At most 1: names the other text writes only at a sentence's start count as shared.
    overlap = min(1.0, len(shared) / min(len(names), len(other_names)))
    if overlap >= NAMES_OVERLAP and weighted_similarity(first.terms, second.terms) >= WORDS:
        return overlap * NEAR_COPY  # a near-copy, when there is one, is the better match
    return 0.0


# --- Matching stored articles ----------------------------------------------------------------


def match_articles(articles, *, notify=True):
    """Give each stored article without a story a story: the one it matches, else its own.

    Works on saved rows (importers call it once after their bulk inserts), in a few queries
    per MATCH_BATCH articles: one look-up of the index for all their keys, one of the
    candidates' fingerprints, then the writes. Returns the number of articles that joined a
    story. With notify=False the caller calls articles_changed() itself (an import calls it
    once for all it stored and matched).
    """
    articles = [article for article in articles if article.pk and article.story_id is None]
    if not articles:
        return 0
    joined = 0
    languages = set()
    by_language = defaultdict(list)
    for article in articles:
        by_language[article.language].append(article)
    for language, group in by_language.items():
        group.sort(key=lambda a: (a.published_at, a.pk))
        for start in range(0, len(group), MATCH_BATCH):
            # One transaction and lock per batch: other imports of the language wait at
            # most one batch.
            with transaction.atomic():
                _lock(language)
                found = _match_group(language, group[start : start + MATCH_BATCH])
            if found:
                languages.add(language)
            joined += found
    if languages and notify:
        # The stories' other articles and the blocks' "+N" changed; an article that started a
        # story of its own changed nothing the storing of it has not made stale already.
        articles_changed(*languages)
    return joined


def match_arrivals(articles, *, notify=True):
    """Match newly stored articles, as importers do; a failure is logged, never raised.

    The articles are stored already: a bug or a database error in matching must not fail
    the import, it only leaves them without a story (each is shown on its own).
    """
    try:
        return match_articles(articles, notify=notify)
    except Exception:
        logger.exception("Matching %d new articles to stories failed", len(articles))
        return 0


def _lock(language):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, sum(map(ord, language))]
            )


def _match_group(language, articles):
    features = [Features.of(article) for article in articles]
    postings = _postings(language, features)
    indexed = [_indexed_candidates(item, postings) for item in features]
    known = _fingerprints({pk for counts in indexed for pk in counts})
    batch_keys = defaultdict(list)  # keys of this batch's articles, matched as they come
    joined = 0
    new_stories = []
    for item, counts in zip(features, indexed, strict=True):
        for key in item.keys:
            for other in batch_keys[key]:
                counts[other] += 1
        best, best_score = None, 0.0
        for pk, _shared in counts.most_common(MAX_CANDIDATES):
            candidate = known.get(pk)
            if candidate is None or candidate.story_id is None:
                continue
            score = same_event(item, candidate)
            if score > best_score:
                best, best_score = candidate, score
        if best is not None:
            item.story_id = best.story_id
            joined += 1
        else:
            # Saved with the others in _store(); until then later articles of the batch may
            # join it as the unsaved object.
            item.story_id = Story(language=language, lead_article=item.article)
            new_stories.append(item.story_id)
        known[item.article.pk] = item
        for key in item.keys:
            batch_keys[key].append(item.article.pk)
    _store(language, features, new_stories)
    return joined


def _indexed_candidates(item, postings):
    """Count the keys each indexed article shares with `item`; keep the best few."""
    counts = Counter()
    for key in item.keys:
        for pk, published_at in postings.get(key, ()):
            if abs(published_at - item.published_at) <= WINDOW:
                counts[pk] += 1
    return Counter(dict(counts.most_common(MAX_CANDIDATES)))


def _postings(language, features):
    """Return {key: [(article id, published at)]} of the index around the batch's times.

    At most MAX_POSTINGS per key, the newest: a key shared by more articles (a name in every
    article of the day) costs no more than that to read and to weigh.
    """
    keys = {key for item in features for key in item.keys}
    if not keys:
        return {}
    earliest = min(item.published_at for item in features) - WINDOW
    latest = max(item.published_at for item in features) + WINDOW
    postings = defaultdict(list)
    if connection.vendor == "postgresql":
        rows = _postgresql_postings(language, keys, earliest, latest)
    else:
        rows = (
            StoryKey.objects.filter(
                language=language, key__in=keys, published_at__range=(earliest, latest)
            )
            .annotate(
                rank=Window(RowNumber(), partition_by=F("key"), order_by=F("published_at").desc())
            )
            .filter(rank__lte=MAX_POSTINGS)
            .values_list("key", "article_id", "published_at")
        )
    for key, pk, published_at in rows:
        postings[key].append((pk, published_at))
    return postings


def _postgresql_postings(language, keys, earliest, latest):
    """The index's rows for the keys: one ordered index probe per key, LIMIT MAX_POSTINGS.

    The keys go as one array parameter: an IN list of a batch's ~8 000 keys cost more to
    build and parse (Django, psycopg) than the look-up, and a probe per key reads only its
    newest rows where a window over all of them sorted every row of the 144 hours.
    """
    table = connection.ops.quote_name(StoryKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k.key, p.article_id, p.published_at FROM unnest(%s::bigint[]) AS k(key) "
            "CROSS JOIN LATERAL (SELECT article_id, published_at "
            f"FROM {table} WHERE language = %s AND key = k.key "  # noqa: S608
            "AND published_at BETWEEN %s AND %s ORDER BY published_at DESC LIMIT %s) AS p",
            [list(keys), language, earliest, latest, MAX_POSTINGS],
        )
        return cursor.fetchall()


def _fingerprints(pks):
    if not pks:
        return {}
    if connection.vendor == "postgresql":
        # One array parameter rather than an IN list of thousands (see _postgresql_postings).
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT f.article_id, f.signature, f.terms, f.published_at, a.story_id "
                f"FROM {quote(StoryFingerprint._meta.db_table)} AS f "  # noqa: S608
                f"JOIN {quote(Article._meta.db_table)} AS a ON a.id = f.article_id "
                "WHERE f.article_id = ANY(%s::bigint[])",
                [list(pks)],
            )
            rows = cursor.fetchall()
    else:
        rows = StoryFingerprint.objects.filter(article_id__in=pks).values_list(
            "article_id", "signature", "terms", "published_at", "article__story_id"
        )
    known = {}
    for pk, bins, terms, published_at, story_id in rows:
        if isinstance(terms, str):  # PostgreSQL's jsonb comes as text from Django's cursor
            terms = json.loads(terms)
        known[pk] = Features(
            bins=_decode(bins),
            terms=terms.get("words", {}),
            names=terms.get("names", ()),
            published_at=published_at,
            story_id=story_id,
        )
    return known


def _encode(bins):
    return " ".join(map(str, bins))


def _decode(value):
    bins = list(map(int, value.split())) if value else []
    return bins if len(bins) == BINS else [-1] * BINS


def _store(language, features, new_stories):
    """Save the new stories, the articles' stories and the index, in few statements."""
    members = Counter(id(item.story_id) for item in features)
    for story in new_stories:  # counted now unless articles of the batch joined it
        lead = story.lead_article
        visible = lead.is_visible
        story.article_count = story.source_count = int(visible)
        story.last_published_at = lead.published_at
        if lead.status == Article.Status.PUBLISHED and not visible:
            story.recount_at = lead.published_at  # scheduled: counted when it comes out
    Story.objects.bulk_create(new_stories)
    if new_stories and new_stories[0].pk is None:  # a database that returns no new ids
        ids = dict(
            Story.objects.filter(
                lead_article__in=[story.lead_article_id for story in new_stories]
            ).values_list("lead_article_id", "pk")
        )
        for story in new_stories:
            story.pk = ids[story.lead_article_id]
    alone = {story.lead_article_id for story in new_stories if members[id(story)] == 1}
    joining = set()
    for item in features:
        if isinstance(item.story_id, Story):
            item.story_id = item.story_id.pk
        item.article.story_id = item.story_id
        if item.article.pk not in alone:
            joining.add(item.story_id)
    bulk.set_columns(
        Article, {"story_id": "bigint"}, [(item.article.pk, item.story_id) for item in features]
    )
    _index(language, features)
    refresh_stories(joining)


def _index(language, features):
    """Store the articles' fingerprints and index keys: COPY on PostgreSQL, else INSERTs.

    An article brings up to 16 keys; Django's INSERT of that many rows cost more than the
    whole rest of matching, COPY a tenth of it.
    """
    if connection.vendor == "postgresql":
        _copy_index(language, features)
        return
    StoryFingerprint.objects.bulk_create(
        [
            StoryFingerprint(
                article_id=item.article.pk,
                language=language,
                published_at=item.published_at,
                signature=_encode(item.bins),
                terms={"words": item.terms, "names": sorted(item.names)},
            )
            for item in features
        ],
        batch_size=500,
    )
    StoryKey.objects.bulk_create(
        [
            StoryKey(
                key=key,
                language=language,
                published_at=item.published_at,
                article_id=item.article.pk,
            )
            for item in features
            for key in dict.fromkeys(item.keys)
        ],
        batch_size=2000,
    )


def _copy_index(language, features):
    fingerprints, keys = [], []
    for item in features:
        # COPY's text format: tab-separated, backslash escapes; only the JSON may need them.
        moment = item.published_at.isoformat()
        terms = json.dumps({"words": item.terms, "names": sorted(item.names)}, ensure_ascii=False)
        terms = terms.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        pk = item.article.pk
        fingerprints.append(f"{pk}\t{language}\t{moment}\t{_encode(item.bins)}\t{terms}\n")
        keys.extend(f"{key}\t{language}\t{moment}\t{pk}\n" for key in dict.fromkeys(item.keys))
    columns = {
        StoryFingerprint: "article_id, language, published_at, signature, terms",
        StoryKey: "key, language, published_at, article_id",
    }
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        for model, lines in ((StoryFingerprint, fingerprints), (StoryKey, keys)):
            table = connection.ops.quote_name(model._meta.db_table)
            with raw.copy(f"COPY {table} ({columns[model]}) FROM STDIN") as copy:
                copy.write("".join(lines))


def reindex(article):
    """Rebuild an article's fingerprint and keys after its text changed; keep its story."""
    StoryFingerprint.objects.filter(article_id=article.pk).delete()
    StoryKey.objects.filter(article_id=article.pk).delete()
    _index(article.language, [Features.of(article)])


def reindex_articles(articles):
    """Rebuild these articles' fingerprints and keys in a few statements; keep their stories.

    For a whole archive (`rebuild_story_index`): fingerprints written before matching used
    the date are rewritten by what matching computes now. One transaction per language, under
    the matching lock: an import matching meanwhile reads the old index or the new, never half.
    """
    by_language = defaultdict(list)
    for article in articles:
        by_language[article.language].append(article)
    for language, group in by_language.items():
        pks = [article.pk for article in group]
        with transaction.atomic():
            _lock(language)
            StoryFingerprint.objects.filter(article_id__in=pks).delete()
            StoryKey.objects.filter(article_id__in=pks).delete()
            _index(language, [Features.of(article) for article in group])
    return sum(map(len, by_language.values()))


# --- Keeping stories right -------------------------------------------------------------------


def refresh_stories(story_ids):
    """Recount the stories' sources and articles, choose their leads, drop empty ones.

    Only the articles readers see count (`published()`): one scheduled for later neither adds
    its source nor dates the story, and the story's `recount_at` is set to its time, when
    `refresh_due_stories()` recounts it. The lead is the editor's choice while readers see it,
    else the first article readers see (else the first published, else the first article).
    """
    story_ids = {pk for pk in story_ids if pk}
    if not story_ids:
        return
    members = defaultdict(list)
    shown = Article.objects.published().filter(pk=OuterRef("pk"))
    rows = (
        Article.objects.filter(story_id__in=story_ids)
        .annotate(visible=Exists(shown))
        .values_list("story_id", "id", "source_id", "status", "published_at", "visible")
    )
    for story_id, pk, source_id, status, published_at, visible in rows:
        members[story_id].append((published_at, pk, source_id, status, visible))
    stories = list(Story.objects.filter(pk__in=story_ids))
    empty = [story.pk for story in stories if not members[story.pk]]
    changed = []
    for story in stories:
        rows = sorted(members[story.pk])
        if not rows:
            continue
        visible = [row for row in rows if row[4]]
        published = [row for row in rows if row[3] == Article.Status.PUBLISHED]
        if not (story.lead_chosen and story.lead_article_id in {row[1] for row in visible}):
            story.lead_chosen = False
            story.lead_article_id = (visible or published or rows)[0][1]
        story.article_count = len(visible)
        story.source_count = len({row[2] or f"own-{row[1]}" for row in visible})
        story.last_published_at = (visible or published or rows)[-1][0]
        scheduled = [row[0] for row in published if not row[4]]
        story.recount_at = min(scheduled, default=None)
        changed.append(story)
    columns = {
        "lead_article_id": "bigint",
        "lead_chosen": "boolean",
        "article_count": "integer",
        "source_count": "integer",
        "last_published_at": "timestamptz",
        "recount_at": "timestamptz",
    }
    bulk.set_columns(
        Story,
        columns,
        [(story.pk, *(getattr(story, name) for name in columns)) for story in changed],
    )
    if empty:
        Story.objects.filter(pk__in=empty).delete()


def refresh_due_stories():
    """Recount the stories one of whose scheduled articles came out; return how many.

    Run by beat (articles/tasks.py) and after each round of `import_feeds`: no write happens
    when a scheduled time comes. The pages of the language are made stale, so the "+N" and
    the stories' order change at once, not when the caches' TTLs run out.
    """
    due = Story.objects.filter(recount_at__lte=timezone.now()).values_list("language", "pk")
    by_language = defaultdict(list)
    for language, pk in due:
        by_language[language].append(pk)
    for language, story_ids in by_language.items():
        # Under the matcher's lock: an import refreshing the same stories waits for this.
        with transaction.atomic():
            _lock(language)
            refresh_stories(story_ids)
        articles_changed(language)
    return sum(map(len, by_language.values()))


def article_saved(article):
    """Match an article an editor saved; one already in a story keeps it, with a new index."""
    if article.story_id is None:
        match_articles([article])
        return
    reindex(article)
    refresh_stories([article.story_id])
    articles_changed(article.language)


class StoryError(ValueError):
    """An editor's story action that cannot be done; `code` says why (admin.py words it)."""

    TOO_FEW = "too_few"
    LANGUAGES = "languages"
    NO_STORY = "no_story"
    NOT_PUBLISHED = "not_published"

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def merge_stories(stories):
    """Move every article of these stories into the oldest one; return it."""
    stories = sorted(stories, key=lambda story: story.pk)
    if len(stories) < 2:
        raise StoryError(StoryError.TOO_FEW)
    if len({story.language for story in stories}) > 1:
        raise StoryError(StoryError.LANGUAGES)
    target, others = stories[0], stories[1:]
    with transaction.atomic():
        Article.objects.filter(story__in=others).update(story=target)
        refresh_stories([story.pk for story in stories])
    articles_changed(target.language)
    return target


def move_out(articles):
    """Give each article a story of its own; return how many were moved."""
    moved = 0
    touched = set()
    with transaction.atomic():
        for article in articles:
            if article.story_id is None:
                continue
            others = Article.objects.filter(story_id=article.story_id).exclude(pk=article.pk)
            if not others.exists():
                continue
            touched.add(article.story_id)
            story = Story.objects.create(language=article.language, lead_article=article)
            Article.objects.filter(pk=article.pk).update(story=story)
            article.story_id = story.pk
            touched.add(story.pk)
            moved += 1
        refresh_stories(touched)
    if moved:
        articles_changed(*{article.language for article in articles})
    return moved


def make_lead(article):
    """Make an article readers see its story's lead, as an editor's choice.

    Not one scheduled for later: refresh_stories() keeps a lead only while readers see it.
    """
    if article.story_id is None:
        raise StoryError(StoryError.NO_STORY)
    if not article.is_visible:
        raise StoryError(StoryError.NOT_PUBLISHED)
    Story.objects.filter(pk=article.story_id).update(lead_article=article, lead_chosen=True)
    refresh_stories([article.story_id])
    articles_changed(article.language)


def other_versions(article):
    """Return the story's other published articles, with their sources, oldest first."""
    if article.story_id is None:
        return []
    return list(
        Article.objects.published()
        .filter(story_id=article.story_id)
        .exclude(pk=article.pk)
        .filter(~Q(source=None))
        .select_related("source")
        .only("id", "language", "slug", "title", "published_at", "source__name")
        .order_by("published_at", "id")
    )
