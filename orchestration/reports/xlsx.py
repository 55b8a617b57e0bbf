"""The report's workbook: the Annex 1 table in English and in French (figures stored as the numbers the
Centre publishes, rounded, with number formats; a signed-off figure whose value changed since carries a
comment with today's value), the reconciliation, and the sign-offs with their restatements."""
from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from orchestration.reports.data import Figure, ReportData
from orchestration.reports.formats import reference_decimals, round_half_up
from orchestration.reports.formats import format_value
from orchestration.reports.layout import figure_unit, layout, reconciliation_decimals, restatements_view
from orchestration.reports.periods import period_range
from orchestration.reports.texts import messages, translate_text

XLSX_NAME = "annex1.xlsx"
STATUS_FILL = {"achieved": "DCF2E6", "not_achieved": "FBE1E1"}


def number_format(unit: str, decimals: int, lang: str) -> str:
    """Excel number formats are written in its invariant syntax; Excel shows them in the reader's locale."""
    digits = "0" if decimals <= 0 else "0." + "0" * decimals
    if unit == "percent":
        return digits + "%"
    if unit == "ratio_to_1":
        return digits + '":1"'
    if unit == "days":
        return digits + f' "{messages(lang)["units"]["xlsx_days"]}"'
    if unit == "count":
        return "#,##" + digits
    return digits


def cell_value(value: float | None, unit: str, decimals: int) -> float | None:
    """The figure as published (rounded), stored as a number; percentages as fractions for the % format."""
    if value is None:
        return None
    rounded = float(round_half_up(value, decimals))
    if unit == "percent":
        return rounded / 100
    return int(rounded) if decimals <= 0 else rounded


def write_table_sheet(sheet, data: ReportData, lang: str) -> None:
    labels = messages(lang)
    table = layout(data, lang)
    thin = Side(style="thin", color="C9CFD9")
    header_fill = PatternFill("solid", fgColor="1E2DBE")
    dimension_fill = PatternFill("solid", fgColor="E8EBF7")
    sheet["A1"] = labels["title"]
    sheet["A1"].font = Font(bold=True, size=14, color="1E2DBE")
    sheet["A2"] = labels["subtitle"].format(periods=period_range(data.periods))
    sheet["A3"] = labels["computed_note"]
    sheet["A3"].font = Font(italic=True, color="5A6375")
    sheet["A4"] = f"{labels['run_id']}: {', '.join(data.run_ids) or '—'} · {labels['built_at']}: {data.built_at or '—'}"
    sheet["A4"].font = Font(color="5A6375", size=9)
    headers = [labels["dimension"], labels["code"], labels["indicator"], labels["measure"],
               labels["baseline"], labels["baseline_period"], labels["target"], labels["target_period"]]
    headers += [f"{labels['results']} ({p})" for p in data.periods] + [labels["status"]]
    header_row = 6
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(header_row, column, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    row_number = header_row + 1
    lines = {l.key: l for l in data.lines}
    for dimension in table["dimensions"]:
        for indicator in dimension["indicators"]:
            for measure in indicator["measures"]:
                line = lines[(indicator["code"], measure["measure"])]
                values: list[Any] = [dimension["name"], indicator["code"], indicator["name"], measure["label"]]
                formats: list[str | None] = [None] * 4
                for figure in (line.baseline, line.target):
                    if figure.value is not None:
                        decimals = reference_decimals(figure.value)
                        values.append(cell_value(figure.value, line.unit, decimals))
                        formats.append(number_format(line.unit, decimals, lang))
                    else:
                        values.append(translate_text(figure.text, lang) if figure.text else None)
                        formats.append(None)
                    values.append(figure.period)
                    formats.append(None)
                status = None
                restated: dict[int, str] = {}  # column -> today's value of a restated signed-off figure
                for period in data.periods:
                    figure = line.figures.get(period, Figure())
                    if figure.restated:
                        restated[len(values) + 1] = labels["restated_now"].format(value=format_value(
                            figure.current_value, figure_unit(line, figure), line.decimals, lang, figure.current_text))
                    if figure.value is not None:
                        unit = figure_unit(line, figure)
                        values.append(cell_value(figure.value, unit, line.decimals))
                        formats.append(number_format(unit, line.decimals, lang))
                    else:
                        values.append(translate_text(figure.text, lang) if figure.text else None)
                        formats.append(None)
                    if figure.status in ("achieved", "not_achieved"):
                        status = figure.status
                values.append(labels[status] if status else None)
                formats.append(None)
                for column, (value, fmt) in enumerate(zip(values, formats), start=1):
                    cell = sheet.cell(row_number, column, value)
                    cell.border = Border(bottom=thin)
                    cell.alignment = Alignment(vertical="top", wrap_text=column in (1, 3, 4) or isinstance(value, str))
                    if fmt:
                        cell.number_format = fmt
                        cell.alignment = Alignment(vertical="top", horizontal="right")
                    if column in restated:
                        cell.comment = Comment(f"{restated[column]} ({labels['restated_title']})", "warehouse")
                        cell.font = Font(bold=True, color="B45309")
                    if column == 1:
                        cell.fill = dimension_fill
                        cell.font = Font(bold=True, color="1E2DBE")
                if status:
                    sheet.cell(row_number, len(values)).fill = PatternFill("solid", fgColor=STATUS_FILL[status])
                row_number += 1
    widths = [20, 7, 48, 34, 12, 10, 12, 10] + [13] * len(data.periods) + [18]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 5)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(row_number - 1, header_row)}"
    sheet.row_dimensions[header_row].height = 32


