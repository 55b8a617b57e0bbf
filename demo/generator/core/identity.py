"""Persons' identities and their records in MAP, eCampus and SoliComm.

Every record of one person is connected to the others by the methodology's rules (L1 MAP link, L2
normalised e-mail with the shared-mailbox exclusions, L3 name + birth year + country), directly or through
other records; records of different persons are never connected (link keys are registered globally).
Attribute values are laid out so that the methodology's priority (most recently updated MAP record, then
eCampus profile fields, then SoliComm member) yields the person's planned gender and constituent group,
with conflicting values in the lower-priority sources.
"""
from __future__ import annotations

import hashlib
import random

from .persons import Person
from .refdata import (COUNTRIES, NATIONAL_DOMAINS, PERSONAL_DOMAINS, WORK_DOMAIN, NamePools, ascii_slug,
                      name_tokens, norm_email, norm_name, strip_marks)

EC_GENDER = {"F": "Female", "M": "Male", "X": "Other"}
SC_GENDER = {"F": "F", "M": "M", "X": "O"}
EC_CONSTITUENT = {"employers": "Employers' organisation", "workers": "Workers' organisation",
                  "government_labour": "Ministry of Labour", "government_other": "Other government institution",
                  "ilo_staff": "ILO", "un_staff": "Other UN agency", "ngo": "NGO", "private_sector": "Private sector",
                  "academia": "Academia", "other": "Other"}
SC_ORG = {"employers": "employers_org", "workers": "trade_union", "government_other": "government", "other": "other"}
ALL_CONSTITUENTS = list(EC_CONSTITUENT)


class Ident:
    __slots__ = ("given", "surname", "by", "a2", "a3", "lang", "P", "W", "nonlatin", "tokens", "mononym")


class Rec:
    """One source record of a person (MAP participant, eCampus user or SoliComm member)."""
    __slots__ = ("system", "pid", "first", "last", "email", "by", "country", "gender", "constituent", "link",
                 "deleted", "auth", "erased", "ekey", "nkey", "l3", "rid", "t_created", "t_updated", "shared",
                 "extra")

    def __init__(self, system, pid):
        self.system, self.pid = system, pid
        self.first = self.last = self.email = self.by = self.country = None
        self.gender = self.constituent = self.link = None
        self.deleted = self.erased = self.shared = False
        self.auth = "manual"
        self.rid = self.t_created = self.t_updated = self.extra = None

    def keys(self):
        self.ekey = norm_email(self.email) if not self.deleted else None
        n = norm_name(self.first, self.last)
        self.nkey = n or None
        self.l3 = (n, self.by, self.country) if (n and " " in n and self.by and self.country) else None


def linked(a: Rec, b: Rec) -> bool:
    if (a.system == "map" and a.link is b) or (b.system == "map" and b.link is a):
        return True
    if a.ekey and a.ekey == b.ekey:
        if not (a.by and b.by and a.by != b.by) and not (
                a.nkey and b.nkey and not set(a.nkey.split()) & set(b.nkey.split())):
            return True
    return a.l3 is not None and a.l3 == b.l3


