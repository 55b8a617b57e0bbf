-- The MAP of the hand-made sample world (face-to-face registrations 1.1a, ILO officials 1.5, masters, services).
-- Expected figures are worked out by hand in tests/integration/test_sample_world.py. The eCampus accounts
-- named here (ecampus_user_id) are in ecampus.sql.
create table activity (
    activity_id integer primary key, activity_code text unique, title text, service_type text,
    delivery_mode text, is_open_course integer, technical_programme text, pb_outcome text,
    programme_code text, start_date text, end_date text, status text, ilo_partnership integer,
    other_partnership integer, ils_marker integer, sdt_marker integer, gender_marker integer,
    ecampus_course_id integer, updated_at text,
    legacy_budget_line text  -- an extra column the contract does not name: must be ignored
);
insert into activity values
 (1, 'A2201001', 'Social dialogue and tripartism', 'standard_course', 'campus', 1, 'ACTRAV', '7', null, '2022-03-07', '2022-03-11', 'delivered', 1, 0, 3, 3, 1, 11, '2022-03-12 10:00:00', 'X1'),
 (2, 'A2201002', 'Gender equality in the world of work', 'tailored_course', 'blended', 0, 'SPGE', '6', null, '2022-10-03', '2022-10-21', 'delivered', 1, 1, 2, 1, 3, 12, '2022-10-22 10:00:00', null),
 (3, 'A2201003', 'Labour inspection (cancelled edition)', 'standard_course', 'field', 1, 'ILSGEN', '2', null, '2022-05-02', '2022-05-06', 'cancelled', 0, 0, 3, 1, 0, null, '2022-04-01 10:00:00', null),
 (4, 'A2301004', 'Employers'' organisations: advocacy', 'standard_course', 'field', 1, 'ACTEMP', '1', null, '2023-01-01', '2023-01-20', 'delivered', 0, 1, 1, 2, 1, null, '2023-01-21 10:00:00', null),
 (5, 'A2301005', 'Digital skills (online)', 'standard_course', 'distance', 1, 'DELTA', null, null, '2023-02-01', '2023-03-31', 'delivered', 0, 0, 0, 0, 0, 15, '2023-04-01 10:00:00', null),
 (6, 'A2301006', 'Masters in Management of Development', 'masters_edition', 'blended', 0, 'DELTA', null, 'MMD', '2023-09-01', '2024-06-30', 'delivered', 0, 1, 1, 1, 1, 16, '2023-09-02 10:00:00', null),
 (7, 'A2301007', 'Advisory: skills strategy', 'advisory_service', null, 0, 'TSD', null, null, '2023-05-01', '2023-06-30', 'delivered', 1, 0, 0, 0, 0, null, '2023-07-01 10:00:00', null),
 (8, 'A2301008', 'Occupational safety (planned)', 'standard_course', 'campus', 1, 'ILSGEN', null, null, '2023-11-13', '2023-11-17', 'planned', 0, 0, 2, 2, 0, null, '2023-06-01 10:00:00', null),
 (9, 'A2301009', 'Just transition', 'tailored_course', 'campus', 0, 'TSD', '3', null, '2023-12-31', '2024-01-05', 'delivered', 1, 0, 1, 1, 1, null, '2024-01-06 10:00:00', null),
 (10, 'A2101010', 'Labour migration governance', 'standard_course', 'campus', 1, 'ILSGEN', null, null, '2021-06-07', '2021-06-11', 'delivered', 1, 0, 2, 1, 1, null, '2021-06-12 10:00:00', null);

create table participant (
    participant_id integer primary key, first_name text, last_name text, email text, gender text,
    birth_year integer, nationality text, constituent_group text, institution text,
    ecampus_user_id integer, updated_at text
);
insert into participant values
 (101, 'José-María', 'GARCÍA López', 'jm.garcia+itc@gmail.com', 'M', 1980, 'ESP', 'employers', 'CEOE', 501, '2022-01-10 09:00:00'),
 (102, 'Aïcha', 'Diallo', 'aicha.diallo@travail.gouv.sn', 'F', 1985, 'SEN', 'government_labour', 'Ministère du Travail', null, '2022-01-10 09:00:00'),
 (103, 'Nguyễn', 'Thị Lan', 'lan.nguyen@vgcl.org.vn', 'F', 1990, 'VNM', 'workers', 'VGCL', null, '2022-01-10 09:00:00'),
 (104, 'Олег', 'Петренко', 'oleg@fpsu.org.ua', 'M', 1975, 'UKR', 'workers', 'FPU', null, '2022-01-10 09:00:00'),
 (105, 'Mariana', 'Silva', 'mariana.silva@ilo.org', 'F', 1988, 'BRA', 'ilo_staff', 'ILO', 502, '2022-01-10 09:00:00'),
 (106, 'Chidi', 'Okafor', null, null, 1992, 'NGA', 'employers', 'NECA', null, '2022-01-10 09:00:00'),
 (107, 'Sophie', 'Martin', 'sophie.martin@example.org', 'F', 1979, 'FRA', 'ngo', 'ONG Solidarité', null, '2022-01-10 09:00:00'),
 (108, null, null, null, 'F', null, 'ITA', 'government_labour', null, null, '2023-02-01 09:00:00'),  -- erased on request
 (109, 'Ahmed', 'Hassan', 'a.hassan@mol.gov.eg', 'M', 1983, 'EGY', 'government_labour', 'Ministry of Labour', null, '2022-01-10 09:00:00'),
 (110, 'Yuki', 'Tanaka', 'yuki.tanaka@rengo.or.jp', 'X', 1995, 'JPN', 'workers', 'RENGO', null, '2022-01-10 09:00:00'),
 -- 102 entered a second time (e-mail in upper case): one person by rule L2
 (111, 'Aicha', 'DIALLO', 'Aicha.Diallo@travail.gouv.sn', 'F', 1985, 'SEN', 'government_labour', 'Ministère du Travail', null, '2021-06-01 09:00:00'),
 (112, 'Kofi', 'Boateng', 'kofi.boateng@tuc.org.gh', 'M', 1978, 'GHA', 'workers', 'TUC Ghana', null, '2021-05-01 09:00:00');

