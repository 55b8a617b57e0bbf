-- A small hand-made eCampus (Moodle, prefix mdl_): distance enrolments (1.1b, 1.5) and post-tests (2.1).
-- Expected figures are worked out by hand in tests/integration/test_sample_world.py. Times are Unix epoch
-- seconds, UTC (the comments give them in UTC); the Centre reports by its local calendar (Europe/Rome).
create table mdl_user (
    id integer primary key, auth text, deleted integer, suspended integer, mnethostid integer, username text,
    email text, firstname text, lastname text, country text, lang text, timecreated integer, timemodified integer
);
insert into mdl_user values
 (1, 'manual', 0, 0, 1, 'guest', 'root@localhost', 'Guest user', ' ', '', 'en', 0, 0),             -- the guest account
 (2, 'manual', 0, 0, 1, 'admin', 'admin@itcilo.org', 'Admin', 'User', 'IT', 'en', 1578643200, 1578643200),
 (3, 'nologin', 0, 0, 1, 'svc-sync', 'noreply@itcilo.org', 'Sync', 'Service', '', 'en', 1578643200, 1578643200),
 -- MAP 101 knows this account (ecampus_user_id 501): rule L1, although the e-mails differ
 (501, 'manual', 0, 0, 1, 'jmgarcia', 'josemaria.garcia@ceoe.es', 'José María', 'García', 'ES', 'es', 1646121600, 1646121600),
 -- MAP 105 (ecampus_user_id 502), an ILO official
 (502, 'manual', 0, 0, 1, 'msilva', 'mariana.silva@ilo.org', 'Mariana', 'Silva', 'BR', 'pt_br', 1646121600, 1646121600),
 -- MAP 103 does not know this account: linked by the same e-mail (L2)
 (503, 'email', 0, 0, 1, 'lan.nguyen', 'lan.nguyen@vgcl.org.vn', 'Lan', 'Nguyen Thi', 'VN', 'vi', 1646121600, 1646121600),
 -- MAP 110, by the same e-mail (L2)
 (504, 'email', 0, 0, 1, 'ytanaka', 'yuki.tanaka@rengo.or.jp', 'Yuki', 'Tanaka', 'JP', 'ja', 1646121600, 1646121600),
 (505, 'email', 0, 0, 1, 'ayusuf', 'amina.yusuf@labour.gov.ng', 'Amina', 'Yusuf', 'NG', 'en', 1578643200, 1578643200),
 -- an ILO official by the address alone (upper case: the domain is compared normalised)
 (506, 'email', 0, 0, 1, 'prossi', 'Paolo.Rossi@ILO.org', 'Paolo', 'Rossi', 'IT', 'it', 1646121600, 1646121600),
 -- NOT an ILO official: the address does not end in @ilo.org
 (507, 'email', 0, 0, 1, 'acosta', 'ana.costa@oit-ilo.org', 'Ana', 'Costa', 'PT', 'pt', 1646121600, 1646121600),
 -- Shared mailbox: two people of one union use formacion@cgt.org.ar; both birth years known and different,
 -- and their names share no token: NOT linked (L2 shared-mailbox rule)
 (508, 'email', 0, 0, 1, 'cgomez', 'formacion@cgt.org.ar', 'Carlos', 'Gómez', 'AR', 'es', 1646121600, 1646121600),
 (509, 'email', 0, 0, 1, 'lfernandez', 'formacion@cgt.org.ar', 'Lucía', 'Fernández', 'AR', 'es', 1646121600, 1646121600),
 -- A deleted user: username = old e-mail + timestamp, e-mail = MD5 of it. Moodle removes a deleted
 -- user's enrolments; one row was left behind (see user_enrolments) and must not count.
 (510, 'email', 1, 0, 1, 'oleg@fpsu.org.ua.1690000000', '4ba6c189453c58bfaf2942e4f9f3b19e', 'Oleg', 'Petrenko', 'UA', 'uk', 1646121600, 1690000000),
 -- MAP 109 Ahmed Hassan (EGY, born 1983), here with an ILO address: linked by name, birth year and country (L3),
 -- which makes him an ILO official (any of his addresses ends in @ilo.org)
 (512, 'email', 0, 0, 1, 'ahassan', 'ahmed.hassan@ilo.org', 'Ahmed', 'HASSAN', 'EG', 'ar', 1646121600, 1646121600);

