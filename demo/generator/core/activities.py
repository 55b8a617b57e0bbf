"""MAP activities (training, masters editions, non-training; delivered and not) and the eCampus course
catalogue that serves them, with exact counts for 1.4, 1.6, 1.7, 2.9, A.1 and B.1."""
from __future__ import annotations

import datetime as dt
import random

from . import targets as T

PROGRAMMES = ["ACTEMP", "ACTRAV", "ILSGEN", "SPGE", "DELTA", "TSD", "EPAP", "SPSD"]
MASTERS_PROGRAMMES = [("MA-LLD", "Master of Laws in International Labour Law and Development"),
                      ("MA-OSH", "Master in Occupational Safety and Health"),
                      ("MA-PPSD", "Master in Public Policies for Sustainable Development"),
                      ("MA-SSE", "Master in Social and Solidarity Economy")]
DIPLOMA_PROGRAMMES = ["DIP-SP", "DIP-LMI", "DIP-GE", "DIP-LI", "DIP-EE", "DIP-DM"]
TOPICS = ["International labour standards", "Social protection floors", "Labour migration", "Gender equality",
          "Youth employment", "Occupational safety and health", "Social dialogue", "Skills development",
          "Green jobs", "Labour inspection", "Employers' organisations strategy", "Trade union leadership",
          "Just transition", "Digital learning design", "Cooperatives", "Wage policy", "Child labour",
          "Future of work", "Enterprise development", "Labour market information"]
PB = ["1", "2", "3", "4", "5", "6", "7", "8", "A", "B", "C", None]


class Activity:
    __slots__ = ("activity_id", "code", "title", "service_type", "mode", "is_open", "tp", "pb", "programme",
                 "start", "end", "status", "ilo", "other", "ils", "sdt", "gm", "course_id", "updated_at", "year",
                 "gm3", "slots")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    @property
    def training(self):
        return self.service_type in ("standard_course", "tailored_course", "masters_edition")


def _pick(rng: random.Random, items, k) -> list:
    """k items drawn without replacement, in draw order (never iterate a set of objects: its order is not
    deterministic)."""
    return rng.sample(items, k)