create table registration (
    registration_id integer primary key, activity_id integer, participant_id integer, status text,
    fellowship integer, registered_at text, updated_at text
);
insert into registration values
 -- activity 1: campus, delivered, 2022
 (1001, 1, 101, 'attended', 0, '2022-02-01 10:00:00', '2022-03-11 10:00:00'),
 (1002, 1, 102, 'attended', 1, '2022-02-01 10:00:00', '2022-03-11 10:00:00'),
 (1003, 1, 103, 'attended', 0, '2022-02-01 10:00:00', '2022-03-11 10:00:00'),
 (1004, 1, 104, 'cancelled', 0, '2022-02-01 10:00:00', '2022-03-01 10:00:00'),
 (1005, 1, 106, 'no_show', 0, '2022-02-01 10:00:00', '2022-03-11 10:00:00'),
 -- activity 2: blended, delivered, 2022
 (1006, 2, 105, 'attended', 0, '2022-09-01 10:00:00', '2022-10-21 10:00:00'),
 (1007, 2, 107, 'attended', 0, '2022-09-01 10:00:00', '2022-10-21 10:00:00'),
 (1008, 2, 106, 'attended', 1, '2022-09-01 10:00:00', '2022-10-21 10:00:00'),
 (1009, 2, 109, 'registered', 0, '2022-09-01 10:00:00', '2022-10-21 10:00:00'),
 -- activity 3: cancelled edition: nothing counts
 (1010, 3, 102, 'attended', 0, '2022-04-01 10:00:00', '2022-04-01 10:00:00'),
 (1023, 3, 111, 'registered', 0, '2022-04-01 10:00:00', '2022-04-01 10:00:00'),
 -- activity 4: field, delivered, 2023
 (1011, 4, 101, 'attended', 0, '2022-12-01 10:00:00', '2023-01-20 10:00:00'),
 (1012, 4, 106, 'attended', 0, '2022-12-01 10:00:00', '2023-01-20 10:00:00'),
 (1013, 4, 108, 'attended', 1, '2022-12-01 10:00:00', '2023-01-20 10:00:00'),
 (1014, 4, 110, 'attended', 0, '2022-12-01 10:00:00', '2023-01-20 10:00:00'),
 -- activity 5: distance course: not face-to-face
 (1015, 5, 103, 'attended', 0, '2023-01-15 10:00:00', '2023-03-31 10:00:00'),
 -- activity 6: masters edition: not a face-to-face registration of 1.1a
 (1016, 6, 107, 'attended', 0, '2023-06-01 10:00:00', '2023-09-01 10:00:00'),
 -- activity 7: advisory service (non-training)
 (1017, 7, 109, 'attended', 0, '2023-04-01 10:00:00', '2023-06-30 10:00:00'),
 -- activity 8: planned, not delivered
 (1018, 8, 104, 'attended', 0, '2023-06-01 10:00:00', '2023-06-01 10:00:00'),
 -- activity 9: campus, delivered, starts 2023-12-31: year 2023
 (1019, 9, 104, 'attended', 0, '2023-11-01 10:00:00', '2024-01-05 10:00:00'),
 (1020, 9, 109, 'attended', 0, '2023-11-01 10:00:00', '2024-01-05 10:00:00'),
 (1021, 9, 102, 'attended', 0, '2023-11-01 10:00:00', '2024-01-05 10:00:00'),
 -- activity 10: campus, delivered, 2021 (the first biennium)
 (1024, 10, 105, 'attended', 0, '2021-05-01 10:00:00', '2021-06-11 10:00:00'),
 (1025, 10, 107, 'attended', 0, '2021-05-01 10:00:00', '2021-06-11 10:00:00'),
 (1026, 10, 112, 'attended', 1, '2021-05-01 10:00:00', '2021-06-11 10:00:00'),
 (1027, 10, 103, 'cancelled', 0, '2021-05-01 10:00:00', '2021-05-20 10:00:00');

-- Non-training services: the advisory service 7 served two records of one organisation (folded: 1.8 = 1).
create table organisation (
    organisation_id integer primary key, name text, country text, organisation_type text, updated_at text
);
insert into organisation values
 (1, 'Ministère du Travail', 'SEN', 'government', '2023-01-01 10:00:00'),
 (2, 'MINISTERE DU  TRAVAIL', 'SEN', 'government', '2023-01-01 10:00:00');
create table service_client (activity_id integer, organisation_id integer);
insert into service_client values (7, 1), (7, 2);
create table service_feedback (feedback_id integer primary key, activity_id integer, submitted_on text, score integer);
insert into service_feedback values (1, 7, '2023-07-02', 5), (2, 7, '2023-07-03', 4), (3, 7, '2023-07-03', null);
