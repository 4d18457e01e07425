from datetime import UTC, datetime, timedelta, timezone

import pytest

from articles.text import (
    ATTRIBUTION_PHRASINGS,
    AZ_MONTHS,
    BAKU_TZ,
    KNOWN_LABELS,
    RU_MONTHS_GENITIVE,
    SOURCE_KINDS,
    attribution_line,
    az_lower,
    az_upper,
    format_datetime,
    parse_attribution,
    parse_portal_datetime,
    slugify_title,
    split_label,
    upper_for_language,
)

# --- slugify_title -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Strateji müttəfiqliyin yeni mərhələsi", "strateji-muttefiqliyin-yeni-merhelesi"),
        ("ÇL: İstanbulda hesab açıldı", "cl-istanbulda-hesab-acildi"),
        (
            "Синоптики предупреждают: морозы в Азербайджане продолжатся",
            "sinoptiki-preduprezhdayut-morozy-v-azerbajdzhane-prodolzhatsya",
        ),
        ("ƏŞÇĞÖÜI İ əşçğöüı i", "escgoui-i-escgoui-i"),
        (
            "Ёж, Щука, Хор, Цех, Чай, Юг, Яма, Эхо, Объём, Рыба, Соль",
            "yozh-shchuka-hor-ceh-chaj-yug-yama-eho-obyom-ryba-sol",
        ),
        (
            "ÇL: “Real” “Monako”ya, «İnter» ‘Arsenal’a qarşı",
            "cl-real-monako-ya-inter-arsenal-a-qarsi",
        ),
        ("PSJ'nin hücumçusu — La Liqada", "psj-nin-hucumcusu-la-liqada"),
        ("Crème brûlée à São Paulo", "creme-brulee-a-sao-paulo"),
        ("Ｆｕｌｌｗｉｄｔｈ ½ ﬁnal", "fullwidth-1-2-final"),
        ("  --2022-2027-ci illər!!  ", "2022-2027-ci-iller"),
    ],
)
def test_slugify_title(title, slug):
    assert slugify_title(title) == slug


@pytest.mark.parametrize("title", ["", "   ", "“”…!?", "漢字", "ЪЬ"])
def test_slugify_title_falls_back_when_nothing_is_left(title):
    assert slugify_title(title) == "article"


@pytest.mark.parametrize(
    ("title", "max_length", "slug"),
    [
        ("alpha beta gamma", 16, "alpha-beta-gamma"),
        ("alpha beta gamma", 15, "alpha-beta"),
        ("alpha beta gamma", 10, "alpha-beta"),
        ("alpha beta gamma", 11, "alpha-beta"),
        ("alpha beta gamma", 9, "alpha"),
        ("alphabetagamma delta", 5, "alpha"),
        ("a-b", 1, "a"),
    ],
)
def test_slugify_title_cuts_at_word_boundary(title, max_length, slug):
    assert slugify_title(title, max_length=max_length) == slug


def test_slugify_title_default_limit_is_80():
    slug = slugify_title("söz " * 40)
    assert len(slug) <= 80
    assert slug == "-".join(["soz"] * 20)


def test_slugify_title_rejects_non_positive_limit():
    with pytest.raises(ValueError, match="max_length"):
        slugify_title("title", max_length=0)


# --- casing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "upper"),
    [
        ("yenilənir", "YENİLƏNİR"),
        ("araşdırma", "ARAŞDIRMA"),
        ("İstanbul ilə Iğdır", "İSTANBUL İLƏ IĞDIR"),
        ("фото 2025", "ФОТО 2025"),
    ],
)
def test_az_upper(text, upper):
    assert az_upper(text) == upper


@pytest.mark.parametrize(
    ("text", "lower"),
    [
        ("YENİLƏNİR", "yenilənir"),
        ("ARAŞDIRMA", "araşdırma"),
        ("İSTANBUL İLƏ IĞDIR", "istanbul ilə ığdır"),
        ("ФОТО", "фото"),
    ],
)
def test_az_lower(text, lower):
    assert az_lower(text) == lower


