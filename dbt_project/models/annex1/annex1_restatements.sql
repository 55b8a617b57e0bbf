-- Restatements: every figure of a signed-off period (annex1_indicators as published at sign-off, from the
-- register, orchestration/signoff.py) beside its current value, the difference and, for a figure that moved,
-- what changed in its period since the sign-off, from what the close froze:
-- - rows_added: counted enrolment rows of the period's years that were not counted at sign-off (extracted
--   after it: late data, corrections), by source system;
-- - rows_vanished: rows counted at sign-off that have vanished from their source since (erasure, deletion;
--   they stay counted), are no longer counted, or are gone;
-- - persons_merged / persons_split: persons counted in the period at sign-off that identity resolution now
--   merges with another / splits, with the identity links added / removed (by rule) that did it;
-- - is_resubmitted: a unit's submission of the figure replaced or withdrawn since.
-- Computed figures list the first three, submitted ones the last. A figure that moved with none of them is
-- `unattributed` (e.g. a changed reference table, a change of code or of the evaluation and finance files).
with closes as (
    select * from {{ source('signoff', 'closes') }}
),

signed as (
    select f.*, c.closed_period, c.signed_by, c.signed_at, c.run_id as signed_run_id
    from {{ source('signoff', 'figures') }} as f
    inner join closes as c on c.close_id = f.close_id and c.period = f.period
),

scope as (
    select distinct close_id, period from signed
),

year_periods as (
    select year, period from {{ ref('int_year_periods') }}
),

signed_rows as (
    select r.*, y.period
    from {{ source('signoff', 'rows') }} as r
    inner join year_periods as y on y.year = r.year
    inner join scope as s on s.close_id = r.close_id and s.period = y.period
),

current_rows as (
    select e.enrolment_key, e.source_system, e.is_counted, e.has_vanished_from_source, y.period
    from {{ ref('fct_enrolments') }} as e
    inner join year_periods as y on y.year = e.year
),

rows_added as (
    select s.close_id, s.period, c.source_system, count(*) as n
    from scope as s
    inner join current_rows as c on c.period = s.period and c.is_counted
    where not exists (
        select 1 from signed_rows as r
        where r.close_id = s.close_id and r.period = s.period and r.enrolment_key = c.enrolment_key and r.is_counted
    )
    group by all
),

rows_vanished as (
    select r.close_id, r.period, r.source_system, count(*) as n
    from signed_rows as r
    left join current_rows as c on c.enrolment_key = r.enrolment_key and c.period = r.period
    where r.is_counted
      and (c.enrolment_key is null or not c.is_counted or (c.has_vanished_from_source and not r.has_vanished_from_source))
    group by all
),

persons_resolved as (
    select record_key, person_key from {{ ref('int_persons_resolved') }}
),

-- The identity records of the persons counted in the period at sign-off: their person then and now.
signed_records as (
    select p.close_id, p.period, r.record_key, r.person_key as signed_person, now.person_key as current_person
    from (select distinct close_id, period, person_key from signed_rows where is_counted and person_key is not null) as p
    inner join {{ source('signoff', 'records') }} as r on r.close_id = p.close_id and r.person_key = p.person_key
    left join persons_resolved as now on now.record_key = r.record_key
),

merged as (
    select close_id, period, current_person, count(distinct signed_person) - 1 as absorbed
    from signed_records
    where current_person is not null
    group by all
    having count(distinct signed_person) > 1
),

split as (
    select close_id, period, signed_person, count(distinct current_person) - 1 as parts
    from signed_records
    where current_person is not null
    group by all
    having count(distinct current_person) > 1
),

current_links as (
    select l.record_key_a, l.record_key_b, l.rule, p.person_key
    from {{ ref('int_identity_links') }} as l
    inner join persons_resolved as p on p.record_key = l.record_key_a
),

links_added as (
    select m.close_id, m.period, l.rule, count(*) as n
    from merged as m
    inner join current_links as l on l.person_key = m.current_person
    where not exists (
        select 1 from {{ source('signoff', 'links') }} as s
        where s.close_id = m.close_id and s.record_key_a = l.record_key_a and s.record_key_b = l.record_key_b
          and s.rule = l.rule
    )
    group by all
),

links_removed as (
    select s.close_id, sp.period, s.rule, count(distinct (s.record_key_a, s.record_key_b, s.rule)) as n
    from split as sp
    inner join signed_records as r
        on r.close_id = sp.close_id and r.period = sp.period and r.signed_person = sp.signed_person
    inner join {{ source('signoff', 'links') }} as s on s.close_id = r.close_id and s.record_key_a = r.record_key
    where not exists (
        select 1 from current_links as l
        where l.record_key_a = s.record_key_a and l.record_key_b = s.record_key_b and l.rule = s.rule
    )
    group by all
),