def write_reconciliation_sheet(sheet, data: ReportData) -> None:
    labels = messages("en")
    headers = [labels["code"], labels["measure"], labels["period"], labels["published"], labels["published_text"],
               labels["computed_value"], labels["difference"], labels["agrees"], labels["explanation"]]
    sheet["A1"] = labels["reconciliation"] + " / " + messages("fr")["reconciliation"]
    sheet["A1"].font = Font(bold=True, size=14, color="1E2DBE")
    if data.reconciliation is None:
        sheet["A3"] = labels["reconciliation_none"]
        return
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(3, column, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1E2DBE")

    def stored(value: float | None, unit: str) -> float | None:
        return None if value is None else (value / 100 if unit == "percent" else value)

    for index, r in enumerate(data.reconciliation, start=4):
        published_decimals, exact = reconciliation_decimals(r.published_value, r.unit)
        row = [r.code, r.measure, r.period, stored(r.published_value, r.unit), r.published_text,
               stored(r.computed_value, r.unit), stored(r.difference, r.unit), r.agrees, r.explanation]
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(index, column, value)
            if column in (4, 6, 7) and value is not None:
                cell.number_format = number_format(r.unit, published_decimals if column == 4 else exact, "en")
            if column == 9:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r.agrees is False:
            fill = PatternFill("solid", fgColor="FFF1D6" if r.explanation else "FBE1E1")
            for column in range(1, len(row) + 1):
                sheet.cell(index, column).fill = fill
    for column, width in zip("ABCDEFGHI", (7, 34, 9, 12, 24, 12, 12, 8, 70)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "D4"
    sheet.auto_filter.ref = f"A3:I{3 + len(data.reconciliation)}"


def write_restatements_sheet(sheet, data: ReportData, lang: str) -> None:
    view = restatements_view(data, lang)
    labels = messages(lang)
    sheet["A1"] = labels["restatements"]
    sheet["A1"].font = Font(bold=True, size=14, color="1E2DBE")
    row = 3
    for signed in view["signoffs"]:
        sheet.cell(row, 1, labels["signoff_line"].format(**signed) + (f" — {signed['note']}" if signed["note"] else ""))
        row += 1
    row += 1
    headers = [labels["indicator"], labels["period"], labels["signed_value"], labels["current_value"],
               labels["difference"], labels["causes"]]
    for column, text in enumerate(headers, start=1):
        sheet.cell(row, column, text).font = Font(bold=True)
    for r in view["rows"]:
        row += 1
        for column, value in enumerate([f"{r['code']} {r['label']}", r["period"], r["signed"], r["current"],
                                        r["difference"], "; ".join(r["causes"])], start=1):
            sheet.cell(row, column, value).alignment = Alignment(vertical="top", wrap_text=column in (1, 6))
    if not view["rows"]:
        sheet.cell(row + 1, 1, labels["restatements_pending"] if view["pending"] else labels["no_restatements"])
    for column, width in zip("ABCDEF", (48, 10, 14, 14, 12, 90)):
        sheet.column_dimensions[column].width = width


def build_workbook(data: ReportData) -> Workbook:
    workbook = Workbook()
    first = workbook.active
    first.title = messages("en")["sheet_table"]
    write_table_sheet(first, data, "en")
    write_table_sheet(workbook.create_sheet(messages("fr")["sheet_table"]), data, "fr")
    write_reconciliation_sheet(workbook.create_sheet(messages("en")["sheet_reconciliation"]), data)
    if data.signoffs:
        write_restatements_sheet(workbook.create_sheet(messages("en")["sheet_restatements"]), data, "en")
    return workbook