create table mdl_user_info_field (id integer primary key, shortname text, datatype text, param1 text);
insert into mdl_user_info_field values
 (1, 'gender', 'menu', 'Female
Male
Other
Prefer not to say'),
 (2, 'birthyear', 'text', ''),
 (3, 'constituent', 'menu', 'Employers'' organisation
Workers'' organisation
Ministry of Labour
Other government institution
ILO
Other UN agency
NGO
Private sector
Academia
Other');

create table mdl_user_info_data (id integer primary key, userid integer, fieldid integer, data text);
insert into mdl_user_info_data values
 (1, 503, 2, '1990'),
 (2, 505, 1, 'Female'), (3, 505, 2, '1987'), (4, 505, 3, 'Ministry of Labour'),
 (5, 506, 1, 'Male'),                                     -- Paolo: no constituent group (unknown)
 (6, 507, 1, 'Female'), (7, 507, 3, 'NGO'),
 (8, 508, 1, 'Male'), (9, 508, 2, '1970'), (10, 508, 3, 'Workers'' organisation'),
 (11, 509, 1, 'Female'), (12, 509, 2, '1988'), (13, 509, 3, 'Workers'' organisation'),
 (14, 512, 2, '1983'),
 (15, 504, 1, 'Prefer not to say');                       -- unknown here; MAP's 'X' speaks first anyway

create table mdl_course_categories (id integer primary key, name text, idnumber text, parent integer, path text);
insert into mdl_course_categories values
 (1, 'Self-guided', 'selfguided', 0, '/1'),
 (2, 'Tutored', 'tutored', 0, '/2'),
 (3, 'Face to face', 'f2f', 0, '/3'),
 (4, 'Masters', 'masters', 0, '/4'),
 (5, 'Sandbox', 'sandbox', 0, '/5'),
 (6, 'Labour standards', '', 1, '/1/6');                -- a sub-category: its top-level category is selfguided

create table mdl_course (
    id integer primary key, category integer, fullname text, shortname text, idnumber text, startdate integer,
    enddate integer, visible integer, timecreated integer, timemodified integer
);
insert into mdl_course values
 (1, 0, 'eCampus', 'site', '', 0, 0, 1, 1578643200, 1578643200),                              -- site course: never a course
 (11, 3, 'Social dialogue and tripartism', 'A2201001', 'A2201001', 1646121600, 0, 1, 1646121600, 1646121600),  -- space of campus activity 1
 (12, 3, 'Gender equality', 'A2201002', 'A2201002', 1646121600, 0, 1, 1646121600, 1646121600),  -- space of blended activity 2
 (15, 2, 'Digital skills (online)', 'A2301005', 'A2301005', 1675238400, 0, 1, 1646121600, 1646121600),  -- MAP distance activity 5: distance, tutor-supported
 (16, 4, 'Masters in Management of Development', 'A2301006', 'A2301006', 1685606400, 0, 1, 1646121600, 1646121600),  -- masters: not distance
 (20, 6, 'Introduction to international labour standards', 'ILS-SG', '', 0, 0, 1, 1578643200, 1578643200),  -- under selfguided, no MAP code: distance, self-guided
 (21, 2, 'OSH management (tutored)', 'OSH-T', '', 0, 0, 0, 1578643200, 1578643200),  -- tutored, hidden: still a distance course
 (22, 5, 'Sandbox: quiz tests', 'SBX', '', 0, 0, 1, 1578643200, 1578643200),       -- sandbox: not distance
 -- under selfguided, but its idnumber is campus activity 9's code: serves a face-to-face activity, not distance
 (23, 1, 'Just transition (course space)', 'A2301009', 'A2301009', 0, 0, 1, 1646121600, 1646121600);

create table mdl_enrol (id integer primary key, enrol text, courseid integer, status integer);
insert into mdl_enrol values
 (101, 'manual', 20, 0), (102, 'self', 20, 0), (103, 'guest', 20, 0),
 (111, 'manual', 21, 0),
 (121, 'manual', 15, 0), (122, 'self', 15, 0),
 (131, 'manual', 11, 0), (141, 'manual', 16, 0), (151, 'manual', 22, 0), (161, 'self', 23, 0),
 (171, 'manual', 1, 0);

create table mdl_user_enrolments (
    id integer primary key, status integer, enrolid integer, userid integer, timestart integer, timeend integer,
    timecreated integer, timemodified integer
);
insert into mdl_user_enrolments values
 -- counted distance enrolments (user, course), year in Rome time
 (1, 0, 111, 501, 1649059200, 0, 1649059200, 1649059200),  -- E1 José María, course 21, 2022-04-04: 2022
 (2, 0, 101, 502, 1652169600, 0, 1652169600, 1652169600),  -- E2 Mariana, course 20, 2022-05-10: 2022
 (3, 0, 101, 503, 1662019200, 0, 1662019200, 1662019200),  -- E3 Lan, course 20, 2022-09-01: 2022
 (4, 0, 121, 503, 1675238400, 0, 1675238400, 1675238400),  -- E4 Lan, course 15, manual 2023-02-01 ...
 (5, 0, 122, 503, 0, 0, 1674201600, 1674201600),           -- ... and self-enrolled too (timestart 0: timecreated 2023-01-20): ONE enrolment, 2023
 (6, 0, 101, 504, 1672529400, 0, 1672529400, 1672529400),  -- E5 Yuki, course 20, 2022-12-31 23:30 UTC = 2023-01-01 00:30 Rome: 2023
 (7, 0, 101, 505, 0, 0, 1605430800, 1605430800),           -- E6 Amina, course 20, timestart 0, created 2020-11-15: 2020
 (8, 0, 111, 505, 1640989800, 0, 1640989800, 1640989800),  -- E7 Amina, course 21, 2021-12-31 22:30 UTC = 23:30 Rome: still 2021
 (9, 0, 111, 506, 1677657600, 0, 1677657600, 1677657600),  -- E8 Paolo, course 21, 2023-03-01: 2023
 (10, 0, 121, 507, 1676448000, 0, 1676448000, 1676448000), -- E9 Ana, course 15, 2023-02-15: 2023
 (11, 0, 111, 508, 1683014400, 0, 1683014400, 1683014400), -- E10 Carlos, course 21, 2023-05-02: 2023
 (12, 0, 111, 509, 1683014400, 0, 1683014400, 1683014400), -- E11 Lucía, course 21, 2023-05-02: 2023
 -- not counted
 (20, 0, 103, 1, 1652169600, 0, 1652169600, 1652169600),   -- the guest account (even with a student role)
 (21, 0, 111, 3, 1652169600, 0, 1652169600, 1652169600),   -- a nologin service account
 (22, 0, 111, 2, 1646121600, 0, 1646121600, 1646121600),   -- the admin, teacher of course 21 (no student role)
 (23, 0, 111, 510, 1685606400, 0, 1685606400, 1685606400), -- the deleted user's leftover row
 (24, 0, 131, 501, 1646121600, 0, 1646121600, 1646121600), -- course space of campus activity 1
 (25, 0, 151, 505, 1652169600, 0, 1652169600, 1652169600), -- sandbox course
 (26, 0, 161, 502, 1677657600, 0, 1677657600, 1677657600), -- course 23 serves campus activity 9
 (27, 0, 141, 506, 1685606400, 0, 1685606400, 1685606400), -- masters course
 (28, 0, 171, 505, 1652169600, 0, 1652169600, 1652169600); -- site course
 -- (Yuki holds a student role in course 21 without any enrolment row: not an enrolment)

create table mdl_context (id integer primary key, contextlevel integer, instanceid integer);
insert into mdl_context values
 (1, 10, 0), (2, 50, 1), (11, 50, 11), (15, 50, 15), (16, 50, 16), (20, 50, 20), (21, 50, 21), (22, 50, 22), (23, 50, 23);

create table mdl_role (id integer primary key, shortname text);
insert into mdl_role values (1, 'manager'), (3, 'editingteacher'), (5, 'student');

create table mdl_role_assignments (id integer primary key, roleid integer, contextid integer, userid integer);
insert into mdl_role_assignments values
 (1, 5, 21, 501), (2, 5, 20, 502), (3, 5, 20, 503), (4, 5, 15, 503), (5, 5, 20, 504), (6, 5, 20, 505),
 (7, 5, 21, 505), (8, 5, 21, 506), (9, 5, 15, 507), (10, 5, 21, 508), (11, 5, 21, 509),
 (20, 5, 20, 1), (21, 5, 21, 3), (22, 3, 21, 2), (23, 5, 21, 510), (24, 5, 11, 501), (25, 5, 22, 505),
 (26, 5, 23, 502), (27, 5, 16, 506), (28, 5, 2, 505), (29, 5, 21, 504);

-- Post-tests (2.1): quiz 1 (course 20, graded /100, pass 60) and quiz 2 (course 21, graded /10, pass 5) are
-- post-tests (course module idnumber postkat…); quiz 3 is a pre-test.
create table mdl_modules (id integer primary key, name text);
insert into mdl_modules values (1, 'quiz'), (2, 'feedback');
create table mdl_course_modules (id integer primary key, course integer, module integer, instance integer, idnumber text);
insert into mdl_course_modules values (1, 20, 1, 1, 'postkat-ils'), (2, 21, 1, 2, 'postkat-osh'), (3, 20, 1, 3, 'prekat-ils');
create table mdl_quiz (id integer primary key, course integer, name text, sumgrades numeric, grade numeric);
insert into mdl_quiz values (1, 20, 'Post-test', 10, 100), (2, 21, 'Post-test', 20, 10), (3, 20, 'Pre-test', 10, 10);
create table mdl_grade_items (
    id integer primary key, courseid integer, itemtype text, itemmodule text, iteminstance integer, grademax numeric,
    gradepass numeric
);
insert into mdl_grade_items values
 (1, 20, 'mod', 'quiz', 1, 100, 60), (2, 21, 'mod', 'quiz', 2, 10, 5), (3, 20, 'mod', 'quiz', 3, 10, 5),
 (4, 20, 'course', null, 20, 100, 0);
create table mdl_quiz_attempts (
    id integer primary key, quiz integer, userid integer, attempt integer, state text, preview integer,
    timestart integer, timefinish integer, sumgrades numeric
);
-- grade = sumgrades / quiz.sumgrades * quiz.grade
insert into mdl_quiz_attempts values
 (1, 1, 502, 1, 'finished', 0, 1653037200, 1653040800, 5),   -- Mariana 50: fail ...
 (2, 1, 502, 2, 'finished', 0, 1653123600, 1653127200, 7),   -- ... then 70: her best, pass (2022-05-21)
 (3, 1, 503, 1, 'finished', 0, 1662800400, 1662804000, 6),   -- Lan 60 = the pass mark: pass (2022-09-10)
 (4, 1, 504, 1, 'finished', 0, 1672527600, 1672530000, 4),   -- Yuki 40, finished 2022-12-31 23:40 UTC = 2023 in Rome ...
 (5, 1, 504, 2, 'finished', 0, 1672909200, 1672912800, 4),   -- ... 40 again on 2023-01-05: equal grades, the earliest counts: fail, 2023
 (6, 1, 2, 1, 'finished', 1, 1653210000, 1653213600, 10),    -- staff preview
 (7, 1, 505, 1, 'finished', 0, 1606813200, 1606816800, 9),   -- Amina 90, 2020-12-01 ...
 (8, 1, 505, 2, 'finished', 0, 1610701200, 1610704800, 9),   -- ... 90 again 2021-01-15: the earliest (2020) counts
 (9, 1, 505, 3, 'inprogress', 0, 1610787600, 0, null),       -- unfinished
 (10, 2, 501, 1, 'finished', 0, 1650445200, 1650448800, 9),  -- José María 9/20*10 = 4.5 < 5: fail (2022-04-20)
 (11, 2, 506, 1, 'finished', 0, 1679302800, 1679306400, 16), -- Paolo 8: pass (2023-03-20) ...
 (12, 2, 506, 2, 'abandoned', 0, 1679389200, 1679392800, 20),-- ... an abandoned attempt does not count
 (13, 2, 509, 1, 'finished', 0, 1685005200, 1685008800, 8),  -- Lucía 4: fail (2023-05-25)
 (14, 3, 507, 1, 'finished', 0, 1676883600, 1676887200, 10); -- a pre-test: not 2.1

create table mdl_feedback (id integer primary key, course integer, name text, anonymous integer);
create table mdl_feedback_item (id integer primary key, feedback integer, label text, typ text, presentation text);
create table mdl_feedback_completed (
    id integer primary key, feedback integer, userid integer, timemodified integer, anonymous_response integer,
    courseid integer
);
create table mdl_feedback_value (id integer primary key, item integer, completed integer, value text);