current_submissions as (
    select indicator_code, measure, period, submitted_on, line_number
    from {{ ref('int_submissions__accepted') }}
    where is_current
),

signed_submissions as (
    select * from {{ source('signoff', 'submissions') }}
),

resubmitted as (
    -- replaced (or first submitted) since the sign-off
    select s.close_id, c.indicator_code, c.measure, c.period
    from scope as s
    inner join current_submissions as c on c.period = s.period
    where not exists (
        select 1 from signed_submissions as b
        where b.close_id = s.close_id and b.indicator_code = c.indicator_code and b.measure = c.measure
          and b.period = c.period and b.submitted_on = c.submitted_on and b.line_number = c.line_number
    )
    union
    -- withdrawn since the sign-off
    select b.close_id, b.indicator_code, b.measure, b.period
    from signed_submissions as b
    where not exists (
        select 1 from current_submissions as c
        where b.indicator_code = c.indicator_code and b.measure = c.measure and b.period = c.period
          and b.submitted_on = c.submitted_on and b.line_number = c.line_number
    )
),

period_causes as (
    select
        s.close_id,
        s.period,
        (select to_json(map(list(source_system order by source_system), list(n order by source_system)))
         from rows_added as a where a.close_id = s.close_id and a.period = s.period having count(*) > 0) as rows_added,
        (select to_json(map(list(source_system order by source_system), list(n order by source_system)))
         from rows_vanished as v where v.close_id = s.close_id and v.period = s.period having count(*) > 0) as rows_vanished,
        coalesce((select sum(absorbed) from merged as m where m.close_id = s.close_id and m.period = s.period), 0)::integer
            as persons_merged,
        coalesce((select sum(parts) from split as p where p.close_id = s.close_id and p.period = s.period), 0)::integer
            as persons_split,
        (select to_json(map(list(rule order by rule), list(n order by rule)))
         from links_added as l where l.close_id = s.close_id and l.period = s.period having count(*) > 0)
            as identity_links_added,
        (select to_json(map(list(rule order by rule), list(n order by rule)))
         from links_removed as l where l.close_id = s.close_id and l.period = s.period having count(*) > 0)
            as identity_links_removed
    from scope as s
),

compared as (
    select
        s.*,
        c.value as current_value,
        c.value_text as current_value_text,
        c.value is null and c.value_text is null as is_gone,
        coalesce(abs(c.value - s.value) > 1e-9, c.value is distinct from s.value)
            or c.value_text is distinct from s.value_text as is_restated
    from signed as s
    left join {{ ref('annex1_indicators') }} as c
        on c.indicator_code = s.indicator_code and c.measure = s.measure and c.period = s.period
)

select
    f.close_id,
    f.closed_period,
    f.signed_by,
    f.signed_at,
    f.signed_run_id,
    f.indicator_code,
    f.measure,
    f.period,
    f.unit,
    f.value as signed_value,
    f.value_text as signed_value_text,
    f.current_value,
    f.current_value_text,
    f.current_value - f.value as difference,
    f.is_restated,
    case when f.is_restated then
        coalesce(nullif(concat_ws(', ',
            case when f.origin = 'computed' and p.rows_added is not null then 'rows_added' end,
            case when f.origin = 'computed' and p.rows_vanished is not null then 'rows_vanished' end,
            case when f.origin = 'computed' and p.persons_merged > 0 then 'persons_merged' end,
            case when f.origin = 'computed' and p.persons_split > 0 then 'persons_split' end,
            case when f.origin = 'submitted' and r.close_id is not null then 'resubmission' end
        ), ''), 'unattributed')
    end as causes,
    case when f.is_restated and f.origin = 'computed' then p.rows_added end as rows_added,
    case when f.is_restated and f.origin = 'computed' then p.rows_vanished end as rows_vanished,
    case when f.is_restated and f.origin = 'computed' then p.persons_merged end as persons_merged,
    case when f.is_restated and f.origin = 'computed' then p.persons_split end as persons_split,
    case when f.is_restated and f.origin = 'computed' then p.identity_links_added end as identity_links_added,
    case when f.is_restated and f.origin = 'computed' then p.identity_links_removed end as identity_links_removed,
    f.is_restated and r.close_id is not null as is_resubmitted
from compared as f
left join period_causes as p on p.close_id = f.close_id and p.period = f.period
left join (select distinct * from resubmitted) as r
    on r.close_id = f.close_id and r.indicator_code = f.indicator_code and r.measure = f.measure and r.period = f.period
