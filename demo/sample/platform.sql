-- One external Moodle platform (registry code sample-emp-lms, an employers' organisation, reported since
-- 2021-03-01): external-platform enrolments (1.2, and 1.1b employer_external_platform_enrolments). A plain
-- Moodle site: no profile fields, categories without idnumber. Times: Unix epoch, UTC.
-- Expected figures are worked out by hand in tests/integration/test_sample_world.py.
create table mdl_user (
    id integer primary key, auth text, deleted integer, suspended integer, mnethostid integer, username text,
    email text, firstname text, lastname text, country text, lang text, timecreated integer, timemodified integer
);
insert into mdl_user values
 (1, 'manual', 0, 0, 1, 'guest', 'root@localhost', 'Guest user', ' ', '', 'es', 0, 0),
 (2, 'manual', 0, 0, 1, 'admin', 'admin@sni.org.pe', 'Admin', 'SNI', 'PE', 'es', 1601539200, 1601539200),
 (3, 'manual', 0, 0, 1, 'rquispe', 'rosa.quispe@sni.org.pe', 'Rosa', 'Quispe', 'PE', 'es', 1601539200, 1601539200),
 (4, 'manual', 0, 0, 1, 'lmamani', 'luis.mamani@sni.org.pe', 'Luis', 'Mamani', 'PE', 'es', 1601539200, 1601539200),
 (5, 'manual', 0, 0, 1, 'cflores', 'carmen.flores@sni.org.pe', 'Carmen', 'Flores', 'PE', 'es', 1601539200, 1601539200),
 -- the same address as MAP participant 101's eCampus account: platform accounts are not resolved into persons
 (6, 'manual', 0, 0, 1, 'jmgarcia', 'josemaria.garcia@ceoe.es', 'José María', 'García', 'ES', 'es', 1601539200, 1601539200),
 (7, 'manual', 0, 0, 1, 'jtorres', 'jorge.torres@sni.org.pe', 'Jorge', 'Torres', 'PE', 'es', 1601539200, 1601539200),
 (8, 'manual', 0, 0, 1, 'evargas', 'elena.vargas@sni.org.pe', 'Elena', 'Vargas', 'PE', 'es', 1601539200, 1601539200),
 (9, 'manual', 1, 0, 1, 'pedro.alves@cni.org.br.1690000000', '6baac691bf43c2e0c8789905801eee98', 'Pedro', 'Alves', 'BR', 'pt', 1601539200, 1690000000),  -- deleted
 (10, 'nologin', 0, 0, 1, 'sync', 'noreply@sni.org.pe', 'Sync', 'Service', '', 'es', 1601539200, 1601539200);

create table mdl_course_categories (id integer primary key, name text, idnumber text, parent integer, path text);
insert into mdl_course_categories values (1, 'Cursos', '', 0, '/1');

create table mdl_course (
    id integer primary key, category integer, fullname text, shortname text, idnumber text, startdate integer,
    enddate integer, visible integer, timecreated integer, timemodified integer
);
insert into mdl_course values
 (1, 0, 'Plataforma de formación SNI', 'site', '', 0, 0, 1, 1601539200, 1601539200),  -- site course: never counted
 (2, 1, 'Negociación colectiva', 'NC', '', 0, 0, 1, 1601539200, 1601539200),
 (3, 1, 'Seguridad y salud en el trabajo', 'SST', '', 0, 0, 1, 1601539200, 1601539200);

create table mdl_enrol (id integer primary key, enrol text, courseid integer, status integer);
insert into mdl_enrol values (1, 'manual', 2, 0), (2, 'self', 2, 0), (3, 'guest', 2, 0), (4, 'manual', 3, 0), (5, 'manual', 1, 0);

create table mdl_user_enrolments (
    id integer primary key, status integer, enrolid integer, userid integer, timestart integer, timeend integer,
    timecreated integer, timemodified integer
);
insert into mdl_user_enrolments values
 (1, 0, 1, 3, 1612944000, 0, 1612944000, 1612944000),   -- Q1 Rosa, course 2, 2021-02-10: before `since`, not counted
 (2, 0, 1, 4, 1614555000, 0, 1614555000, 1614555000),   -- Q2 Luis, course 2, 2021-02-28 23:30 UTC = 2021-03-01 Rome: counted, 2021
 (3, 0, 1, 5, 1622534400, 0, 1622534400, 1622534400),   -- Q3 Carmen, course 2, 2021-06-01 (manual) ...
 (4, 0, 2, 5, 1622534400, 0, 1622534400, 1622534400),   -- ... and self: ONE enrolment, 2021
 (5, 0, 4, 3, 1647331200, 0, 1647331200, 1647331200),   -- Q4 Rosa, course 3, 2022-03-15: 2022
 (6, 0, 4, 6, 1672529400, 0, 1672529400, 1672529400),   -- Q5 José María, course 3, 2022-12-31 23:30 UTC = 2023 Rome
 (7, 0, 1, 7, 0, 0, 1680336000, 1680336000),            -- Q6 Jorge, course 2, timestart 0, created 2023-04-01: 2023
 (8, 0, 4, 8, 1601539200, 0, 1601539200, 1601539200),   -- Q7 Elena, course 3, 2020-10-01: before `since`, not counted
 -- not counted
 (20, 0, 3, 1, 1647331200, 0, 1647331200, 1647331200),  -- the guest account
 (21, 0, 1, 2, 1612944000, 0, 1612944000, 1612944000),  -- the admin, teacher
 (22, 0, 4, 9, 1680336000, 0, 1680336000, 1680336000),  -- the deleted user's leftover row
 (23, 0, 4, 10, 1680336000, 0, 1680336000, 1680336000), -- a nologin account
 (24, 0, 5, 5, 1647331200, 0, 1647331200, 1647331200);  -- site course

create table mdl_context (id integer primary key, contextlevel integer, instanceid integer);
insert into mdl_context values (1, 10, 0), (2, 50, 1), (3, 50, 2), (4, 50, 3);

create table mdl_role (id integer primary key, shortname text);
insert into mdl_role values (3, 'editingteacher'), (5, 'student');

create table mdl_role_assignments (id integer primary key, roleid integer, contextid integer, userid integer);
insert into mdl_role_assignments values
 (1, 5, 3, 3), (2, 5, 3, 4), (3, 5, 3, 5), (4, 5, 4, 3), (5, 5, 4, 6), (6, 5, 3, 7), (7, 5, 4, 8),
 (20, 5, 3, 1), (21, 3, 3, 2), (22, 5, 4, 9), (23, 5, 4, 10), (24, 5, 2, 5);
