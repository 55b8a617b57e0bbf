{#- The Centre's precision rule, the one place the warehouse says it (the report prints with the same rule:
    orchestration/reports/formats.py round_half_up; tests/unit/test_precision_rule.py checks both agree).

    A computed value agrees with a published figure when the value rounded half up (ties away from zero), in
    decimal, at the published decimals equals the published figure: 2.05 -> `2.1`, 34.535 -> `34.54`,
    34.545 -> `34.55`, -2.05 -> `-2.1`, 12818.5 -> `12819`. The double is read as its shortest text form
    (DuckDB prints what Python's repr prints: `2.05`, `1e-05`, `1e+21`), never as its binary expansion
    (2.05 is 2.04999999999999982...), and compared in DECIMAL, exactly. -#}

{#- Decimals of a published figure written as text: `35` -> 0, `34.54` -> 2. -#}
{% macro published_decimals(published_text) -%}
    coalesce(length(split_part(trim({{ published_text }}), '.', 2)), 0)
{%- endmacro %}

{#- True when `value` (a double) rounds half up to `published_text` (a decimal text) at its decimals; false
    when the value is null, NaN or infinite. "Rounds half up to p" is the interval |p| - h <= |value| < |p| + h
    with the sign of p (h: half a unit of p's last decimal), computed in DECIMAL(38, s). Exact for
    |value| < 1e32 and up to 5 published decimals: below 1e15 at scale 22 (a shortest text has at most 17
    significant digits, so one not exact at scale 22 is below 1e-6, far from any bound), above at scale 6 (it
    has at most one decimal there). -#}
{% macro rounds_half_up_to(value, published_text) -%}
    coalesce(case when abs({{ value }}) < 1e15
        then {{ _rounds_half_up_at_scale(value, published_text, 22) }}
        else {{ _rounds_half_up_at_scale(value, published_text, 6) }}
    end, false)
{%- endmacro %}

{% macro _rounds_half_up_at_scale(value, published_text, scale) -%}
    {%- set v = "try_cast(cast(" ~ value ~ " as varchar) as decimal(38, " ~ scale ~ "))" -%}
    {%- set p = "try_cast(trim(" ~ published_text ~ ") as decimal(38, " ~ scale ~ "))" -%}
    {%- set h = "cast('5e-' || (" ~ published_decimals(published_text) ~ " + 1) as decimal(38, " ~ scale ~ "))" -%}
    (abs({{ v }}) >= abs({{ p }}) - {{ h }} and abs({{ v }}) < abs({{ p }}) + {{ h }}
        and ({{ p }} = 0 or sign({{ v }}) = sign({{ p }})))
{%- endmacro %}

{#- A text figure (`Completed`) agrees when equal but for case and surrounding spaces; null (not compared)
    when either is missing. -#}
{% macro texts_agree(value_text, published_text) -%}
    lower(trim({{ value_text }})) = lower(trim({{ published_text }}))
{%- endmacro %}
