"""External platforms: the registry `platforms.yml`, one Moodle SQLite database per platform, and `.env`.

Contracts: platforms.md, moodle.md. Rule (methodology.md, "External-platform enrolment"): a (user, course)
student enrolment -- the user holds the `student` role in the course context (contextlevel 50) and has at
least one user_enrolments row for an enrolment instance of that course -- on every course but the site
course (id 1), excluding the guest account, deleted users and `auth = 'nologin'`; dated by the Europe/Rome
local date of the pair's earliest start (`timestart`, or `timecreated` when `timestart = 0`); counted only
when that date is on or after the platform's `since`.

Calibration (scale 1): indicator 1.2 external_platform_enrolments and 1.1b employer_external_platform_
enrolments (platforms whose registry `constituent_group` is `employers`), per year:

    year   all     employers
    2020   2000    800
    2021   3145    1200        2020-21: 5145 / 2000
    2022   11190   8621
    2023   12818   7711        2022-23: 24008 / 16332

Every trap of moodle.md occurs: tutors/managers enrolled, two enrolment methods for one pair, timestart=0,
enrolments just before midnight UTC on 31 December (next Rome year), deleted users (with and without
leftover rows), the guest account, nologin service accounts, enrolments before `since`, hidden courses,
duplicate role assignments, roles at category level only, orphan role assignments, the site course,
role ids that differ from Moodle's defaults, a non-default table prefix. Retired platforms (active: false)
keep their database: their enrolments (all dated before retirement) are part of the expected figures.
"""
from __future__ import annotations

import csv
import hashlib
import random
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
YEARS = (2020, 2021, 2022, 2023)
BIENNIA = {"2020-21": (2020, 2021), "2022-23": (2022, 2023)}
EXTRACTED = int(datetime(2024, 3, 29, 3, 0, tzinfo=ROME).timestamp())   # the databases' state

# Counted (user, course) student enrolments per year at scale 1: (all platforms, employer platforms).
TARGETS = {2020: (2000, 800), 2021: (3145, 1200), 2022: (11190, 8621), 2023: (12818, 7711)}
# Out-of-period activity (not part of any published figure): 2019 (early platforms) and early 2024.
EXTRA_YEARS = {2019: (160, 70), 2024: (900, 520)}


@dataclass(frozen=True)
class Platform:
    code: str
    name: str
    intermediary: str
    group: str            # employers | workers | government_labour | other
    country: str          # ISO alpha-2
    locales: tuple
    lang: str
    since: date
    weight: float         # relative size
    domain: str           # the intermediary's e-mail domain
    retired: date | None = None   # last day of service (registry: active false)
    prefix: str = "mdl_"
    installed_days_before: int = 0  # platform in use before the Centre started reporting it


