-- eCampus learning outcomes: 2.1 knowledge gain (post-tests), 2.2 satisfaction (questionnaires, overall,
-- face-to-face and distance), A.2 international labour standards and social dialogue in activities.
with best_attempts as (
    -- Per user and post-test: the best graded finished, non-preview attempt (of equal grades, the earliest).
    select *
    from {{ ref('stg_ecampus__quiz_attempts') }}
    where is_post_test and state = 'finished' and not is_preview and grade is not null
    qualify row_number() over (
        partition by user_id, quiz_id order by grade desc, finished_epoch asc, attempt_id asc
    ) = 1
),

course_kinds as (
    -- Face-to-face: a course serving a campus/field/blended activity (masters editions aside);
    -- distance: a distance course (int_distance_courses).
    select c.course_id,
        case
            when dc.course_id is not null then 'distance'
            when a.delivery_mode in ('campus', 'field', 'blended') and a.service_type <> 'masters_edition'
                then 'face_to_face'
        end as course_kind
    from {{ ref('stg_ecampus__courses') }} as c
    left join {{ ref('dim_activities') }} as a on a.activity_code = c.activity_code
    left join {{ ref('int_distance_courses') }} as dc on dc.course_id = c.course_id
),

answers as (
    select a.*, year(a.submitted_at) as year, k.course_kind
    from {{ ref('stg_ecampus__questionnaire_answers') }} as a
    left join course_kinds as k on k.course_id = a.course_id
    where a.score is not null
),

knowledge_gain as (
    select '2.1' as indicator_code, 'knowledge_gain_share' as measure, y.period, y.period_type,
           count(*) filter (where b.grade >= b.pass_mark) as numerator, count(*) as denominator,
           'percent' as unit
    from best_attempts as b
    inner join {{ ref('int_year_periods') }} as y on y.year = year(b.finished_at)
    group by y.period, y.period_type
),

satisfaction as (
    select '2.2' as indicator_code, g.measure, y.period, y.period_type,
           sum(a.score) as numerator, count(*) as denominator, 'score_1_5' as unit
    from answers as a
    inner join {{ ref('int_year_periods') }} as y on y.year = a.year
    cross join lateral (
        select 'satisfaction_overall' as measure
        union all select 'satisfaction_face_to_face' where a.course_kind = 'face_to_face'
        union all select 'satisfaction_distance' where a.course_kind = 'distance'
    ) as g
    where a.item = 'overall'
    group by g.measure, y.period, y.period_type
),

labour_standards as (
    select 'A.2' as indicator_code, 'participants_' || a.item || '_score2_share' as measure, y.period, y.period_type,
           count(*) filter (where a.score >= 2) as numerator, count(*) as denominator, 'percent' as unit
    from answers as a
    inner join {{ ref('int_year_periods') }} as y on y.year = a.year
    where a.item in ('ils', 'sdt')
    group by a.item, y.period, y.period_type
),

measures as (
    select * from knowledge_gain
    union all select * from satisfaction
    union all select * from labour_standards
)

select
    indicator_code, measure, period, period_type, numerator, denominator,
    case when unit = 'percent' then 100.0 * numerator / denominator else numerator::double / denominator end as value,
    unit
from measures
where denominator > 0