@pytest.mark.parametrize(
    ("language", "upper"),
    [("az", "VİDEO VƏ İNTERVYU"), ("ru", "VIDEO VƏ INTERVYU"), ("en", "VIDEO VƏ INTERVYU")],
)
def test_upper_for_language(language, upper):
    assert upper_for_language("video və intervyu", language) == upper


# --- split_label -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "rest", "label"),
    [
        (
            "“20 yanvar milli azadlıq hərəkatını daha da gücləndirdi” DEPUTAT DANIŞDI",
            "“20 yanvar milli azadlıq hərəkatını daha da gücləndirdi”",
            "DEPUTAT DANIŞDI",
        ),
        (
            "Bir gecədə adı dəyişdirilən “20 Yanvar” stansiyası FOTOLAR",
            "Bir gecədə adı dəyişdirilən “20 Yanvar” stansiyası",
            "FOTOLAR",
        ),
        ("ÇL: İstanbulda hesab açıldı YENİLƏNİR", "ÇL: İstanbulda hesab açıldı", "YENİLƏNİR"),
        (
            "Azərbaycan tarixinin faciə və qəhrəmanlıq salnaməsi ŞƏRH",
            "Azərbaycan tarixinin faciə və qəhrəmanlıq salnaməsi",
            "ŞƏRH",
        ),
        (
            "Əhaliyə texniki kartof satılır? ARAŞDIRMA",
            "Əhaliyə texniki kartof satılır?",
            "ARAŞDIRMA",
        ),
        ("Prezident Bakıda görüşdü  VİDEO ", "Prezident Bakıda görüşdü", "VİDEO"),
        ("Путин прибыл в Баку ФОТО", "Путин прибыл в Баку", "ФОТО"),
        ("NATO ilə danışıqlar RƏY", "NATO ilə danışıqlar", "RƏY"),
    ],
)
def test_split_label_finds_label(title, rest, label):
    assert split_label(title) == (rest, label)


@pytest.mark.parametrize(
    "title",
    [
        "ÇL: “Real” “Monako”ya, “İnter” “Arsenal”a qarşı",
        "ATƏT də dərin böhran yaşanır",
        "Tramp BMT yə alternativ təşkilatı elan edəcək",
        "PSJ nin hücumçusu La Liqada çıxış edə bilər",
        "Rusiya xarabalıq bayquşları”nı Bakının üstünə göndərdi Təyyarə qəzasından sonra...",
        "Lotereyada 2 milyard dollara yaxın pul qazanıldı, götürən yoxdur",
        "Türkiyə ilə əməkdaşlıq BMT",  # a lone acronym is not a label
        "Hücum edən X Y",  # words of one letter are not label words
        "Xəbərlər COVID-19",  # not letters only
        "FOTO",  # nothing left as title
        "NATO SAMMİTİ FOTO",  # the rest is upper-case too
        "",
    ],
)
def test_split_label_finds_no_label(title):
    assert split_label(title) == (title, "")


def test_known_labels_are_upper_case_single_words():
    assert all(az_upper(label) == label and label.isalpha() for label in KNOWN_LABELS)
    assert {"FOTOLAR", "VİDEO", "YENİLƏNİR", "ŞƏRH", "ФОТО", "ОФИЦИАЛЬНО"} <= set(KNOWN_LABELS)


# --- dates -------------------------------------------------------------------------------------


def test_month_names():
    assert len(AZ_MONTHS) == len(RU_MONTHS_GENITIVE) == 12
    assert (AZ_MONTHS[0], AZ_MONTHS[5], AZ_MONTHS[9]) == ("Yanvar", "İyun", "Oktyabr")
    assert (RU_MONTHS_GENITIVE[0], RU_MONTHS_GENITIVE[9]) == ("января", "октября")


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (datetime(2025, 10, 20, 12, 24, tzinfo=BAKU_TZ), "az", "20 Oktyabr 2025 12:24"),
        (datetime(2025, 10, 20, 12, 24, tzinfo=BAKU_TZ), "ru", "20 октября 2025 12:24"),
        (datetime(2025, 10, 20, 8, 24, tzinfo=UTC), "az", "20 Oktyabr 2025 12:24"),
        (datetime(2026, 1, 20, 21, 1, tzinfo=UTC), "az", "21 Yanvar 2026 01:01"),
        (datetime(2026, 6, 5, 9, 7), "az", "5 İyun 2026 09:07"),
        (datetime(2026, 7, 5, 9, 7), "ru", "5 июля 2026 09:07"),
        (
            datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1))),
            "ru",
            "1 января 2027 04:59",
        ),
    ],
)
def test_format_datetime(value, language, text):
    assert format_datetime(value, language) == text


