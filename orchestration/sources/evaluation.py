"""External evaluation survey files `external_evaluation_<year>.csv` → raw_evaluation.responses
(contract: evaluation.md).

Every file of the folder is one scope of the table (column `survey_file`): a changed file replaces its own
rows only; an unchanged one is not read; a file removed from the folder keeps its rows, flagged
`_vanished_at`. Malformed rows (field count, an answer that is not 1-5, `gave_example` not yes/no, missing
respondent_id, duplicate respondent_id) go to raw_evaluation.rejects.
"""
import re

from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import (
    FileSourceError, SourceFile, file_source, first_rule, in_range, one_of, parse_csv,
)

SYSTEM = "evaluation"
SECTION_KEYS = ("folder",)
FILE_PATTERN = re.compile(r"^external_evaluation_(\d{4})\.csv$")
ITEMS = ("relevant", "theory_to_practice", "can_apply")

CONTRACTS = [TableContract(
    "responses",
    (Column("respondent_id", required=True),
     Column("survey_year", "int", required=True), Column("modality"), Column("relevant", "int"),
     Column("theory_to_practice", "int"), Column("can_apply", "int"), Column("gave_example")),
    key=("respondent_id",),
    watermark="max(survey_year)",
    description="External evaluation answers, one row per (survey_file, respondent_id); history kept",
)]


def files(sources) -> list[SourceFile]:
    folder = sources.file(SYSTEM, "folder")
    if not folder.is_dir():
        raise FileSourceError(f"external evaluation folder {folder} is missing")
    return [SourceFile(p, "external evaluation file", scope=p.name)
            for p in sorted(folder.iterdir()) if p.is_file() and FILE_PATTERN.match(p.name)]


def validate(frame):
    return first_rule(*(in_range(frame, item, 1, 5) for item in ITEMS), one_of(frame, "gave_example", ("yes", "no")))


def parse(item: SourceFile, data: bytes):
    return {"responses": parse_csv(item.path, data, CONTRACTS[0], validate=validate)}


assets = [file_source(SYSTEM, CONTRACTS, files, parse, name="evaluation_responses", scope_column="survey_file")]
evaluation_responses = assets[0]