P = Platform
PLATFORMS: tuple[Platform, ...] = (
    # --- employers' organisations ---
    P("eoe-pe-lms", "Plataforma de formación SNI", "Sociedad Nacional de Industrias (Peru)", "employers", "PE",
      ("es_CO", "es_AR"), "es", date(2021, 3, 1), 1.3, "sni.org.pe", installed_days_before=75),
    P("coparmex-mx-campus", "Campus Virtual COPARMEX", "Confederación Patronal de la República Mexicana (COPARMEX)",
      "employers", "MX", ("es_MX",), "es_mx", date(2020, 1, 15), 1.6, "coparmex.org.mx"),
    P("cni-br-ead", "EAD Indústria — Sistema CNI", "Confederação Nacional da Indústria (CNI), Brasil", "employers",
      "BR", ("pt_BR",), "pt_br", date(2020, 6, 1), 2.2, "cni.com.br", prefix="moodle_", installed_days_before=120),
    P("fke-ke-elearn", "FKE eLearning Academy", "Federation of Kenya Employers (FKE)", "employers", "KE",
      ("en_KE", "sw"), "en", date(2019, 9, 2), 1.0, "fke-kenya.org"),
    P("ecop-ph-academy", "ECOP Learning Hub", "Employers Confederation of the Philippines (ECOP)", "employers", "PH",
      ("en_US", "es_ES"), "en", date(2020, 9, 1), 0.9, "ecop.org.ph"),
    P("cgem-ma-formation", "CGEM Académie en ligne", "Confédération Générale des Entreprises du Maroc (CGEM)",
      "employers", "MA", ("fr_FR", "ar_AA"), "fr", date(2021, 1, 11), 1.1, "cgem.ma"),
    P("cnp-sn-elearning", "e-Formation CNP", "Conseil National du Patronat du Sénégal (CNP)", "employers", "SN",
      ("fr_FR",), "fr", date(2022, 2, 1), 0.8, "cnp.sn", installed_days_before=40),
    P("fue-ug-lms", "FUE Online Learning", "Federation of Uganda Employers (FUE)", "employers", "UG",
      ("en_KE", "sw"), "en", date(2022, 5, 2), 0.7, "fue.or.ug"),
    P("vcci-vn-elearning", "VCCI E-Learning", "Vietnam Chamber of Commerce and Industry (VCCI)", "employers", "VN",
      ("vi_VN",), "vi", date(2020, 3, 2), 1.4, "vcci.com.vn"),
    P("efc-lk-learn", "EFC Learning Portal", "Employers' Federation of Ceylon (EFC)", "employers", "LK",
      ("si_LK", "ta_IN"), "en", date(2021, 7, 1), 0.8, "employers.lk"),
    P("bef-bd-lms", "BEF Skills Portal", "Bangladesh Employers' Federation (BEF)", "employers", "BD",
      ("bn_BD",), "en", date(2022, 1, 10), 1.0, "bef.org.bd"),
    P("andi-co-aula", "Aula Virtual ANDI", "Asociación Nacional de Empresarios de Colombia (ANDI)", "employers", "CO",
      ("es_CO",), "es_co", date(2020, 2, 3), 1.5, "andi.com.co"),
    P("ahm-hn-campus", "Campus AHM", "Asociación Hondureña de Maquiladores (AHM)", "employers", "HN",
      ("es_MX",), "es", date(2022, 9, 1), 0.6, "ahm-honduras.com"),
    P("utica-tn-formation", "UTICA Formation en ligne",
      "Union Tunisienne de l'Industrie, du Commerce et de l'Artisanat (UTICA)", "employers", "TN",
      ("fr_FR", "ar_AA"), "fr", date(2021, 10, 1), 0.7, "utica.org.tn"),
    P("tisk-tr-akademi", "TİSK Akademi", "Türkiye İşveren Sendikaları Konfederasyonu (TİSK)", "employers", "TR",
      ("tr_TR",), "tr", date(2022, 3, 1), 1.1, "tisk.org.tr"),
    P("monef-mn-lms", "MONEF сургалтын платформ", "Mongolian Employers' Federation (MONEF)", "employers", "MN",
      ("ru_RU",), "mn", date(2023, 2, 1), 0.5, "monef.mn"),
    P("efp-pk-learning", "EFP Learning Management System", "Employers' Federation of Pakistan (EFP)", "employers",
      "PK", ("en_PK",), "en", date(2021, 5, 3), 0.9, "efp.org.pk"),
    P("gea-gh-academy", "GEA Virtual Academy", "Ghana Employers' Association (GEA)", "employers", "GH",
      ("tw_GH", "en_US"), "en", date(2022, 6, 1), 0.7, "ghanaemployers.com.gh"),
    P("ceoe-es-campus", "Campus CEOE Formación", "Confederación Española de Organizaciones Empresariales (CEOE)",
      "employers", "ES", ("es_ES",), "es", date(2020, 4, 14), 1.2, "ceoe.es", retired=date(2022, 12, 16)),
    P("fec-cd-formation", "FEC Formation à distance", "Fédération des Entreprises du Congo (FEC)", "employers",
      "CD", ("fr_FR",), "fr", date(2023, 3, 1), 0.6, "fec-rdc.cd"),
    P("neca-ng-lms", "NECA Learning Centre", "Nigeria Employers' Consultative Association (NECA)", "employers",
      "NG", ("en_NG", "yo_NG", "ig_NG", "ha_NG"), "en", date(2021, 2, 1), 1.2, "neca.org.ng"),
    P("jci-jo-elearning", "منصة التدريب الإلكتروني — غرفة صناعة الأردن", "Jordan Chamber of Industry (JCI)",
      "employers", "JO", ("ar_AA", "ar_PS"), "ar", date(2023, 1, 16), 0.6, "jci.org.jo"),
    P("ioe-global-academy", "IOE Employers' Academy", "International Organisation of Employers (IOE)", "employers",
      "CH", ("en_GB", "fr_FR", "es_ES", "en_NG", "pt_BR"), "en", date(2020, 1, 6), 1.4, "ioe-emp.com"),
    # --- workers' organisations and trade-union institutes ---
    P("etui-be-elearning", "ETUI eLearning", "European Trade Union Institute (ETUI)", "workers", "BE",
      ("fr_BE", "nl_BE", "de_DE", "it_IT", "pl_PL", "ro_RO"), "en", date(2020, 1, 6), 1.3, "etui.org"),
    P("istas-es-aula", "Aula ISTAS", "Instituto Sindical de Trabajo, Ambiente y Salud (ISTAS-CCOO)", "workers",
      "ES", ("es_ES",), "es", date(2020, 10, 1), 0.9, "istas.ccoo.es", retired=date(2023, 6, 30)),
    P("cut-br-escola", "Escola Sindical CUT Virtual", "Central Única dos Trabalhadores (CUT), Brasil", "workers",
      "BR", ("pt_BR",), "pt_br", date(2021, 4, 5), 1.1, "cut.org.br", prefix="moodle_"),
    P("chi-za-learning", "CHI Online School", "Chris Hani Institute (COSATU)", "workers", "ZA",
      ("zu_ZA", "en_US"), "en", date(2022, 2, 14), 0.7, "chrishaniinstitute.org.za"),
    P("lrpi-gh-tuc", "TUC Learning Platform", "Ghana Trades Union Congress — Labour Research and Policy Institute",
      "workers", "GH", ("tw_GH",), "en", date(2022, 8, 1), 0.6, "ghanatuc.org"),
    P("rials-jp-elearning", "連合総研 eラーニング",
      "JTUC Research Institute for Advancement of Living Standards (JTUC-RIALS)", "workers", "JP",
      ("ja_JP",), "ja", date(2021, 9, 1), 0.6, "rengo-soken.or.jp"),
    P("csa-tuca-campus", "Campus Virtual CSA",
      "Confederación Sindical de Trabajadores y Trabajadoras de las Américas (CSA-TUCA)", "workers", "BR",
      ("es_AR", "pt_BR", "es_CO", "es_MX"), "es", date(2020, 5, 4), 1.0, "csa-csi.org", installed_days_before=60),
    P("ituc-africa-school", "ITUC-Africa Trade Union School",
      "African Regional Organisation of the International Trade Union Confederation (ITUC-Africa)", "workers", "TG",
      ("fr_FR", "en_NG", "sw"), "fr", date(2022, 11, 7), 0.8, "ituc-africa.org"),
    P("cepag-be-formation", "CEPAG Formation en ligne", "Centre d'Éducation Populaire André Genot (FGTB)",
      "workers", "BE", ("fr_BE",), "fr", date(2023, 4, 3), 0.5, "cepag.be"),
    P("gefont-np-lms", "GEFONT Learning Centre", "General Federation of Nepalese Trade Unions (GEFONT)", "workers",
      "NP", ("ne_NP",), "en", date(2021, 6, 1), 0.6, "gefont.org"),
    P("fdv-it-formazione", "Formazione sindacale online", "Fondazione Giuseppe Di Vittorio (CGIL)", "workers",
      "IT", ("it_IT",), "it", date(2022, 1, 17), 0.8, "fondazionedivittorio.it"),
    P("cotu-ke-academy", "COTU (K) Workers' Academy", "Central Organization of Trade Unions (Kenya)", "workers",
      "KE", ("en_KE", "sw"), "en", date(2023, 5, 2), 0.5, "cotu-kenya.org"),
    P("atuc-arab-elearning", "المنصة التعليمية للاتحاد العربي للنقابات", "Arab Trade Union Confederation (ATUC)",
      "workers", "JO", ("ar_AA", "ar_SA", "ar_PS"), "ar", date(2022, 10, 3), 0.6, "arabtradeunion.org"),
    P("kspi-id-belajar", "Sekolah Buruh Daring", "Konfederasi Serikat Pekerja Indonesia (KSPI)", "workers", "ID",
      ("id_ID",), "id", date(2021, 11, 15), 0.7, "kspi.or.id", retired=date(2022, 9, 30)),
    # --- labour ministries and their agencies ---
    P("iefp-pt-formacao", "Academia Digital IEFP", "Instituto do Emprego e Formação Profissional (IEFP), Portugal",
      "government_labour", "PT", ("pt_PT",), "pt", date(2020, 3, 16), 1.3, "iefp.pt"),
    P("stps-mx-capacitate", "Capacítate STPS", "Secretaría del Trabajo y Previsión Social (STPS), México",
      "government_labour", "MX", ("es_MX",), "es_mx", date(2021, 1, 18), 1.2, "stps.gob.mx"),
    P("oshc-ph-online", "OSHC Online Training",
      "Occupational Safety and Health Center, Department of Labor and Employment (Philippines)",
      "government_labour", "PH", ("en_US",), "en", date(2020, 8, 3), 1.0, "oshc.dole.gov.ph"),
    P("molisa-vn-lms", "Hệ thống đào tạo trực tuyến MOLISA",
      "Ministry of Labour, Invalids and Social Affairs (MOLISA), Viet Nam", "government_labour", "VN",
      ("vi_VN",), "vi", date(2022, 4, 1), 1.0, "molisa.gov.vn"),
    P("kemnaker-id-skillhub", "Skillhub Kemnaker", "Kementerian Ketenagakerjaan Republik Indonesia",
      "government_labour", "ID", ("id_ID",), "id", date(2022, 7, 1), 1.1, "kemnaker.go.id"),
    P("mteyss-ar-campus", "Campus Virtual MTEySS", "Ministerio de Trabajo, Empleo y Seguridad Social (Argentina)",
      "government_labour", "AR", ("es_AR",), "es", date(2020, 6, 15), 1.0, "trabajo.gob.ar"),
    P("inefop-ao-formacao", "INEFOP Formação à Distância",
      "Instituto Nacional de Emprego e Formação Profissional (INEFOP), Angola", "government_labour", "AO",
      ("pt_PT", "pt_BR"), "pt", date(2023, 6, 1), 0.5, "inefop.gov.ao"),
    P("mehnat-uz-malaka", "Malaka oshirish platformasi",
      "Ministry of Employment and Poverty Reduction of the Republic of Uzbekistan", "government_labour", "UZ",
      ("uz_UZ", "ru_RU"), "uz", date(2022, 12, 1), 0.6, "mehnat.uz"),
    P("moh-ge-learning", "სასწავლო პლატფორმა — შრომის ინსპექცია", "Labour Inspection Service of Georgia",
      "government_labour", "GE", ("ka_GE",), "ka", date(2021, 3, 15), 0.5, "shroma.ge"),
    P("hrdf-sa-doroob", "منصة التدريب — صندوق تنمية الموارد البشرية", "Human Resources Development Fund (HRDF), Saudi Arabia",
      "government_labour", "SA", ("ar_SA",), "ar", date(2021, 3, 15), 0.8, "hrdf.org.sa"),
    P("anpe-tg-formation", "ANPE Togo — Formation en ligne", "Agence nationale pour l'emploi (ANPE), Togo",
      "government_labour", "TG", ("fr_FR",), "fr", date(2023, 1, 9), 0.5, "anpetogo.org"),
    # --- other intermediaries: training institutes, universities, development banks ---
    P("adb-buildproc", "BUILDPROC Learning Platform",
      "Asian Development Bank — Procurement, Portfolio and Financial Management Department", "other", "PH",
      ("en_IN", "en_PK", "bn_BD", "vi_VN", "id_ID", "ne_NP", "uz_UZ", "en_US"), "en", date(2022, 6, 1), 3.0,
      "adb.org", installed_days_before=45),
    P("insaforp-sv-campus", "Campus Virtual INSAFORP", "Instituto Salvadoreño de Formación Profesional (INSAFORP)",
      "other", "SV", ("es_MX",), "es", date(2020, 2, 17), 1.2, "insaforp.org.sv"),
    P("biam-bd-elearning", "BIAM e-Learning", "Bangladesh Institute of Administration and Management (BIAM)",
      "other", "BD", ("bn_BD",), "en", date(2022, 3, 1), 0.7, "biam.gov.bd"),
    P("ifef-sn-plateforme", "Plateforme IFEF", "Institut de la Francophonie pour l'éducation et la formation (IFEF)",
      "other", "SN", ("fr_FR", "fr_BE", "fr_CA"), "fr", date(2023, 2, 13), 0.7, "ifef.francophonie.org"),
    P("omnia-fi-learning", "Omnia Global Learning", "Omnia Education Partnerships Ltd (OEP), Finland", "other",
      "FI", ("fi_FI", "en_GB"), "en", date(2023, 3, 1), 0.5, "omnia.fi"),
    P("sena-co-aprende", "Aprende SENA — Cursos complementarios", "Servicio Nacional de Aprendizaje (SENA), Colombia",
      "other", "CO", ("es_CO",), "es_co", date(2020, 9, 14), 1.1, "sena.edu.co"),
    P("fudan-cn-rongchang", "复旦荣昶在线学习平台", "Fudan University — Rongchang Scholarship Programme", "other", "CN",
      ("zh_CN",), "zh_cn", date(2022, 9, 5), 0.5, "fudan.edu.cn"),
    P("coi-mu-formation", "Plateforme de formation COI", "Commission de l'océan Indien (COI)", "other", "MU",
      ("fr_FR", "en_GB"), "fr", date(2021, 9, 1), 0.5, "commissionoceanindien.org", retired=date(2023, 6, 30)),
    P("unito-it-lab", "Turin Learning Lab", "Università degli Studi di Torino — Dipartimento di Management", "other",
      "IT", ("it_IT",), "it", date(2020, 10, 12), 0.6, "unito.it", retired=date(2021, 12, 20)),
    P("ecpm-kz-academy", "Eurasian HR Academy", "Eurasian Centre for People Management, Kazakhstan", "other", "KZ",
      ("ru_RU",), "ru", date(2022, 4, 18), 0.5, "ecpm.kz"),
)
del P