def components(recs: list[Rec]) -> list[int]:
    parent = list(range(len(recs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for i in range(len(recs)):
        for j in range(i + 1, len(recs)):
            if linked(recs[i], recs[j]):
                parent[find(i)] = find(j)
    return [find(i) for i in range(len(recs))]


class IdentityBuilder:
    def __init__(self, seed: int):
        self.rng = random.Random(f"{seed}:core:identity")
        self.pools = NamePools(seed)
        self.countries = COUNTRIES
        self.cweights = [c[4] for c in COUNTRIES]
        self.emails: set[str] = set()
        self.l3: dict = {}          # L3 key -> pid
        self.usernames: set[str] = set()

    # ------------------------------------------------------------------ identities
    def ident(self, p: Person) -> Ident:
        rng = self.rng
        for attempt in range(200):
            a2, a3, pool, lang, _w = rng.choices(self.countries, self.cweights)[0]
            fem, mal, last = self.pools.pools[pool]
            g = p.gender if p.gender in ("F", "M") else rng.choice("FM")
            names = fem if g == "F" else mal
            given = [rng.choice(names)]
            if pool[:2] in ("es", "pt", "fr") and rng.random() < 0.25:
                given.append(rng.choice(names))
            surname = [rng.choice(last)]
            if pool[:2] in ("es", "pt") and rng.random() < 0.6:
                surname.append(rng.choice(last))
            if given[-1] == given[0] and len(given) == 2:
                given.pop()
            i = Ident()
            i.given, i.surname, i.a2, i.a3, i.lang = given, surname, a2, a3, lang
            i.nonlatin = any(n != l for n, l in given + surname) and pool in ("zh", "ar", "ru_RU", "uk_UA", "el_GR")
            i.mononym = False
            i.by = None if (rng.random() < 0.07 or attempt >= 30) else rng.randint(1955, 2001)
            keys = self._name_keys(i)
            i.tokens = set(" ".join(keys).split())
            if i.by and any((k, i.by, a2) in self.l3 for k in keys if " " in k):
                continue
            if not self._emails(i, p, attempt):
                continue
            for k in keys:
                if " " in k and i.by:
                    self.l3[(k, i.by, a2)] = p.pid
            return i
        raise RuntimeError("could not draw a unique identity")

    def mononym_ident(self, p: Person, name: str, by: int) -> Ident:
        i = Ident()
        i.given, i.surname, i.a2, i.a3, i.lang = [(name, name)], [], "ID", "IDN", "en"
        i.nonlatin, i.mononym, i.by = False, True, by
        i.tokens = {norm_name(name, "")}
        attempt = 0
        while not self._emails(i, p, attempt):
            attempt += 1
        return i

    @staticmethod
    def _name_keys(i: Ident) -> list[str]:
        tok = lambda names: tuple(t for n in names for t in name_tokens(n))
        nat = " ".join(sorted(tok([n for n, _ in i.given + i.surname])))
        lat = " ".join(sorted(tok([l for _, l in i.given + i.surname])))
        keys = [nat, lat]
        if len(i.given) > 1:
            keys.append(" ".join(sorted(tok([i.given[0][1]] + [l for _, l in i.surname]))))
        return sorted(set(keys))

    def _emails(self, i: Ident, p: Person, attempt: int = 0) -> bool:
        rng = self.rng
        g = ascii_slug(i.given[0][1]) or "user"
        s = ascii_slug(i.surname[0][1]) if i.surname else ""
        patterns = [f"{g}.{s}", f"{g}{s}", f"{g[0]}.{s}", f"{s}.{g}", f"{g}_{s}", f"{g}{s[:1]}"] if s else [g]
        digits = "" if (attempt < 5 and rng.random() < 0.55) else str(rng.randint(1, 999 if attempt < 20 else 99999))
        local = rng.choice(patterns).strip(".") + digits
        dom = NATIONAL_DOMAINS.get(i.a2) if rng.random() < 0.3 else None
        P = f"{local}@{dom or rng.choice(PERSONAL_DOMAINS)}"
        W = None
        cons = p.constituent
        if p.ilo_email:
            cons = "ilo_staff"
        if cons and (rng.random() < 0.55 or cons == "ilo_staff"):
            dom = rng.choice(WORK_DOMAIN[cons]).format(cc=i.a2.lower())
            wl = f"{g[0]}{s}" if s else g
            if cons == "ilo_staff":
                wl = f"{s}{g[0]}" if rng.random() < 0.5 else f"{g}.{s}".strip(".")
            if attempt >= 5:
                wl += str(rng.randint(1, 999 if attempt < 20 else 99999))
            W = f"{wl}@{dom}"
        if cons == "ilo_staff" and not p.ilo_email and rng.random() < 0.3:
            W = None  # an ILO official known only through MAP's constituent group
        if p.ilo_email:
            P = W  # an ILO official on another MAP group, who uses the ILO address everywhere
        keys = [norm_email(P)] + ([norm_email(W)] if W and W != P else [])
        if any(k in self.emails for k in keys) or len(set(keys)) != len(keys):
            return False
        self.emails.update(keys)
        i.P, i.W = P, W
        return True

    # ------------------------------------------------------------------ formatting variants
    def name_variant(self, i: Ident, system: str, native_ok=True):
        rng = self.rng
        use_native = i.nonlatin and native_ok and rng.random() < (0.15 if system == "map" else 0.5)
        gv = [n if use_native else l for n, l in i.given]
        sv = [n if use_native else l for n, l in i.surname]
        if i.mononym:
            return (gv[0], "." if system == "ecampus" else "") if system != "map" else ("", gv[0])
        if len(gv) > 1 and rng.random() < 0.15:
            gv = gv[:1]  # the second given name dropped: another L3 key (registered)
        u = rng.random()
        g, s = " ".join(gv), " ".join(sv)
        if u < 0.08 and (len(gv) > 1 or len(sv) > 1):
            g, s = "-".join(gv), "-".join(sv)
        elif u < 0.2:
            s = s.upper()
        elif u < 0.26:
            g, s = g.upper(), s.upper()
        elif u < 0.36:
            g, s = strip_marks(g), strip_marks(s)
        elif u < 0.42:
            g, s = s, g
        elif u < 0.45:
            g, s = g.lower(), s.lower()
        if system == "map" and rng.random() < 0.05:
            g, s = f" {g}", f"{s} "
        return g, s

    def email_variant(self, base: str) -> str:
        rng = self.rng
        local, dom = base.split("@")
        u = rng.random()
        if dom == "ilo.org":  # ILO addresses stay recognisable as such: only the +tag or the local part vary
            return base if u < 0.7 else (f"{local}+training@{dom}" if u < 0.85 else f"{local.capitalize()}@{dom}")
        if u < 0.6:
            return base
        if u < 0.75:
            return f"{local.capitalize()}@{dom.capitalize()}" if rng.random() < 0.5 else base.upper()
        if u < 0.83:
            return f"{local}+{rng.choice(['itcilo', 'ecampus', 'training', 'news'])}@{dom}"
        if u < 0.92 and dom == "gmail.com":
            return rng.choice([f"{local.replace('.', '')}@googlemail.com", f"{local.replace('.', '')}@gmail.com",
                               f"{local[:1]}.{local[1:]}@gmail.com"])
        if u < 0.97:
            return f" {base} "
        return base.replace("@", "＠") if rng.random() < 0.3 else base.lower()

    def invalid_email(self, i: Ident) -> str:
        return self.rng.choice([i.P.rsplit(".", 1)[0], i.P.split("@")[0], "n/a", "-", "none"])

    # ------------------------------------------------------------------ records
    def records(self, p: Person, n_map: int, n_ec: int, n_sc: int, deleted_ec: int = 0,
                shared_mailbox: str | None = None, fallthrough: bool = False) -> list[Rec]:
        rng = self.rng
        i = p.ident
        recs: list[Rec] = []
        for k in range(n_map):
            r = Rec("map", p.pid)
            r.first, r.last = self.name_variant(i, "map")
            r.email = self._pick_email(i, "map", p)
            if shared_mailbox:
                r.email, r.shared = shared_mailbox, True
            r.by = i.by if rng.random() < 0.9 else None
            r.country = i.a2 if rng.random() < 0.96 else None
            recs.append(r)
        ecs = []
        for k in range(n_ec + deleted_ec):
            r = Rec("ecampus", p.pid)
            r.first, r.last = self.name_variant(i, "ecampus")
            r.email = self._pick_email(i, "ecampus", p)
            r.by = i.by if rng.random() < 0.7 else None
            r.country = i.a2 if rng.random() < 0.94 else None
            if k >= n_ec:
                r.deleted = True
                r.by = None
            recs.append(r)
            ecs.append(r)
        for k in range(n_sc):
            r = Rec("solicomm", p.pid)
            r.first, r.last = self.name_variant(i, "solicomm")
            r.email = self._pick_email(i, "solicomm", p)
            r.by = i.by if rng.random() < 0.8 else None
            r.country = i.a2 if rng.random() < 0.95 else None
            recs.append(r)
        if p.ilo_email and not any(r.email and r.email.endswith("@ilo.org") for r in recs):
            cand = [r for r in recs if not r.shared and not r.deleted]
            rng.choice(cand).email = i.W
        if rng.random() < 0.01 and recs:  # a rare typo in the birth year
            r = rng.choice(recs)
            if r.by:
                r.by += rng.choice([-10, 1, 9])
        self._attributes(p, recs, fallthrough)
        for r in recs:
            r.keys()
            self._guard_l3(r)
        self._connect(p, recs)
        return recs

    def _pick_email(self, i: Ident, system: str, p: Person):
        rng = self.rng
        u = rng.random()
        if u < 0.03:
            return None
        if u < 0.045:
            return self.invalid_email(i)
        use_w = i.W and rng.random() < {"map": 0.55, "ecampus": 0.25, "solicomm": 0.35}[system]
        return self.email_variant(i.W if use_w else i.P)

    def _guard_l3(self, r: Rec):
        if r.l3 is not None:
            owner = self.l3.get(r.l3)
            if owner is None:
                self.l3[r.l3] = r.pid
            elif owner != r.pid:
                r.by = None
                r.keys()

    def _attributes(self, p: Person, recs: list[Rec], fallthrough: bool):
        rng = self.rng
        maps = [r for r in recs if r.system == "map"]
        ecs = [r for r in recs if r.system == "ecampus" and not r.deleted]
        scs = [r for r in recs if r.system == "solicomm"]
        for attr, canon, others in (("gender", p.gender, ["F", "M", "X"]),
                                    ("constituent", p.constituent, ALL_CONSTITUENTS)):
            wrong = [o for o in others if o != canon]
            if canon is None:
                for r in recs:
                    setattr(r, attr, None)
                if attr == "gender":
                    for r in ecs:
                        if rng.random() < 0.1:
                            r.gender = "?"  # 'Prefer not to say'
                continue
            decided = False
            if maps and not (fallthrough and ecs):
                for r in maps[:-1]:  # older records (the last one is the most recently updated)
                    u = rng.random()
                    setattr(r, attr, canon if u < 0.75 else (None if u < 0.85 else rng.choice(wrong)))
                setattr(maps[-1], attr, canon)
                for r in ecs:
                    u = rng.random()
                    setattr(r, attr, canon if u < 0.6 else (None if u < 0.85 else rng.choice(wrong)))
                decided = True
            elif ecs:
                for r in maps:
                    setattr(r, attr, None)
                for r in ecs:
                    setattr(r, attr, canon if rng.random() < 0.85 else None)
                setattr(rng.choice(ecs), attr, canon)
                decided = True
            for r in scs:
                if decided:
                    u = rng.random()
                    v = canon if u < 0.7 else (None if u < 0.8 else rng.choice(wrong))
                else:
                    v = canon
                if attr == "constituent":
                    if v not in SC_ORG:
                        v = rng.choice([k for k in SC_ORG if k != canon]) if decided else None
                    assert v is not None, "SoliComm cannot carry this constituent group"
                setattr(r, attr, v)

    def _connect(self, p: Person, recs: list[Rec]):
        rng = self.rng
        i = p.ident
        for _ in range(20):
            comp = components(recs)
            main = comp[0]
            loose = [r for r, c in zip(recs, comp) if c != main]
            if not loose:
                return
            r = loose[0]
            in_main = [x for x, c in zip(recs, comp) if c == main]
            maps_free = [x for x in in_main if x.system == "map" and x.link is None]
            ecs_main = [x for x in in_main if x.system == "ecampus"]
            if r.system == "map" and r.link is None and ecs_main:
                r.link = rng.choice(ecs_main)
                continue
            if r.system == "ecampus" and maps_free:
                rng.choice(maps_free).link = r
                continue
            if r.deleted:
                mp = [x for x in recs if x.system == "map"]
                assert mp, "deleted accounts need a MAP link"
                rng.choice(mp).link = r
                continue
            # L2: the personal address on both sides, names in Latin script, compatible birth years
            target = next((x for x in in_main if not x.shared and not x.deleted and not x.erased), None) or \
                next(x for x in in_main if not x.deleted and not x.erased)
            for x in (r, target):
                x.shared = False
                x.email = self.email_variant(i.P)
                x.first, x.last = self.name_variant(i, x.system, native_ok=False)
                if x.by and x.by != i.by:
                    x.by = i.by
                x.keys()
                self._guard_l3(x)
        raise RuntimeError(f"cannot connect records of person {p.pid}")


def md5_hash(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()
