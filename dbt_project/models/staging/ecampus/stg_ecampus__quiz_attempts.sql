-- One row per quiz attempt, with its grade on the quiz's scale (sumgrades / quiz.sumgrades * quiz.grade),
-- whether it is a post-test (course module idnumber starting with `postkat`) and its pass mark.
with attempts as (
    select * from {{ source('ecampus', 'quiz_attempts') }}
),

quizzes as (
    select id as quiz_id, course as course_id, sumgrades, grade from {{ source('ecampus', 'quiz') }}
),

quiz_modules as (
    select cm.instance as quiz_id, cm.course as course_id, cm.idnumber
    from {{ source('ecampus', 'course_modules') }} as cm
    inner join {{ source('ecampus', 'modules') }} as m on m.id = cm.module and m.name = 'quiz'
),

pass_marks as (
    select iteminstance as quiz_id, gradepass
    from {{ source('ecampus', 'grade_items') }}
    where itemtype = 'mod' and itemmodule = 'quiz'
)

select
    a.id::bigint as attempt_id,
    a.quiz::bigint as quiz_id,
    q.course_id,
    a.userid::bigint as user_id,
    a.attempt as attempt_number,
    lower(a.state) as state,
    coalesce(a.preview, 0) = 1 as is_preview,
    coalesce(starts_with(lower(qm.idnumber), 'postkat'), false) as is_post_test,
    a.sumgrades / nullif(q.sumgrades, 0) * q.grade as grade,
    pm.gradepass as pass_mark,
    {{ moodle_local_time('a.timefinish') }} as finished_at,
    a.timefinish as finished_epoch
from attempts as a
inner join quizzes as q on q.quiz_id = a.quiz
left join quiz_modules as qm on qm.quiz_id = q.quiz_id and qm.course_id = q.course_id
left join pass_marks as pm on pm.quiz_id = q.quiz_id
