-- A steward's decision that identity resolution cannot apply (a vanished record, a `different` the rules
-- overrule) is a warning, never a failed night: the figures stand on the rules and the applied decisions.
-- The rows, with why, are in intermediate.identity_decisions_unresolved.
{{ config(severity='warn') }}
select pair_key, status, explanation from {{ ref('identity_decisions_unresolved') }}
