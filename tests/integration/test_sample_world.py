"""The hand-made sample world (demo/sample), refreshed once: its Annex 1 learner and post-test figures equal
figures worked out here by hand from the rule book (methodology.md), never copied from the warehouse.

Who is who (persons after identity resolution; the rows are in demo/sample/*.sql and solicomm/):
- JM = MAP 101 + eCampus 501 (L1: MAP knows the account) + SoliComm 2 (L2: `J.M.Garcia@googlemail.com`
  and `jm.garcia+itc@gmail.com` are one gmail address once normalised); M, employers (MAP).
- Mariana = MAP 105 + eCampus 502; F, ilo_staff: an ILO official.
- Lan = MAP 103 + eCampus 503 + SoliComm 3 (same e-mail, case and spaces aside); F, workers (MAP).
- Yuki = MAP 110 + eCampus 504 (same e-mail); gender X, workers (MAP first: eCampus says nothing).
- Ahmed = MAP 109 + eCampus 512 (L3: same name, birth year 1983, country EGY = EG); government_labour, and
  an ILO official: his eCampus address ends in @ilo.org.
- Amina = eCampus 505; F, government_labour (profile). Paolo = eCampus 506 (`@ILO.org`: an ILO official);
  M, no constituent group. Ana = eCampus 507 (`@oit-ilo.org`: NOT an ILO official); F, ngo.
- Carlos = eCampus 508 + SoliComm 4 (same shared mailbox, same name and birth year); M, workers.
- Lucía = eCampus 509 (the same mailbox as Carlos, born 1988 not 1970, no common name token: NOT linked);
  F, workers. Marta = SoliComm 5 (the same mailbox, no birth year, no common name token: NOT linked); F,
  workers (trade_union). Kwame = SoliComm 1 (erased on request after the first drop); M, workers.
- Not counted anywhere: the guest account, the nologin account, the teacher, the deleted user 510 (a
  leftover enrolment row), enrolments in the site course, a sandbox course, a masters course, a course
  space of a campus activity (even one filed under `selfguided`, course 23).

Periods: every year from 2020 to 2023 has a counted record, so 2020, 2021, 2022, 2023, 2020-21 and 2022-23
are reported. A count the rules make zero in a reported period may be published as 0 or left out.
"""
import duckdb
import pytest


Y20, Y21, Y22, Y23, B21, B23 = "2020", "2021", "2022", "2023", "2020-21", "2022-23"


def per_period(y20, y21, y22, y23, b21, b23) -> dict:
    return {Y20: y20, Y21: y21, Y22: y22, Y23: y23, B21: b21, B23: b23}


def pct(numerator: int, denominator: int) -> float:
    return 100 * numerator / denominator


# 1.1a: attended registrations of delivered standard/tailored courses on campus, in the field or blended;
# the year of the activity's start.
# 2021: activity 10 (campus): 1024 Mariana F ilo_staff, 1025 Sophie F ngo, 1026 Kofi M workers = 3
#       (1027 cancelled). No face-to-face activity in 2020.
# 2022: activity 1 (campus) 101 JM M employers, 102 Aicha F labour, 103 Lan F workers; activity 2 (blended)
#       105 Mariana F, 107 Sophie F, 106 Chidi (gender unknown) employers = 6 (1004 cancelled, 1005 no-show,
#       1009 registered; activity 3 cancelled).
# 2023: activity 4 (field) 101 JM M employers, 106 Chidi employers, 108 (erased, still counted) F labour,
#       110 Yuki X workers; activity 9 (campus, starts 2023-12-31) 104 Oleg M workers, 109 Ahmed M labour,
#       102 Aicha F labour = 7. Not counted: the distance course 5, the masters edition 6, the advisory
#       service 7, the planned edition 8.
# Shares exist only where there are registrations (none in 2020); biennium shares pool the two years.
F2F = per_period(0, 3, 6, 7, 3, 13)
EXPECTED_1_1A = {
    "face_to_face_registrations": F2F,
    "women_share": {Y21: pct(2, 3), Y22: pct(4, 6), Y23: pct(2, 7), B21: pct(2, 3), B23: pct(6, 13)},
    "employers": per_period(0, 0, 2, 2, 0, 4),
    "workers": per_period(0, 1, 1, 2, 1, 3),
    "labour_ministries": per_period(0, 0, 1, 3, 0, 4),
    "blended_share": {Y21: 0.0, Y22: pct(3, 6), Y23: 0.0, B21: 0.0, B23: pct(3, 13)},
}