def build_activities(rng: random.Random, scale: int) -> list[Activity]:
    acts: list[Activity] = []
    codes = rng.sample(range(9700000, 9999999), 4000 * scale)
    ci = iter(codes)

    def new(year, service_type, mode, status="delivered", start=None, length=None):
        if start is None:
            start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 if year % 4 else 366))
        if length is None:
            length = {"campus": rng.randint(4, 12), "field": rng.randint(3, 10), "blended": rng.randint(20, 60),
                      "distance": rng.randint(21, 70)}.get(mode, rng.randint(1, 120))
        a = Activity(code=f"A{next(ci)}", service_type=service_type, mode=mode, start=start,
                     end=start + dt.timedelta(days=length), status=status, year=start.year, tp=rng.choice(PROGRAMMES),
                     pb=rng.choice(PB), is_open=False, ilo=False, other=False, programme=None,
                     ils=rng.choice([0, 0, 1, 1, 2, 3]), sdt=rng.choice([0, 0, 1, 1, 2, 3]),
                     gm=rng.choice([0, 1, 1, 2]), gm3=False, slots=0)
        topic = rng.choice(TOPICS)
        a.title = {"standard_course": topic, "tailored_course": f"{topic} (tailored)",
                   "product_development": f"Product development: {topic.lower()}",
                   "advisory_service": f"Advisory services on {topic.lower()}",
                   "event_facilitation": f"Event facilitation: {topic.lower()}",
                   "communication_campaign": f"Communication campaign on {topic.lower()}"}.get(service_type, topic)
        acts.append(a)
        return a

    S = lambda x: x * scale
    for y in T.YEARS:
        training: list[Activity] = []
        for _ in range(S(T.MASTERS_EDITIONS[y])):
            code, name = rng.choice(MASTERS_PROGRAMMES)
            a = new(y, "masters_edition", None, start=dt.date(y, rng.choice([1, 9, 10]), rng.randint(1, 28)),
                    length=rng.randint(300, 400))
            a.programme, a.title = code, f"{name} ({y} edition)"
            a.ils = rng.choice([2, 3])
            training.append(a)
        dist = [new(y, rng.choice(["standard_course"] * 3 + ["tailored_course"]), "distance")
                for _ in range(S(T.DISTANCE_ACTIVITIES[y]))]
        n_f2f = S(T.TRAINING[y]) - len(training) - len(dist)
        nb = S(T.BLENDED_ACTIVITIES[y])
        f2f = []
        for j in range(n_f2f):
            mode = "blended" if j < nb else ("field" if rng.random() < 0.35 else "campus")
            f2f.append(new(y, rng.choice(["standard_course", "tailored_course"]), mode))
        # one activity straddling New Year (counts for its start year), one in the first days of January
        f2f[-1].start, f2f[-1].end = dt.date(y, 12, 12), dt.date(y + 1, 1, 20)
        f2f[-2].start, f2f[-2].end = dt.date(y, 1, 3), dt.date(y, 1, 9)
        f2f[-1].year = f2f[-2].year = y
        training += dist + f2f
        for a in rng.sample(f2f, S(T.GM3_F2F_ACTIVITIES[y])) + rng.sample(dist, S(T.GM3_DISTANCE_ACTIVITIES[y])):
            a.gm3, a.gm = True, 3
        # exact activity-level counts
        for a in _pick(rng, training, S(T.ILO_PARTNERSHIP[y])):
            a.ilo = True
        for a in _pick(rng, training, S(T.OTHER_PARTNERSHIP[y])):
            a.other = True
        non_masters = [a for a in training if a.service_type != "masters_edition"]
        for a in _pick(rng, non_masters, S(T.PROGRAMME[y]) - S(T.MASTERS_EDITIONS[y])):
            a.programme = rng.choice(DIPLOMA_PROGRAMMES)
        standard = [a for a in training if a.service_type == "standard_course"]
        opens = rng.sample(standard, S(T.OPEN_COURSES[y]))
        for a in opens:
            a.is_open = True
        for attr, target in (("ils", T.OPEN_ILS2), ("sdt", T.OPEN_SDT2)):
            hi = _pick(rng, opens, S(target[y]))
            for a in opens:
                setattr(a, attr, rng.choice([2, 3]) if a in hi else rng.choice([0, 1]))
        g3 = [a for a in opens if a.gm3]
        rest = [a for a in opens if not a.gm3]
        hi = _pick(rng, rest, S(T.OPEN_GENDER2[y]) - len(g3))
        for a in rest:
            a.gm = 2 if a in hi else rng.choice([0, 1])
        for a in training:
            if not a.is_open and not a.gm3 and a.gm == 3:
                a.gm = 2
        # non-training
        for st, n in zip(("product_development", "advisory_service", "event_facilitation",
                          "communication_campaign"), T.NON_TRAINING[y]):
            for _ in range(S(n)):
                a = new(y, st, None)
                a.ilo, a.other = rng.random() < 0.5, rng.random() < 0.3
                a.gm = min(a.gm, 2)
        # activities the rules must exclude: cancelled, confirmed but never closed as delivered
        for _ in range(S(12)):
            new(y, rng.choice(["standard_course", "tailored_course"]), rng.choice(["campus", "field", "blended"]),
                status="cancelled")
        for _ in range(S(4)):
            new(y, "standard_course", "distance", status="cancelled")
        for _ in range(S(8)):
            new(y, rng.choice(["advisory_service", "event_facilitation", "product_development"]), None,
                status="cancelled")
        new(y, "masters_edition", None, status="cancelled").programme = MASTERS_PROGRAMMES[0][0]
        if y == 2023:
            for _ in range(S(5)):
                a = new(y, "standard_course", "campus", status="confirmed",
                        start=dt.date(2023, 11, rng.randint(1, 28)))
    # outside the reporting years: delivered in 2019, planned/confirmed for 2024
    for _ in range(S(30)):
        new(2019, rng.choice(["standard_course", "tailored_course"]), rng.choice(["campus", "field", "blended"]))
    for _ in range(S(10)):
        new(2019, "standard_course", "distance")
    for _ in range(S(15)):
        new(2019, rng.choice(["advisory_service", "event_facilitation"]), None)
    for _ in range(S(40)):
        new(2024, rng.choice(["standard_course", "tailored_course"]), rng.choice(["campus", "distance", "blended"]),
            status=rng.choice(["planned", "confirmed"]))
    for _ in range(S(12)):
        new(2024, rng.choice(["advisory_service", "event_facilitation", "product_development"]), None,
            status="planned")
    rng.shuffle(acts)
    for i, a in enumerate(acts, start=1):
        a.activity_id = i
        a.updated_at = dt.datetime.combine(min(a.end, dt.date(2024, 1, 15)), dt.time(rng.randint(7, 19),
                                           rng.randint(0, 59), rng.randint(0, 59)))
    return acts
