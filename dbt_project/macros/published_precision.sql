{#- The Centre's precision rule, the one place the warehouse says it (the report prints with the same rule:
    orchestration/reports/formats.py round_half_up; tests/unit/test_precision_rule.py checks both agree).

    A published p with h half a unit of its last decimal takes p - h <= x < p + h (methodology.md): a computed
    value agrees when rounded half up (ties towards +infinity), in decimal, at the published decimals it is
    the figure: 2.05 -> `2.1`, 34.535 -> `34.54`, 34.545 -> `34.55`, 12818.5 -> `12819`, and below zero a tie
    goes towards zero: -2.05 -> `-2.0`, -0.005 -> `0.00`. The double is read as its shortest text form
    (DuckDB prints what Python's repr prints: `2.05`, `1e-05`, `1e+21`), never as its binary expansion
    (2.05 is 2.04999999999999982...), and compared in DECIMAL, exactly. -#}

{#- Decimals of a published figure written as text: `35` -> 0, `34.54` -> 2. -#}
{% macro published_decimals(published_text) -%}
    coalesce(length(split_part(trim({{ published_text }}), '.', 2)), 0)
{%- endmacro %}

{#- `value` (a double) rounded half up (ties towards +infinity), in decimal, at `decimals` (0-5, a constant
    or a column): the figure the report prints, as an exact DECIMAL(38, 5); null when the value is null, NaN
    or infinite, |value| >= 1e32, or the decimals are not 0-5. The double is read as its shortest text in
    DECIMAL(38, s), exactly: below 1e15 at scale 22 (a shortest text has at most 17 significant digits, so one
    not exact at scale 22 is below 1e-6, far from any tie), above at scale 6 (it has at most one decimal
    there). DuckDB's round(DECIMAL, d) takes ties away from zero, right above zero; below zero the value is
    first raised by one unit of its scale u = 10^-s: x and the interval's ends p +- h are multiples of u, so
    round(x + u) = p, i.e. p - h < x + u <= p + h, is p - h <= x < p + h. round wants a constant d, hence the
    CASE; each branch is cast to the one result type (a CASE would otherwise take the first branch's scale). -#}
{% macro round_half_up(value, decimals) -%}
    case when abs({{ value }}) < 1e15
        then {{ _round_half_up_at_scale(value, decimals, 22) }}
        else {{ _round_half_up_at_scale(value, decimals, 6) }}
    end
{%- endmacro %}

{% macro _round_half_up_at_scale(value, decimals, scale) -%}
    {%- set exact = "try_cast(cast(" ~ value ~ " as varchar) as decimal(38, " ~ scale ~ "))" %}
    {%- set raised = exact ~ " + case when " ~ exact ~ " < 0 then cast('1e-" ~ scale ~ "' as decimal(38, " ~ scale ~ ")) else 0 end" %}
    case {{ decimals }}
        {%- for d in range(6) %}
        when {{ d }} then cast(round({{ raised }}, {{ d }}) as decimal(38, 5))
        {%- endfor %}
    end
{%- endmacro %}

{#- True when `value` (a double) rounds half up (ties towards +infinity) to `published_text` (a decimal
    text, up to 5 decimals) at its decimals; false when the value is null, NaN or infinite. -#}
{% macro rounds_half_up_to(value, published_text) -%}
    coalesce({{ round_half_up(value, published_decimals(published_text)) }}
        = try_cast(trim({{ published_text }}) as decimal(38, 5)), false)
{%- endmacro %}

{#- A text figure (`Completed`) agrees when equal but for case and surrounding spaces; null (not compared)
    when either is missing. -#}
{% macro texts_agree(value_text, published_text) -%}
    lower(trim({{ value_text }})) = lower(trim({{ published_text }}))
{%- endmacro %}