# 1.1b distance enrolments, by year (Europe/Rome) of the enrolment:
# 2020: E6 Amina (eCampus course 20, timestart 0: timecreated 2020-11-15), SoliComm 1 Kwame (05/10/2020) = 2
# 2021: E7 Amina (course 21, 2021-12-31 22:30 UTC = 23:30 in Rome: still 2021), SoliComm 2 Kwame (erased
#       in the 2023 drop: his enrolments stay counted), SoliComm 3 JM (withdrawn: every status counts) = 3
# 2022: E1 JM (course 21), E2 Mariana (course 20), E3 Lan (course 20), SoliComm 7 JM (30/11/2022) = 4
# 2023: E4 Lan (course 15: two enrolment methods, one enrolment), E5 Yuki (course 20, 2022-12-31 23:30 UTC
#       = 2023-01-01 00:30 in Rome), E8 Paolo, E9 Ana, E10 Carlos, E11 Lucía, SoliComm 4 Lan, 5 Carlos,
#       6 Marta = 9
# Unique learners (persons, once per period however many enrolments and systems):
# 2020 Amina, Kwame = 2; 2021 Amina, Kwame, JM = 3; 2020-21 Amina, Kwame, JM = 3 (Amina and Kwame in both
# years, once); 2022 JM (eCampus and SoliComm: once), Mariana, Lan = 3; 2023 Lan (eCampus and SoliComm),
# Yuki, Paolo, Ana, Carlos (eCampus and SoliComm), Lucía, Marta = 7 (linking the shared mailbox would
# give 5); 2022-23 JM, Mariana, Lan (both years, once), Yuki, Paolo, Ana, Carlos, Lucía, Marta = 9.
# Women among enrolments: 2020 Amina 1/2; 2021 Amina 1/3; 2022 Mariana, Lan 2/4; 2023 Lan ×2, Ana, Lucía,
# Marta 5/9 (Yuki is X). Employers: JM's (2021: 1; 2022: 2). Workers: 2020 Kwame; 2021 Kwame; 2022 Lan;
# 2023 Lan ×2, Yuki, Carlos ×2, Lucía, Marta = 7. Labour ministries: Amina's (2020, 2021).
# Employer external-platform enrolments: the platform is an employers' one, so all of 1.2 (below).
PLATFORM = per_period(0, 2, 1, 2, 2, 3)
EXPECTED_1_1B = {
    "distance_enrolments": per_period(2, 3, 4, 9, 5, 13),
    "unique_distance_learners": per_period(2, 3, 3, 7, 3, 9),
    "women_share": per_period(pct(1, 2), pct(1, 3), pct(2, 4), pct(5, 9), pct(2, 5), pct(7, 13)),
    "employers": per_period(0, 1, 2, 0, 1, 2),
    "workers": per_period(1, 1, 1, 7, 2, 8),
    "labour_ministries": per_period(1, 1, 0, 0, 2, 0),
    "employer_external_platform_enrolments": PLATFORM,
}

# 1.2 external-platform enrolments (platform sample-emp-lms, reported since 2021-03-01, Rome dates):
# 2021: Q2 Luis (2021-02-28 23:30 UTC = 2021-03-01 in Rome: on `since`), Q3 Carmen (two methods, one) = 2;
#       Q1 Rosa (2021-02-10) and Q7 Elena (2020-10-01) are before `since`: not counted.
# 2022: Q4 Rosa = 1. 2023: Q5 José María (2022-12-31 23:30 UTC: 2023; not resolved into a person), Q6 Jorge
# (timestart 0: created 2023-04-01) = 2. Not counted: guest, teacher, deleted user, nologin, site course.
EXPECTED_1_2 = {"external_platform_enrolments": PLATFORM}

# 1.5 ILO officials: face-to-face registrations 2021 Mariana (activity 10), 2022 Mariana (activity 2;
# Ahmed's 1009 is only registered), 2023 Ahmed (activity 9: an ILO official through his eCampus address);
# distinct ILO officials with a distance enrolment: 2022 Mariana, 2023 Paolo (Ana's oit-ilo.org does not
# count; Ahmed has no distance enrolment).
EXPECTED_1_5 = {
    "ilo_officials_face_to_face": per_period(0, 1, 1, 1, 1, 2),
    "ilo_officials_unique_distance": per_period(0, 0, 1, 1, 0, 2),
}

# 2.1 knowledge gain: per user and post-test (quizzes 1 and 2; quiz 3 is a pre-test), the best finished,
# non-preview attempt (equal grades: the earliest), grade = sumgrades / quiz.sumgrades × quiz.grade,
# passed when ≥ gradepass; the year of that attempt's timefinish in Rome.
# 2020: Amina 90 ≥ 60 (her equal 90 of 2021-01-15 is later; the in-progress attempt does not count) = 1/1.
# 2021: no best attempt: not reported.
# 2022: Mariana 70 (her best; 50 before) pass, Lan 60 = the pass mark: pass, JM 9/20×10 = 4.5 < 5 fail = 2/3.
# 2023: Yuki 40 fail (first attempt 2022-12-31 23:40 UTC = 2023 in Rome), Paolo 16/20×10 = 8 pass (the
#       abandoned 20 does not count), Lucía 4 fail = 1/3. The staff preview is left out.
EXPECTED_2_1 = {
    "knowledge_gain_share": {Y20: 100.0, Y22: pct(2, 3), Y23: pct(1, 3), B21: 100.0, B23: pct(3, 6)},
}

SHARES = {"women_share", "blended_share", "knowledge_gain_share"}


@pytest.fixture
def marts(refreshed_sample):
    """marts.duckdb of the session's refresh of the sample world (tests/conftest.py)."""
    return refreshed_sample / "marts.duckdb"


def published(marts, indicator: str) -> dict:
    with duckdb.connect(str(marts), read_only=True) as con:
        rows = con.execute("select measure, period, value from annex1_indicators where indicator_code = ?",
                           [indicator]).fetchall()
    return {(measure, period): value for measure, period, value in rows}


@pytest.mark.parametrize("indicator, expected", [
    ("1.1a", EXPECTED_1_1A), ("1.1b", EXPECTED_1_1B), ("1.2", EXPECTED_1_2), ("1.5", EXPECTED_1_5),
    ("2.1", EXPECTED_2_1),
])
def test_figures_equal_the_hand_count(marts, indicator, expected):
    want = {(m, p): v for m, by_period in expected.items() for p, v in by_period.items()}
    got = {k: v for k, v in published(marts, indicator).items() if k[0] in expected}
    # A share is published exactly where it has a denominator; a zero count may be absent.
    for key in set(want) | set(got):
        if key[0] in SHARES or want.get(key, 0) != 0:
            assert key in got and key in want, f"{indicator} {key}: published {got.get(key)}, by hand {want.get(key)}"
        assert got.get(key, 0) == pytest.approx(want.get(key, 0), abs=1e-9), \
            f"{indicator} {key}: published {got.get(key)}, by hand {want.get(key)}"