# Platforms whose role ids differ from Moodle's defaults (roles created in another order).
SHUFFLED_ROLES = {"tisk-tr-akademi", "sena-co-aprende"}
# Platforms whose front page (site course) carries a self enrolment with students (must be ignored).
SITE_COURSE_ENROL = {"coparmex-mx-campus", "adb-buildproc", "etui-be-elearning"}

TOPICS = {
    "es": ["Seguridad y salud en el trabajo", "Diálogo social y negociación colectiva", "Gestión de recursos humanos",
           "Productividad y condiciones de trabajo", "Igualdad de género en la empresa", "Normas internacionales del trabajo",
           "Liderazgo para mandos medios", "Emprendimiento y desarrollo empresarial", "Protección social: conceptos básicos",
           "Transformación digital de las pymes", "Prevención del acoso laboral", "Compras públicas sostenibles"],
    "pt": ["Segurança e saúde no trabalho", "Diálogo social e negociação coletiva", "Gestão de pessoas",
           "Igualdade de género no local de trabalho", "Normas internacionais do trabalho", "Empreendedorismo",
           "Proteção social", "Transformação digital", "Liderança e gestão de equipas", "Formação de formadores"],
    "fr": ["Santé et sécurité au travail", "Dialogue social et négociation collective", "Gestion des ressources humaines",
           "Égalité de genre en entreprise", "Normes internationales du travail", "Entrepreneuriat et PME",
           "Protection sociale", "Transformation numérique", "Leadership syndical", "Inspection du travail",
           "Prévention du harcèlement", "Formation de formateurs"],
    "en": ["Occupational safety and health", "Social dialogue and collective bargaining", "Human resource management",
           "Gender equality at work", "International labour standards", "Entrepreneurship and SME development",
           "Social protection basics", "Digital transformation for business", "Leadership for managers",
           "Labour inspection", "Public procurement", "Project management", "Financial management for projects",
           "Preventing violence and harassment at work", "Green jobs and just transition", "Training of trainers"],
    "it": ["Salute e sicurezza sul lavoro", "Contrattazione collettiva", "Parità di genere", "Norme internazionali del lavoro",
           "Transizione digitale", "Formazione dei delegati sindacali"],
}
LEVELS = ["", " — Nivel I", " — Nivel II", " (2.ª edición)", " — módulo básico", " — avanzado"]


