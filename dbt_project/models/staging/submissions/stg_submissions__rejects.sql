-- Rows of the submissions file the loader could not read (wrong field count, a missing key value, the
-- same key twice), with the rule they broke; the raw line has e-mail addresses masked.
select
    file_name as source_file,
    line_number,
    rule as reason,
    raw_line
from {{ source('submissions', 'rejects') }}