def test_format_datetime_defaults_to_azerbaijani():
    assert format_datetime(datetime(2025, 5, 1, 0, 0)) == "1 May 2025 00:00"


def test_format_datetime_rejects_unknown_language():
    with pytest.raises(ValueError, match="language"):
        format_datetime(datetime(2025, 5, 1), "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 Oktyabr 2025 12:24", datetime(2025, 10, 20, 12, 24)),
        ("20 октября 2025 12:24", datetime(2025, 10, 20, 12, 24)),
        ("1 yanvar 2026 0:05", datetime(2026, 1, 1, 0, 5)),
        ("  05 DEKABR 2025 23:59 ", datetime(2025, 12, 5, 23, 59)),
        ("1 İyun 2025 10:00", datetime(2025, 6, 1, 10, 0)),
        ("1 Iyun 2025 10:00", datetime(2025, 6, 1, 10, 0)),
        ("2 iyul 2025 10:00", datetime(2025, 7, 2, 10, 0)),
        ("2 İYUL 2025 10:00", datetime(2025, 7, 2, 10, 0)),
        ("29 Fevral 2024 10:00", datetime(2024, 2, 29, 10, 0)),
        ("3 Мая 2025 07:30", datetime(2025, 5, 3, 7, 30)),
    ],
)
def test_parse_portal_datetime(text, expected):
    parsed = parse_portal_datetime(text)
    assert parsed == expected.replace(tzinfo=BAKU_TZ)
    assert parsed.tzinfo is BAKU_TZ


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("20 Oktober 2025 12:24", "unknown month"),
        ("20 октябрь 2025 12:24", "unknown month"),
        ("31 Fevral 2025 12:24", "invalid date"),
        ("29 Fevral 2025 12:24", "invalid date"),
        ("20 Oktyabr 2025 24:00", "invalid date"),
        ("20 Oktyabr 2025", "not a portal date"),
        ("25.02.2025", "not a portal date"),
        ("20 Oktyabr 2025 12:24 extra", "not a portal date"),
        ("", "not a portal date"),
    ],
)
def test_parse_portal_datetime_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_portal_datetime(text)


@pytest.mark.parametrize("language", ["az", "ru"])
@pytest.mark.parametrize("month", range(1, 13))
def test_format_and_parse_round_trip(language, month):
    value = datetime(2025, month, 9, 7, 5, tzinfo=BAKU_TZ)
    assert parse_portal_datetime(format_datetime(value, language)) == value


# --- attribution lines -------------------------------------------------------------------------


def test_seed_attribution_line():
    line = "Icma.az bildirir, 525.az portalına istinadən."
    assert attribution_line("Icma.az", "525.az", "portal", "az", seed=0) == line
    assert parse_attribution(line) == ("525.az", "portal")


@pytest.mark.parametrize(
    ("kind", "language", "seed", "line"),
    [
        ("site", "az", 1, "525.az saytından alınan məlumatlara görə, Icma.az xəbər verir."),
        ("portal", "az", 2, "Icma.az, 525.az portalına istinadən məlumat yayır."),
        ("agency", "az", 0, "Icma.az bildirir, 525.az agentliyinə istinadən."),
        ("agency", "az", 1, "525.az agentliyindən alınan məlumatlara görə, Icma.az xəbər verir."),
        ("portal", "ru", 0, "Icma.az сообщает со ссылкой на портал 525.az."),
        ("site", "ru", 1, "Icma.az, ссылаясь на сайт 525.az, передаёт."),
        ("agency", "ru", 2, "По информации агентства 525.az, сообщает Icma.az."),
        ("portal", "ru", 2, "По информации портала 525.az, сообщает Icma.az."),
        ("agency", "ru", 3, "Icma.az передаёт со ссылкой на агентство 525.az."),
    ],
)
def test_attribution_line_declines_kind(kind, language, seed, line):
    assert attribution_line("Icma.az", "525.az", kind, language, seed) == line