def _topics(lang: str) -> list[str]:
    return TOPICS.get(lang.split("_")[0], TOPICS["en"])


def url_env(code: str) -> str:
    return "PLATFORM_" + code.upper().replace("-", "_") + "_URL"


def _epoch(d: date, secs: int) -> int:
    """Epoch of the Rome local time `secs` seconds after midnight of local date d."""
    h, rem = divmod(secs, 3600)
    return int(datetime(d.year, d.month, d.day, h, rem // 60, rem % 60, tzinfo=ROME).timestamp())


def _rome_date(ts: int) -> date:
    return datetime.fromtimestamp(ts, ROME).date()


class _Names:
    """Pools of first/last names per Faker locale (Faker is slow per call; sample from pools)."""

    def __init__(self, seed: int):
        from faker import Faker

        self._faker = Faker
        self._seed = seed
        self._pools: dict[str, tuple[list[str], list[str]]] = {}

    def pool(self, locale: str):
        if locale not in self._pools:
            f = self._faker(locale)
            f.seed_instance(f"{self._seed}:{locale}")
            firsts = sorted({f.first_name() for _ in range(220)})
            lasts = sorted({f.last_name() for _ in range(220)})
            self._pools[locale] = (firsts, lasts)
        return self._pools[locale]


def _ascii(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if c.isascii() and (c.isalnum()))
    return s.lower()


FREE_MAIL = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com"]
LOCAL_MAIL = {"BR": "uol.com.br", "FR": "orange.fr", "SN": "yahoo.fr", "MA": "menara.ma", "TN": "topnet.tn",
              "RU": "mail.ru", "KZ": "mail.ru", "CN": "163.com", "JP": "yahoo.co.jp", "ES": "hotmail.es",
              "IT": "libero.it", "VN": "gmail.com", "MX": "prodigy.net.mx", "AR": "fibertel.com.ar", "CD": "yahoo.fr",
              "UZ": "mail.ru", "MN": "gmail.com", "PT": "sapo.pt", "BE": "skynet.be", "TG": "yahoo.fr"}
NEIGHBOURS = {"PE": "BO EC CL CO", "MX": "GT US CO", "BR": "PT AR AO MZ", "KE": "UG TZ ET", "PH": "ID MY",
              "MA": "DZ TN FR", "SN": "ML CI BF", "UG": "KE TZ RW", "VN": "KH LA", "LK": "IN MV", "BD": "IN NP",
              "CO": "VE EC PE", "HN": "GT SV NI", "TN": "DZ MA LY", "TR": "AZ DE", "MN": "KZ RU", "PK": "AF IN",
              "GH": "NG TG CI", "ES": "PT AR MX", "CD": "CG CM", "NG": "GH BJ", "JO": "PS LB EG", "CH": "FR DE BE IT ES",
              "BE": "FR NL DE IT ES PL RO", "ZA": "LS BW ZW", "JP": "KR", "TG": "BJ BF CI SN CM", "NP": "IN",
              "IT": "ES FR", "ID": "MY TL", "PT": "BR AO", "AR": "UY PY CL", "AO": "MZ PT", "UZ": "KZ TJ KG",
              "GE": "AM AZ", "SA": "BH KW EG", "SV": "GT HN", "FI": "EE SE", "CN": "HK", "MU": "MG SC KM RE",
              "KZ": "KG UZ RU"}


@dataclass
class _Db:
    """In-memory rows of one platform's Moodle database."""
    users: list
    cats: list
    courses: list
    enrols: list
    ues: list
    contexts: list
    roles: list
    ras: list


def _allocate(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split `total` into integers proportional to weights (largest remainder, ties broken by rng)."""
    s = sum(weights)
    if total == 0 or s == 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), rng.random()))
    for i in order[:rest]:
        out[i] += 1
    return out


def _active_fraction(p: Platform, year: int) -> float:
    lo = max(date(year, 1, 1), p.since)
    hi = min(date(year, 12, 31), p.retired or date(2100, 1, 1))
    if year == 2024:
        hi = min(hi, date(2024, 3, 15))
    if hi < lo:
        return 0.0
    return ((hi - lo).days + 1) / 365.0


def plan(scale: int, rng: random.Random) -> dict[tuple[str, int], int]:
    """Counted enrolments per (platform code, year)."""
    counts: dict[tuple[str, int], int] = {}
    targets = dict(TARGETS)
    targets.update(EXTRA_YEARS)
    for year, (total, employers) in sorted(targets.items()):
        for grp_is_emp, n in ((True, employers), (False, total - employers)):
            plats = [p for p in PLATFORMS if (p.group == "employers") == grp_is_emp]
            # platforms ramp up over their first year of service
            weights = []
            for p in plats:
                frac = _active_fraction(p, year)
                ramp = min(1.0, 0.45 + 0.55 * max(0, year - p.since.year))
                # fewer enrolments towards retirement
                if p.retired and p.retired.year == year:
                    ramp *= 0.6
                weights.append(p.weight * frac * ramp * rng.uniform(0.85, 1.15))
            for p, c in zip(plats, _allocate(n * scale, weights, rng)):
                counts[(p.code, year)] = c
    return counts


class _Builder:
    def __init__(self, p: Platform, rng: random.Random, names: _Names):
        self.p, self.rng, self.names = p, rng, names
        self.users: list[tuple] = []
        self.ues: list[tuple] = []
        self.ras: list[tuple] = []
        self.pairs: set[tuple[int, int]] = set()
        self.counted: dict[int, int] = {}       # year -> counted pairs (by construction)
        self.next_user = 3
        self.used_usernames: set[str] = set()

    # ------------------------------------------------------------------ times
    def local_time(self, lo: date, hi: date, boundary: str = "") -> int:
        """Epoch of a realistic Rome local time on a date in [lo, hi] (inclusive).

        boundary="early": 00:xx Rome on `lo` (1 January: 23:xx UTC on 31 December of the year before);
        boundary="late": 23:xx Rome on `hi` (31 December: 22:xx UTC, still this year)."""
        rng = self.rng
        if boundary == "early":
            return _epoch(lo, rng.randint(0, 3599))
        if boundary == "late":
            return _epoch(hi, rng.randint(23 * 3600, 86399))
        span = (hi - lo).days
        for _ in range(20):
            d = lo + timedelta(days=rng.randint(0, max(span, 0)))
            wd = d.weekday()
            if wd >= 5 and rng.random() < 0.6:
                continue
            if d.month == 8 and rng.random() < 0.4:
                continue
            break
        secs = int(min(86399, max(0, rng.gauss(14.5 * 3600, 4 * 3600))))
        return _epoch(d, secs)

    # ------------------------------------------------------------------ users
    def new_user(self, created: int, auth: str = "manual", deleted: int = 0, suspended: int = 0,
                 username: str | None = None) -> int:
        rng, p = self.rng, self.p
        uid = self.next_user
        self.next_user += 1
        loc = rng.choice(p.locales)
        firsts, lasts = self.names.pool(loc)
        first, last = rng.choice(firsts), rng.choice(lasts)
        if rng.random() < 0.2 and loc[:2] in ("es", "pt"):
            last = f"{last} {rng.choice(lasts)}"
        a_first, a_last = _ascii(first), _ascii(last.split(" ")[0])
        r = rng.random()
        if not a_first or not a_last:
            local = f"{rng.choice(['user', 'learner', 'u'])}{rng.randint(1000, 99999)}"
        elif r < 0.45:
            local = f"{a_first}.{a_last}"
        elif r < 0.7:
            local = f"{a_first[0]}{a_last}{rng.randint(1, 99)}"
        elif r < 0.85:
            local = f"{a_last}.{a_first}{rng.choice(['', str(rng.randint(70, 99))])}"
        else:
            local = f"{a_first}{a_last}{rng.randint(1, 2005)}"
        if rng.random() < 0.25:
            domain = p.domain
        elif rng.random() < 0.3 and p.country in LOCAL_MAIL:
            domain = LOCAL_MAIL[p.country]
        else:
            domain = rng.choice(FREE_MAIL)
        email = f"{local}@{domain}"
        uname = username or email.lower()
        while uname in self.used_usernames:
            uname = f"{local}{rng.randint(1, 999)}@{domain}".lower()
            email = uname
        self.used_usernames.add(uname)
        r = rng.random()
        if r < 0.86:
            country = p.country
        elif r < 0.96 and p.country in NEIGHBOURS:
            country = rng.choice(NEIGHBOURS[p.country].split())
        else:
            country = ""
        modified = min(EXTRACTED, created + rng.randint(0, 400 * 86400)) if rng.random() < 0.5 else created
        if deleted:
            ts = min(EXTRACTED, created + rng.randint(30, 700) * 86400 + rng.randint(0, 86399))
            uname = f"{email.lower()}.{ts}"
            email = hashlib.md5(email.encode()).hexdigest()
            modified = ts
        self.users.append((uid, auth, deleted, suspended, uname, email, first, last, country, p.lang,
                           created, modified))
        return uid


def _build_platform(p: Platform, counts: dict[int, int], scale: int, rng: random.Random, names: _Names,
                    roles_shuffled: bool, site_enrol: bool) -> tuple[_Db, dict[int, int]]:
    b = _Builder(p, rng, names)
    total = sum(counts.values())
    start_service = p.since - timedelta(days=p.installed_days_before)
    first_year = min([y for y, c in counts.items() if c] or [p.since.year])
    # ---------------------------------------------------------------- roles
    role_names = ["manager", "coursecreator", "editingteacher", "teacher", "student", "guest", "user",
                  "frontpage"]
    if roles_shuffled:
        order = ["manager", "coursecreator", "editingteacher", "teacher", "guest", "user", "frontpage",
                 "student"]
        roles = [(i + 1, n) for i, n in enumerate(order)] + [(9, "tutor_local")]
    else:
        roles = [(i + 1, n) for i, n in enumerate(role_names)]
    rid = {n: i for i, n in roles}
    # ---------------------------------------------------------------- categories & courses
    n_cats = 2 + min(6, total // (600 * scale) + rng.randint(0, 2))
    cat_names = rng.sample(["Cursos abiertos", "Formation continue", "Programmes", "Self-paced courses",
                            "Tutored courses", "Archive", "2021", "2022", "2023", "Pilot", "Certificación",
                            "Members only", "Institutional training", "Módulos"], n_cats)
    cats = [(1, "Miscellaneous", "", 0, "/1")]
    for i, n in enumerate(cat_names, start=2):
        parent = 1 if (i > 3 and rng.random() < 0.3) else 0
        path = f"/1/{i}" if parent else f"/{i}"
        cats.append((i, n, "", parent, path))
    n_courses = max(5, min(80, int(total / (140 * scale)) + rng.randint(3, 8)))
    topics = _topics(p.lang)
    svc0 = _epoch(start_service - timedelta(days=rng.randint(10, 60)), 36000)
    courses = [(1, 0, p.name, p.code.split("-")[0], "", 0, 0, 1, svc0, svc0)]
    for cid in range(2, n_courses + 2):
        t = f"{rng.choice(topics)}{rng.choice(LEVELS) if p.lang.startswith('es') else ''}"
        year_tag = rng.choice([first_year, first_year + 1, 2022, 2023])
        full = f"{t} {year_tag}" if rng.random() < 0.4 else t
        short = f"{p.code.split('-')[0].upper()}-{cid:03d}"
        created = svc0 + rng.randint(0, 200) * 86400
        visible = 0 if rng.random() < 0.1 else 1
        courses.append((cid, rng.choice(cats)[0], full, short, "", created, 0, visible, created, created))
    course_ids = [c[0] for c in courses[1:]]
    # ---------------------------------------------------------------- enrolment instances
    enrols, inst = [], {}   # inst[(course, method)] = enrol id
    eid = 1
    for cid in [1] + course_ids:
        methods = (["self"] if site_enrol else []) if cid == 1 else (
            ["manual", "self"] + (["cohort"] if rng.random() < 0.3 else []) + (["guest"] if rng.random() < 0.3 else []))
        for m in methods:
            enrols.append((eid, m, cid, 0 if m != "guest" else 1))
            inst[(cid, m)] = eid
            eid += 1
    # ---------------------------------------------------------------- contexts (ids unrelated to course ids)
    contexts = [(1, 10, 0)]
    ctx_course, ctx_cat = {}, {}
    nxt = 2
    for c in cats:
        contexts.append((nxt, 40, c[0])); ctx_cat[c[0]] = nxt; nxt += 1
    for c in courses:
        nxt += rng.randint(0, 3)
        contexts.append((nxt, 50, c[0])); ctx_course[c[0]] = nxt; nxt += 1
    contexts.append((nxt, 30, 2)); nxt += 1
    # ---------------------------------------------------------------- helpers
    ue_id = [1]
    ra_id = [1]

    def add_ue(uid, cid, method, t, timestart_zero=False, status=0, created=None):
        enrolid = inst.get((cid, method)) or inst[(cid, "manual")] if cid != 1 else inst[(1, "self")]
        tc = t if created is None else created
        b.ues.append((ue_id[0], status, enrolid, uid, 0 if timestart_zero else t, 0, tc, tc))
        ue_id[0] += 1

    def add_ra(uid, ctx, role, t, component=""):
        b.ras.append((ra_id[0], rid[role], ctx, uid, t, 2, component, 0))
        ra_id[0] += 1

    def pick_course(uid, avoid):
        for _ in range(30):
            cid = rng.choice(course_ids)
            if (uid, cid) not in b.pairs and cid not in avoid:
                return cid
        return None

    # guest and admin
    b.users.append((1, "manual", 0, 0, "guest", "root@localhost", "Guest user", " ", "", p.lang, 0, 0))
    b.users.append((2, "manual", 0, 0, "admin", f"moodle-admin@{p.domain}", "Admin", "User", p.country, "en",
                    svc0, svc0))
    b.used_usernames.update({"guest", "admin"})

    def student_pair(uid, cid, t, counted_year):
        """One (user, course) student enrolment whose earliest start is t."""
        b.pairs.add((uid, cid))
        r = rng.random()
        method = "self" if r < 0.62 else ("manual" if r < 0.92 or (cid, "cohort") not in inst else "cohort")
        status = 1 if rng.random() < 0.02 else 0
        if method == "manual" and rng.random() < 0.25:
            # pre-registered in advance: created earlier (possibly in the previous year), starts at t
            add_ue(uid, cid, "manual", t, status=status, created=t - rng.randint(2, 45) * 86400)
        else:
            add_ue(uid, cid, method, t, timestart_zero=rng.random() < 0.15, status=status)
        if rng.random() < 0.04:
            # enrolled a second time through another method, later (sometimes next year)
            other = "manual" if method != "manual" else "self"
            t2 = t + rng.randint(1, 240) * 86400 + rng.randint(0, 86399)
            add_ue(uid, cid, other, t2, timestart_zero=rng.random() < 0.3)
        add_ra(uid, ctx_course[cid], "student", t)
        if rng.random() < 0.01:
            add_ra(uid, ctx_course[cid], "student", t, component="enrol_cohort")   # duplicate assignment
        if counted_year is not None:
            b.counted[counted_year] = b.counted.get(counted_year, 0) + 1

    # ---------------------------------------------------------------- counted enrolments
    returning: list[int] = []
    for year in sorted(counts):
        n = counts[year]
        lo = max(date(year, 1, 1), p.since)
        hi = date(year, 12, 31) if not p.retired else min(date(year, 12, 31), p.retired)
        if year == 2024:
            hi = min(hi, date(2024, 3, 15))
        made = 0
        year_users: list[int] = []
        while made < n:
            k = min(n - made, rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 3, 4]))
            r = rng.random()
            boundary = ("early" if r < 0.006 and lo == date(year, 1, 1) else
                        "late" if r > 0.996 and hi == date(year, 12, 31) else "")
            t0 = b.local_time(lo, hi, boundary=boundary)
            if returning and rng.random() < 0.15:
                uid = returning.pop(rng.randrange(len(returning)))
            else:
                uid = b.new_user(t0 - rng.randint(0, 3) * 86400 - rng.randint(0, 3600),
                                 suspended=1 if rng.random() < 0.01 else 0)
            placed = 0
            for j in range(k):
                cid = pick_course(uid, ())
                if cid is None:
                    break
                t = t0 if j == 0 else t0 + rng.randint(0, 40) * 86400 + rng.randint(0, 7200)
                if _rome_date(t).year != year or (p.retired and _rome_date(t) > p.retired):
                    t = t0 + rng.randint(60, 3600)
                    if _rome_date(t).year != year:
                        t = t0
                student_pair(uid, cid, t, year)
                placed += 1
            made += placed
            if placed:
                year_users.append(uid)
        returning = [u for u in year_users if rng.random() < 0.3]
    # ---------------------------------------------------------------- noise: never counted
    # enrolments before `since` (platform in use before the Centre reported it)
    if p.installed_days_before:
        n_pre = max(3, int(0.05 * counts.get(p.since.year, 0)))
        for _ in range(n_pre):
            t = b.local_time(start_service, p.since - timedelta(days=2))
            uid = b.new_user(t - rng.randint(0, 2) * 86400)
            cid = pick_course(uid, ())
            student_pair(uid, cid, t, None)
    span_lo = max(p.since, date(2020, 1, 1))
    span_hi = min(p.retired or date(2023, 12, 31), date(2023, 12, 31))
    if span_hi < span_lo:
        span_lo, span_hi = p.since, p.retired or p.since
    # tutors, teachers and managers enrolled in courses
    staff = [b.new_user(_epoch(span_lo, 36000) - rng.randint(5, 60) * 86400) for _ in range(max(2, len(course_ids) // 4))]
    for cid in course_ids:
        for uid in rng.sample(staff, min(len(staff), rng.randint(1, 2))):
            t = _epoch(span_lo, 36000) - rng.randint(1, 30) * 86400
            add_ue(uid, cid, "manual", t)
            add_ra(uid, ctx_course[cid], rng.choice(["editingteacher", "teacher", "editingteacher"]), t)
        if rng.random() < 0.2:
            add_ue(2, cid, "manual", courses[0][8])
            add_ra(2, ctx_course[cid], "manager", courses[0][8])
    # the guest account enrolled as a student in a course
    t = b.local_time(span_lo, span_hi)
    gc = rng.choice(course_ids)
    add_ue(1, gc, "self", t)
    add_ra(1, ctx_course[gc], "student", t)
    # service/test accounts that cannot log in, enrolled as students
    for i in range(rng.randint(1, 3)):
        t = b.local_time(span_lo, span_hi)
        uid = b.new_user(t, auth="nologin", username=f"test.student{i + 1}")
        for cid in rng.sample(course_ids, min(3, len(course_ids))):
            student_pair(uid, cid, t, None)
    # deleted users: most without enrolments (Moodle removed them), some with leftover rows
    for i in range(max(3, int(0.02 * len(b.users)))):
        t = b.local_time(span_lo, span_hi)
        uid = b.new_user(t, deleted=1)
        if i % 4 == 0:
            student_pair(uid, pick_course(uid, ()), t, None)
    # student role without any enrolment row (orphan) and enrolment with the student role only at category level
    existing = [u[0] for u in b.users if u[0] > 2 and u[2] == 0 and u[1] == "manual"]
    for _ in range(max(2, total // 400)):
        uid = rng.choice(existing)
        cid = pick_course(uid, ())
        if cid is None:
            continue
        t = b.local_time(span_lo, span_hi)
        if rng.random() < 0.5:
            add_ra(uid, ctx_course[cid], "student", t)
        else:
            add_ue(uid, cid, "self", t)
            cat = next(c for c in courses if c[0] == cid)[1]
            add_ra(uid, ctx_cat[cat], "student", t)
        b.pairs.add((uid, cid))
    # students on the site course (front page self enrolment)
    if site_enrol:
        for _ in range(rng.randint(3, 12)):
            uid = rng.choice(existing)
            t = b.local_time(span_lo, span_hi)
            add_ue(uid, 1, "self", t)
            add_ra(uid, ctx_course[1], "student", t)
    db = _Db(b.users, cats, courses, enrols, b.ues, contexts, roles, b.ras)
    return db, b.counted


SCHEMA = {
    "user": ("id INTEGER PRIMARY KEY, auth TEXT NOT NULL DEFAULT 'manual', deleted INTEGER NOT NULL DEFAULT 0, "
             "suspended INTEGER NOT NULL DEFAULT 0, username TEXT NOT NULL, email TEXT NOT NULL, "
             "firstname TEXT NOT NULL, lastname TEXT NOT NULL, country TEXT NOT NULL DEFAULT '', "
             "lang TEXT NOT NULL DEFAULT 'en', timecreated INTEGER NOT NULL DEFAULT 0, "
             "timemodified INTEGER NOT NULL DEFAULT 0, confirmed INTEGER NOT NULL DEFAULT 1, "
             "mnethostid INTEGER NOT NULL DEFAULT 1, idnumber TEXT NOT NULL DEFAULT '', "
             "institution TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT ''", 12),
    "course_categories": ("id INTEGER PRIMARY KEY, name TEXT NOT NULL, idnumber TEXT, parent INTEGER NOT NULL, "
                          "path TEXT NOT NULL, visible INTEGER NOT NULL DEFAULT 1", 5),
    "course": ("id INTEGER PRIMARY KEY, category INTEGER NOT NULL, fullname TEXT NOT NULL, shortname TEXT NOT NULL, "
               "idnumber TEXT NOT NULL DEFAULT '', startdate INTEGER NOT NULL, enddate INTEGER NOT NULL, "
               "visible INTEGER NOT NULL, timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL, "
               "format TEXT NOT NULL DEFAULT 'topics'", 10),
    "enrol": ("id INTEGER PRIMARY KEY, enrol TEXT NOT NULL, courseid INTEGER NOT NULL, status INTEGER NOT NULL, "
              "sortorder INTEGER NOT NULL DEFAULT 0", 4),
    "user_enrolments": ("id INTEGER PRIMARY KEY, status INTEGER NOT NULL, enrolid INTEGER NOT NULL, "
                        "userid INTEGER NOT NULL, timestart INTEGER NOT NULL, timeend INTEGER NOT NULL, "
                        "timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL, modifierid INTEGER NOT NULL DEFAULT 0",
                        8),
    "context": ("id INTEGER PRIMARY KEY, contextlevel INTEGER NOT NULL, instanceid INTEGER NOT NULL, "
                "path TEXT, depth INTEGER NOT NULL DEFAULT 0", 3),
    "role": ("id INTEGER PRIMARY KEY, shortname TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', "
             "sortorder INTEGER NOT NULL DEFAULT 0", 2),
    "role_assignments": ("id INTEGER PRIMARY KEY, roleid INTEGER NOT NULL, contextid INTEGER NOT NULL, "
                         "userid INTEGER NOT NULL, timemodified INTEGER NOT NULL, modifierid INTEGER NOT NULL, "
                         "component TEXT NOT NULL DEFAULT '', itemid INTEGER NOT NULL DEFAULT 0", 8),
}
INDEXES = [("user_enrolments", "enrolid, userid"), ("role_assignments", "contextid, roleid"),
           ("enrol", "courseid"), ("context", "contextlevel, instanceid")]


def _write_db(path: Path, prefix: str, db: _Db) -> None:
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        with con:
            for t, (cols, _n) in SCHEMA.items():
                con.execute(f"CREATE TABLE {prefix}{t} ({cols})")
            for t, c in INDEXES:
                con.execute(f"CREATE INDEX {prefix}{t}_ix_{c.replace(', ', '_')} ON {prefix}{t} ({c})")

            def ins(table, names, rows):
                ph = ",".join("?" * len(names))
                con.executemany(f"INSERT INTO {prefix}{table} ({','.join(names)}) VALUES ({ph})", rows)

            ins("user", ["id", "auth", "deleted", "suspended", "username", "email", "firstname", "lastname",
                         "country", "lang", "timecreated", "timemodified"], db.users)
            ins("course_categories", ["id", "name", "idnumber", "parent", "path"], db.cats)
            ins("course", ["id", "category", "fullname", "shortname", "idnumber", "startdate", "enddate", "visible",
                           "timecreated", "timemodified"], db.courses)
            ins("enrol", ["id", "enrol", "courseid", "status"], db.enrols)
            ins("user_enrolments", ["id", "status", "enrolid", "userid", "timestart", "timeend", "timecreated",
                                    "timemodified"], db.ues)
            ins("context", ["id", "contextlevel", "instanceid"], db.contexts)
            ins("role", ["id", "shortname"], db.roles)
            ins("role_assignments", ["id", "roleid", "contextid", "userid", "timemodified", "modifierid",
                                     "component", "itemid"], db.ras)
    finally:
        con.close()


def _registry_yaml(plats) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["# External platform registry — kept by ICTS. Platforms are added and retired over time.",
             "platforms:"]
    for p in plats:
        lines += [f"  - code: {p.code}",
                  f"    name: {q(p.name)}",
                  f"    intermediary: {q(p.intermediary)}",
                  f"    constituent_group: {p.group}",
                  f"    url_env: {url_env(p.code)}",
                  f"    table_prefix: {p.prefix}",
                  f"    active: {'false' if p.retired else 'true'}",
                  f"    since: {p.since.isoformat()}"]
        if p.retired:
            lines[-1] += f"    # retired {p.retired.isoformat()}"
    return "\n".join(lines) + "\n"


def _write_env(out: Path, plats) -> None:
    env = out / ".env"
    keep = []
    if env.exists():
        keep = [ln for ln in env.read_text(encoding="utf-8").splitlines() if not ln.startswith("PLATFORM_")]
    lines = keep + [f"{url_env(p.code)}=sqlite:///platforms/{p.code}.sqlite" for p in plats]
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(out: Path, truth: Path, seed: int = 0, scale: int = 1) -> None:
    out, truth = Path(out), Path(truth)
    rng = random.Random(f"{seed}:platforms")
    names = _Names(seed)
    counts = plan(scale, rng)
    (out / "platforms").mkdir(parents=True, exist_ok=True)
    per: dict[tuple[str, int], int] = {}
    for p in PLATFORMS:
        prng = random.Random(f"{seed}:platforms:{p.code}")
        pc = {y: counts.get((p.code, y), 0) for y in sorted({y for (_c, y) in counts})}
        pc = {y: n for y, n in pc.items() if n}
        db, counted = _build_platform(p, pc, scale, prng, names, p.code in SHUFFLED_ROLES,
                                      p.code in SITE_COURSE_ENROL)
        _write_db(out / "platforms" / f"{p.code}.sqlite", p.prefix, db)
        for y, n in counted.items():
            per[(p.code, y)] = n
    (out / "platforms.yml").write_text(_registry_yaml(PLATFORMS), encoding="utf-8")
    _write_env(out, PLATFORMS)
    _write_truth(truth, per)


def _write_truth(truth: Path, per: dict[tuple[str, int], int]) -> None:
    groups = {p.code: p.group for p in PLATFORMS}
    by_year = {y: sum(n for (c, yy), n in per.items() if yy == y) for y in YEARS}
    emp = {y: sum(n for (c, yy), n in per.items() if yy == y and groups[c] == "employers") for y in YEARS}
    rows = []
    for y in YEARS:
        rows.append(("1.2", "external_platform_enrolments", str(y), by_year[y]))
        rows.append(("1.B", "indirect_enrolments", str(y), by_year[y]))
        rows.append(("1.1b", "employer_external_platform_enrolments", str(y), emp[y]))
    for b, (y1, y2) in BIENNIA.items():
        rows.append(("1.2", "external_platform_enrolments", b, by_year[y1] + by_year[y2]))
        rows.append(("1.B", "indirect_enrolments", b, by_year[y1] + by_year[y2]))
        rows.append(("1.1b", "employer_external_platform_enrolments", b, emp[y1] + emp[y2]))
    prev, cur = by_year[2020] + by_year[2021], by_year[2022] + by_year[2023]
    rows.append(("1.B", "indirect_enrolment_growth", "2022-23", (cur / prev - 1) * 100))
    truth.mkdir(parents=True, exist_ok=True)
    with open(truth / "expected_platforms.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator_code", "measure", "period", "value"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], repr(r[3]) if isinstance(r[3], float) else r[3]])
    with open(truth / "expected_platforms_by_platform.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["platform_code", "constituent_group", "active", "year", "counted_enrolments"])
        for p in PLATFORMS:
            for y in sorted({yy for (c, yy) in per if c == p.code}):
                w.writerow([p.code, p.group, "false" if p.retired else "true", y, per[(p.code, y)]])
