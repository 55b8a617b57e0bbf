"""Reference data of the core generator: countries, name pools, e-mail domains, and the generator's own
copy of the methodology's normalisations (used to keep different persons from colliding on a link key).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from faker import Faker

# alpha-2, alpha-3, name pool, Moodle lang, weight (share of learners)
COUNTRIES: list[tuple[str, str, str, str, float]] = [
    ("IT", "ITA", "it_IT", "it", 3), ("FR", "FRA", "fr_FR", "fr", 3), ("ES", "ESP", "es_ES", "es", 3),
    ("PT", "PRT", "pt_PT", "pt", 1), ("BR", "BRA", "pt_BR", "pt", 5), ("MX", "MEX", "es_MX", "es", 5),
    ("CO", "COL", "es_CO", "es", 5), ("AR", "ARG", "es_AR", "es", 4), ("CL", "CHL", "es_CL", "es", 3),
    ("PE", "PER", "es_MX", "es", 4), ("VE", "VEN", "es_VE", "es", 2), ("DE", "DEU", "de_DE", "en", 2),
    ("GB", "GBR", "en_GB", "en", 2), ("US", "USA", "en_US", "en", 2), ("IE", "IRL", "en_IE", "en", 1),
    ("IN", "IND", "en_IN", "en", 6), ("PH", "PHL", "fil_PH", "en", 4), ("ID", "IDN", "id_ID", "en", 4),
    ("VN", "VNM", "vi_VN", "en", 2), ("TR", "TUR", "tr_TR", "en", 2), ("PL", "POL", "pl_PL", "en", 1),
    ("DK", "DNK", "da_DK", "en", 1), ("NO", "NOR", "no_NO", "en", 1), ("CZ", "CZE", "cs_CZ", "en", 1),
    ("HU", "HUN", "hu_HU", "en", 1), ("RO", "ROU", "ro_RO", "en", 1), ("NG", "NGA", "yo_NG", "en", 5),
    ("KE", "KEN", "sw", "en", 4), ("TZ", "TZA", "sw", "en", 2), ("ZA", "ZAF", "zu_ZA", "en", 3),
    ("GH", "GHA", "tw_GH", "en", 3), ("SN", "SEN", "fr_FR:wa", "fr", 2), ("CI", "CIV", "fr_FR:wa", "fr", 2),
    ("CM", "CMR", "fr_FR:wa", "fr", 2), ("DZ", "DZA", "fr_DZ", "fr", 2), ("MA", "MAR", "fr_DZ", "fr", 2),
    ("TN", "TUN", "fr_DZ", "fr", 2), ("EG", "EGY", "ar", "ar", 2), ("JO", "JOR", "ar", "ar", 1),
    ("LB", "LBN", "ar", "ar", 1), ("RU", "RUS", "ru_RU", "ru", 2), ("UA", "UKR", "uk_UA", "en", 1),
    ("GR", "GRC", "el_GR", "en", 1), ("CN", "CHN", "zh", "zh_cn", 2), ("BD", "BGD", "en_BD", "en", 2),
    ("PK", "PAK", "en_PK", "en", 2), ("ET", "ETH", "en_KE", "en", 2), ("BJ", "BEN", "fr_FR:wa", "fr", 1),
    ("CH", "CHE", "de_CH", "fr", 1), ("BE", "BEL", "nl_BE", "fr", 1), ("NL", "NLD", "nl_NL", "en", 1),
]
ALPHA3 = {a2: a3 for a2, a3, *_ in COUNTRIES}

# Non-Latin pools: (native, latin) pairs. Cyrillic and Greek come from Faker with a transliteration.
ZH_SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
               ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
               ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin")]
ZH_GIVEN_F = [("秀英", "Xiuying"), ("丽", "Li"), ("敏", "Min"), ("静", "Jing"), ("婷", "Ting"), ("芳", "Fang"),
              ("娟", "Juan"), ("霞", "Xia"), ("燕", "Yan"), ("玲", "Ling"), ("晓梅", "Xiaomei"), ("雪", "Xue")]
ZH_GIVEN_M = [("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"),
              ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("志强", "Zhiqiang"), ("建国", "Jianguo")]
AR_SURNAMES = [("حسن", "Hassan"), ("محمود", "Mahmoud"), ("إبراهيم", "Ibrahim"), ("عبد الله", "Abdallah"),
               ("السيد", "El-Sayed"), ("منصور", "Mansour"), ("خليل", "Khalil"), ("سليمان", "Suleiman"),
               ("حداد", "Haddad"), ("نصار", "Nassar"), ("الخطيب", "Al-Khatib"), ("يوسف", "Youssef")]
AR_GIVEN_F = [("فاطمة", "Fatima"), ("مريم", "Mariam"), ("نور", "Nour"), ("ليلى", "Leila"), ("هدى", "Hoda"),
              ("سارة", "Sara"), ("رنا", "Rana"), ("دينا", "Dina"), ("ياسمين", "Yasmine"), ("سلمى", "Salma")]
AR_GIVEN_M = [("محمد", "Mohamed"), ("أحمد", "Ahmed"), ("علي", "Ali"), ("عمر", "Omar"), ("خالد", "Khaled"),
              ("طارق", "Tarek"), ("كريم", "Karim"), ("سامي", "Sami"), ("يوسف", "Youssef"), ("حسام", "Hossam")]
WEST_AFRICAN_LAST = ["Diallo", "Ndiaye", "Traoré", "Koné", "Ouattara", "Sow", "Diop", "Fall", "Kouassi", "Mbaye",
                     "Camara", "Touré", "Bamba", "Coulibaly", "Sy", "Ba", "Gueye", "N'Diaye", "Fofana", "Kaboré"]
WEST_AFRICAN_F = ["Aminata", "Fatou", "Awa", "Mariama", "Aïssatou", "Ndèye", "Adjoa", "Khady", "Rokia", "Binta"]
WEST_AFRICAN_M = ["Mamadou", "Ousmane", "Moussa", "Cheikh", "Ibrahima", "Abdoulaye", "Serge", "Kouamé", "Souleymane",
                  "Jean-Baptiste"]

_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                 "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "ye", "yi", "g"]))
_GRK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s",
                 "t", "y", "f", "ch", "ps", "o"]))


@lru_cache(maxsize=None)
def strip_marks(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def transliterate(s: str) -> str:
    out = []
    for ch in strip_marks(s):
        low = ch.lower()
        t = _CYR.get(low, _GRK.get(low))
        if t is None:
            out.append(ch)
        else:
            out.append(t.capitalize() if ch != low else t)
    return "".join(out)


@lru_cache(maxsize=None)
def ascii_slug(s: str) -> str:
    s = strip_marks(s).lower()
    s = s.replace("ø", "o").replace("đ", "d").replace("ł", "l").replace("ß", "ss").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]", "", s)


class NamePools:
    """Per pool key: female given names, male given names, surnames; each entry (native, latin)."""

    def __init__(self, seed: int):
        self.pools: dict[str, tuple[list, list, list]] = {}
        keys = sorted({c[2] for c in COUNTRIES})
        for key in keys:
            if key == "zh":
                self.pools[key] = (ZH_GIVEN_F, ZH_GIVEN_M, ZH_SURNAMES)
            elif key == "ar":
                self.pools[key] = (AR_GIVEN_F, AR_GIVEN_M, AR_SURNAMES)
            elif key == "fr_FR:wa":
                self.pools[key] = ([(n, n) for n in WEST_AFRICAN_F], [(n, n) for n in WEST_AFRICAN_M],
                                   [(n, n) for n in WEST_AFRICAN_LAST])
            else:
                fk = Faker(key)
                fk.seed_instance(f"{seed}:{key}")
                conv = transliterate if key in ("ru_RU", "uk_UA", "el_GR") else (lambda x: x)
                fem = sorted({fk.first_name_female() for _ in range(160)})
                mal = sorted({fk.first_name_male() for _ in range(160)})
                last = sorted({fk.last_name() for _ in range(260)})
                self.pools[key] = ([(n, conv(n)) for n in fem], [(n, conv(n)) for n in mal],
                                   [(n, conv(n)) for n in last])


# ---- the methodology's normalisations (generator copy) ----
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@lru_cache(maxsize=1 << 20)
def norm_email(e: str | None) -> str | None:
    if not e:
        return None
    e = unicodedata.normalize("NFKC", e).strip().lower()
    if not _EMAIL_RE.fullmatch(e):
        return None
    local, domain = e.rsplit("@", 1)
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
        domain = "gmail.com"
    if not local:
        return None
    return f"{local}@{domain}"


@lru_cache(maxsize=None)
def name_tokens(part: str) -> tuple[str, ...]:
    """Normalised tokens of one name field (NFKD, no combining marks, lower case, punctuation to spaces)."""
    s = strip_marks(part).lower()
    return tuple("".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in s).split())


@lru_cache(maxsize=1 << 20)
def norm_name(first: str | None, last: str | None) -> str:
    return " ".join(sorted(name_tokens(first or "") + name_tokens(last or "")))


PERSONAL_DOMAINS = ["gmail.com"] * 8 + ["googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "yahoo.fr",
                                         "hotmail.fr", "live.com", "icloud.com", "protonmail.com"]
NATIONAL_DOMAINS = {"RU": "mail.ru", "CN": "163.com", "BR": "uol.com.br", "DE": "web.de", "IT": "libero.it",
                    "FR": "orange.fr", "IN": "rediffmail.com", "AR": "fibertel.com.ar", "PL": "wp.pl"}
WORK_DOMAIN = {
    "employers": ["{cc}-employers.org", "cni.org.{cc}", "fedemp.{cc}", "business{cc}.org"],
    "workers": ["ctu-{cc}.org", "union.{cc}", "workers-{cc}.org", "cgt.{cc}"],
    "government_labour": ["labour.gov.{cc}", "trabajo.gob.{cc}", "travail.gouv.{cc}", "mol.gov.{cc}"],
    "government_other": ["finance.gov.{cc}", "planning.gov.{cc}", "social.gob.{cc}"],
    "ilo_staff": ["ilo.org"],
    "un_staff": ["undp.org", "un.org", "unicef.org", "who.int", "fao.org", "itcilo.org"],
    "ngo": ["oxfam.org", "care.org", "ngo-{cc}.org"],
    "private_sector": ["company.com", "consult-{cc}.com", "bank{cc}.com"],
    "academia": ["univ-{cc}.edu", "uni.{cc}"],
    "other": ["org-{cc}.org"],
}