@pytest.mark.parametrize("language", ["az", "ru"])
def test_attribution_line_rotates_stably(language):
    count = len(ATTRIBUTION_PHRASINGS[language])
    assert count >= 3
    lines = [attribution_line("Icma.az", "APA", "agency", language, seed) for seed in range(count)]
    assert len(set(lines)) == count
    for seed in (count, 7 * count + 1, -1):
        expected = lines[seed % count]
        assert attribution_line("Icma.az", "APA", "agency", language, seed) == expected


@pytest.mark.parametrize(("kind", "language"), [("blog", "az"), ("site", "en")])
def test_attribution_line_rejects_unknown_kind_or_language(kind, language):
    with pytest.raises(ValueError, match="kind|language"):
        attribution_line("Icma.az", "APA", kind, language, 0)


ROUND_TRIPS = [
    (language, seed, kind)
    for language, phrasings in ATTRIBUTION_PHRASINGS.items()
    for seed in range(len(phrasings))
    for kind in SOURCE_KINDS
]


@pytest.mark.parametrize(("language", "seed", "kind"), ROUND_TRIPS)
@pytest.mark.parametrize("source", ["525.az", "Report.az", "BBC Azərbaycanca", "APA"])
def test_attribution_round_trip(language, seed, kind, source):
    line = attribution_line("Icma.az", source, kind, language, seed)
    assert parse_attribution(line) == (source, kind)
    assert parse_attribution(f"  {line.removesuffix('.')}\n") == (source, kind)


@pytest.mark.parametrize(("language", "seed", "kind"), ROUND_TRIPS)
def test_attribution_round_trip_with_other_site_name(language, seed, kind):
    line = attribution_line("Xeber.az", "Azertag", kind, language, seed)
    assert parse_attribution(line, site_name="Xeber.az") == ("Azertag", kind)
    assert parse_attribution(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "Icma.az bildirir, 525.az portalına istinadən",
        "Icma.az\u00a0bildirir,  525.az portalına   istinadən.",
        "\tIcma.az bildirir, 525.az portalına istinadən.  ",
    ],
)
def test_parse_attribution_tolerates_whitespace_and_missing_period(line):
    assert parse_attribution(line) == ("525.az", "portal")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Sonrakı hadisələr barədə daha çox məlumat almaq üçün Icma.az saytını izləyin.",
        "Icma.az bildirir, portalına istinadən.",
        "Icma.az bildirir, 525.az qəzetinə istinadən.",
        "Oxu.az bildirir, 525.az portalına istinadən.",
        "Icma.az сообщает со ссылкой на газету 525.az.",
        "Azərbaycan ilə Qazaxıstan arasında münasibətlər son illərdə inkişaf edir.",
    ],
)
def test_parse_attribution_rejects_other_lines(line):
    assert parse_attribution(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "Icma.az, ссылаясь на сайт 525.az, передает.",  # е for ё, as many portals write
        "Как сообщает сайт 525.az, передаёт Icma.az.",  # an older phrasing, read but not written
        "Как сообщает сайт 525.az, передает Icma.az.",
    ],
)
def test_russian_attribution_spelling_variants_still_parse(line):
    assert parse_attribution(line) == ("525.az", "site")


def test_no_russian_phrasing_says_reports_twice():
    for phrasing in ATTRIBUTION_PHRASINGS["ru"]:
        verbs = [verb for verb in ("сообщает", "передаёт", "передает") if verb in phrasing]
        assert len(verbs) <= 1, phrasing
