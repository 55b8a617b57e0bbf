"""Planted near-duplicates: pairs of generated persons made to look alike in ways the rules L1-L3 miss.

Each pair re-uses two persons the plan already counts as two (so every calibrated figure holds exactly):
the second person's records are rewritten to resemble the first's identity, keeping their own attributes
(gender, constituent group), activities and the missingness of each field. Kinds:

- birth_year_typo   same name and country, birth year with a typo (digits swapped, or one off)   one person
- surname_variant   same given name, birth year and country, the surname spelt another way       one person
- two_addresses     same name and country, a work address instead of a private one, no birth
                    year on the work account                                                      one person
- transliteration   a non-Latin name romanised another way, same birth year and country         one person
- homonym           the same full name in another country, another birth year                    two persons

"One person" pairs are the misses a steward would merge (the published rules count them twice, as the
calibration does); homonyms must stay apart. Every rewrite is checked against the rules before it is kept:
the pair stays unlinked, the rewritten person's records stay connected, and no link key collides with any
other person's. The pairs go to truth/planted_near_duplicates.csv (writers assign the record ids later).
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from .identity import Rec, components, linked
from .refdata import COUNTRIES, PERSONAL_DOMAINS, ascii_slug, norm_email, strip_marks

KINDS = ("birth_year_typo", "surname_variant", "two_addresses", "transliteration", "homonym")
PER_KIND = 40  # pairs of each kind at scale 1
SAME_PERSON = {k: k != "homonym" for k in KINDS}

# Other romanisations: Cyrillic and Greek from the native spelling (French/ICAO-like schemes rather than
# refdata's), Arabic and Chinese names by their common alternative spellings.
_CYR_ALT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
                    ["a", "b", "v", "g", "d", "e", "io", "j", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
                     "t", "ou", "f", "h", "tz", "tch", "ch", "chtch", "", "i", "", "e", "iu", "ia", "i", "ie", "i",
                     "g"]))
_GRK_ALT = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                    ["a", "b", "gh", "d", "e", "z", "e", "th", "i", "k", "l", "m", "n", "ks", "o", "p", "r", "s", "s",
                     "t", "u", "ph", "kh", "ps", "o"]))
_LATIN_ALT = {
    "Mohamed": "Muhammad", "Ahmed": "Ahmad", "Ali": "Aly", "Omar": "Umar", "Khaled": "Khalid", "Tarek": "Tariq",
    "Karim": "Kareem", "Sami": "Samy", "Youssef": "Yusuf", "Hossam": "Husam", "Fatima": "Fatma",
    "Mariam": "Maryam", "Nour": "Noor", "Leila": "Layla", "Hoda": "Huda", "Sara": "Sarah", "Rana": "Ranaa",
    "Dina": "Deena", "Yasmine": "Yasmin", "Salma": "Selma", "Hassan": "Hasan", "Mahmoud": "Mahmud",
    "Ibrahim": "Ebrahim", "Abdallah": "Abdullah", "El-Sayed": "Al-Sayyid", "Mansour": "Mansur", "Khalil": "Khaleel",
    "Suleiman": "Sulayman", "Haddad": "Hadad", "Nassar": "Nasar", "Al-Khatib": "El-Khatib",
    "Wang": "Wong", "Li": "Lee", "Zhang": "Chang", "Liu": "Lau", "Chen": "Chan", "Yang": "Yeung",
    "Huang": "Hwang", "Zhao": "Chao", "Wu": "Ng", "Zhou": "Chou", "Xu": "Hsu", "Sun": "Suen", "Ma": "Mah",
    "Zhu": "Chu", "Hu": "Hoo", "Guo": "Kuo", "He": "Ho", "Lin": "Lam", "Xiuying": "Hsiu-ying", "Min": "Ming",
    "Jing": "Ching", "Ting": "Tíng", "Fang": "Fong", "Juan": "Chuan", "Xia": "Hsia", "Yan": "Yen",
    "Ling": "Leng", "Xiaomei": "Hsiao-mei", "Xue": "Hsueh", "Wei": "Way", "Qiang": "Chiang", "Lei": "Lui",
    "Jun": "Chun", "Yong": "Yung", "Jie": "Chieh", "Tao": "Tou", "Ming": "Meng", "Chao": "Chiu",
    "Zhiqiang": "Chih-chiang", "Jianguo": "Chien-kuo"}
# Spelling variants of a surname: (pattern, replacement), tried in random order; the last ones always apply.
_SURNAME_EDITS = [(r"([bcdfglmnprstz])\1", r"\1"), (r"(?<=[aeiou])([lnrst])(?=[aeiou])", r"\1\1"),
                  (r"ph", "f"), (r"f", "ph"), (r"y", "i"), (r"(?<=[a-z])i(?=[a-z])", "y"), (r"ck", "k"),
                  (r"(?<=[aeiou])c(?=[aeiou])", "k"), (r"th", "t"), (r"z", "s"), (r"(?<=[aeiou])s(?=[aeiou])", "z"),
                  (r"ou", "u"), (r"ei", "ie"), (r"ie", "ei"), (r"ow", "ov"), (r"sch", "sh"), (r"é", "e"),
                  (r"(?<=.)h", ""), (r"(?<=[a-z])[aeiou](?=[a-z]{2,})", "")]


def _edit_surname(rng: random.Random, surname: str) -> str | None:
    edits = _SURNAME_EDITS[:-2]
    rng.shuffle(edits)
    for pat, rep in edits + _SURNAME_EDITS[-2:]:
        matches = list(re.finditer(pat, surname[1:]))  # the initial stays: it is what people get right
        if not matches:
            continue
        m = rng.choice(matches)
        out = surname[:1 + m.start()] + m.expand(rep) + surname[1 + m.end():]
        if len(out) >= 3 and ascii_slug(out) != ascii_slug(surname):
            return out
    return None


def _romanise(native: str, latin: str) -> str:
    if native == latin:
        return latin
    if latin in _LATIN_ALT:
        return _LATIN_ALT[latin]
    out = []
    for ch in strip_marks(native):
        low = ch.lower()
        t = _CYR_ALT.get(low, _GRK_ALT.get(low))
        out.append(ch if t is None else (t.capitalize() if ch != low else t))
    return "".join(out)


def _formatted(rng: random.Random, g: str, s: str) -> tuple[str, str]:
    """A typing variant that normalises to the same name (case, accents, order)."""
    u = rng.random()
    if u < 0.15:
        return g, s.upper()
    if u < 0.25:
        return strip_marks(g), strip_marks(s)
    if u < 0.3:
        return s, g
    return g, s


class Planter:
    """Chooses and rewrites the pairs (called by World.build_records while identities are known)."""

    def __init__(self, world):
        self.w = world
        self.ib = world.ib
        self.rng = random.Random(f"{world.seed}:core:lookalikes")
        self.pairs: list[tuple[str, Rec, Rec]] = []   # (kind, record of A, record of B)

    def plant(self, excluded: set[int]) -> None:
        rng = self.rng
        ok = lambda p: (p.kind == "learner" and not p.is_ilo and p.pid not in excluded and not p.ident.mononym
                        and all(not (r.deleted or r.erased or r.shared) for r in p.recs))
        pool = [p for p in self.w.persons if ok(p)]
        rng.shuffle(pool)
        latin = [p for p in pool if not p.ident.nonlatin]
        native = [p for p in pool if p.ident.nonlatin]
        used: set[int] = set()
        for kind in KINDS:
            want, got = PER_KIND * self.w.scale, 0
            for a in (native if kind == "transliteration" else latin):
                if got == want:
                    break
                if a.pid in used or (kind == "birth_year_typo" and not a.ident.by):
                    continue
                for b in self._partners(a, latin, used):
                    if self._try(kind, a, b):
                        used.update((a.pid, b.pid))
                        got += 1
                        break
            assert got == want, f"only {got} of {want} {kind} pairs could be planted"

    def _partners(self, a, latin, used):
        """Persons the plan counts in a year where `a` counts too, of the same gender (first 200 tried)."""
        mask = lambda p: sum(1 << i for i in range(4) if p.dist[i] or p.f2f[i] or p.masters[i])
        ma, n = mask(a), 0
        start = self.rng.randrange(len(latin))
        for b in latin[start:] + latin[:start]:
            if b.pid != a.pid and b.pid not in used and b.gender == a.gender and mask(b) & ma:
                yield b
                n += 1
                if n == 200:
                    return

    # ------------------------------------------------------------------ one pair
    def _try(self, kind: str, a, b) -> bool:
        rng, ia, ib_ = self.rng, a.ident, b.ident
        given = " ".join(l for _, l in ia.given)
        surname = " ".join(l for _, l in ia.surname)
        country, by = ia.a2, ia.by
        if kind == "birth_year_typo":
            swapped = int(str(by)[:2] + str(by)[3] + str(by)[2])   # 1978 -> 1987, a plausible slip
            by = swapped if 0 < abs(swapped - by) <= 9 else by + rng.choice((-1, 1))
        elif kind == "surname_variant":
            first, *rest = [l for _, l in ia.surname]
            edited = _edit_surname(rng, first)
            if edited is None:
                return False
            surname = " ".join([edited] + rest)
        elif kind == "two_addresses":
            by = None
        elif kind == "transliteration":
            given = " ".join(_romanise(n, l) for n, l in ia.given)
            surname = " ".join(_romanise(n, l) for n, l in ia.surname)
        else:  # homonym: another country, another birth year
            country = ib_.a2 if ib_.a2 != ia.a2 else rng.choice([c[0] for c in COUNTRIES if c[0] != ia.a2])
            by = ib_.by if ib_.by != ia.by else (ia.by or 1980) + rng.choice((-7, 5, 12))
        emails = self._emails(kind, a, given, surname)
        if emails is None:
            return False
        saved = [(r, r.first, r.last, r.email, r.by, r.country) for r in b.recs]
        remap = {}
        for r in b.recs:
            if r.ekey and r.ekey not in remap:
                remap[r.ekey] = emails[len(remap) % len(emails)]
        for r in b.recs:
            r.first, r.last = _formatted(rng, given, surname)
            if r.ekey:
                r.email = remap[r.ekey]
            r.by = by if r.by is not None else None
            r.country = country if r.country is not None else None
            r.keys()
        # the record a steward would look up: the most complete one (e-mail, birth year, country)
        pick = lambda recs: max(recs, key=lambda r: (r.ekey is not None, r.by is not None, r.country is not None))
        ra, rb = pick(a.recs), pick(b.recs)
        if self._valid(a, b) and visible(kind, ra, rb):
            for r in b.recs:
                if r.l3 is not None:
                    self.ib.l3[r.l3] = b.pid
            self.ib.emails.update(norm_email(e) for e in emails)
            self.pairs.append((kind, ra, rb))
            return True
        for r, first, last, email, by_, cc in saved:
            r.first, r.last, r.email, r.by, r.country = first, last, email, by_, cc
            r.keys()
        return False

    def _emails(self, kind, a, given, surname) -> list[str] | None:
        """The look-alike's addresses: built from the name like a real person's, never an existing key."""
        rng = self.rng
        g, s = ascii_slug(given.split()[0]) or "user", ascii_slug(surname.split()[0]) if surname else ""
        if kind == "two_addresses":
            cands = [f"{g[0]}{s}@{dom}" for dom in (f"{s[:4] or 'org'}-{a.ident.a2.lower()}.org",
                                                  f"ministry.gov.{a.ident.a2.lower()}", "company.com")]
        elif kind == "homonym":
            cands = [f"{g}{s[:1]}{rng.randint(10, 99)}@{rng.choice(PERSONAL_DOMAINS[8:])}" for _ in range(3)]
        else:
            doms = [d for d in PERSONAL_DOMAINS[8:] if not (a.ident.P or "").endswith("@" + d)]
            cands = [f"{local}@{rng.choice(doms)}" for local in (f"{g}.{s}", f"{g}{s}", f"{s}.{g}")]
        free = [c for c in cands if norm_email(c) and norm_email(c) not in self.ib.emails]
        return free[:2] or None

    def _valid(self, a, b) -> bool:
        for r in b.recs:
            if r.l3 is not None and self.ib.l3.get(r.l3, b.pid) != b.pid:
                return False
        if len(set(components(b.recs))) != 1:
            return False
        return not any(linked(x, y) or linked(y, x) for x in a.recs for y in b.recs)


def visible(kind: str, ra, rb) -> bool:
    """The pair's two records show what its kind says (ra, rb: anything with nkey, ekey, by, country)."""
    same_name = ra.nkey is not None and ra.nkey == rb.nkey
    if kind == "birth_year_typo":
        return same_name and ra.by is not None and rb.by is not None and ra.by != rb.by
    if kind == "surname_variant":
        return ra.nkey is not None and rb.nkey is not None and ra.nkey != rb.nkey and \
            bool(set(ra.nkey.split()) & set(rb.nkey.split()))
    if kind == "two_addresses":
        return same_name and ra.ekey is not None and rb.ekey is not None and ra.ekey != rb.ekey and rb.by is None
    if kind == "transliteration":
        return ra.nkey is not None and rb.nkey is not None and ra.nkey != rb.nkey
    return same_name and ra.country is not None and rb.country is not None and ra.country != rb.country


def write_truth(pairs: list[tuple[str, Rec, Rec]], truth: Path) -> None:
    with open(truth / "planted_near_duplicates.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["kind", "same_person", "system_a", "record_id_a", "person_a", "system_b", "record_id_b",
                     "person_b"])
        for kind, ra, rb in pairs:
            wr.writerow([kind, int(SAME_PERSON[kind]), ra.system, ra.rid, ra.pid, rb.system, rb.rid, rb.pid])
