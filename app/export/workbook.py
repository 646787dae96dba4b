"""The .xlsx writer: openpyxl in write-only mode, so rows stream to disk and memory stays flat
however many there are. Dutch headers, a frozen header row, an autofilter, typed values (dates
as dates, numbers with their unit's format). Past the 1,048,576 rows one sheet holds, the rows
continue on a next sheet with the same header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.domain.overview import ColumnSpec

EXCEL_MAX_ROWS = 1_048_576  # per sheet, header included
SHEET_TITLE = "Procesbeheer"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"


class OverviewWorkbook:
    """Append rows (sequences of values, one per column); `save` writes the file. Values that
    need a format of their own are given as (value, number_format) pairs."""

    def __init__(self, columns: Sequence[ColumnSpec], *, max_rows: int = EXCEL_MAX_ROWS):
        if not 2 <= max_rows <= EXCEL_MAX_ROWS:
            raise ValueError(f"max_rows must lie between 2 and {EXCEL_MAX_ROWS}")
        self.columns = list(columns)
        self.max_rows = max_rows
        self.book = Workbook(write_only=True)
        self.sheet = None
        self.sheet_rows = 0  # data rows on the current sheet
        self.sheets = 0
        self.rows = 0
        self._bold = Font(bold=True)

    def _new_sheet(self) -> None:
        if self.sheet is not None:
            self._finish_sheet()
        self.sheets += 1
        title = SHEET_TITLE if self.sheets == 1 else f"{SHEET_TITLE} ({self.sheets})"
        sheet = self.book.create_sheet(title)
        # Widths and the frozen pane go in the sheet's head: set before the first row.
        for i, spec in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = spec.width
        sheet.freeze_panes = "A2"
        header = []
        for spec in self.columns:
            cell = WriteOnlyCell(sheet, value=spec.header)
            cell.font = self._bold
            header.append(cell)
        sheet.append(header)
        self.sheet, self.sheet_rows = sheet, 0

    def _finish_sheet(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.sheet_rows + 1}"

    def append(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            if self.sheet is None or self.sheet_rows >= self.max_rows - 1:
                self._new_sheet()
            sheet = self.sheet
            out = []
            for value in values:
                if type(value) is tuple:
                    cell = WriteOnlyCell(sheet, value=value[0])
                    cell.number_format = value[1]
                    out.append(cell)
                else:
                    out.append(value)
            sheet.append(out)
            self.sheet_rows += 1
            self.rows += 1

    def save(self, target: str | BinaryIO) -> int:
        """Write the workbook; returns how many data rows it holds."""
        if self.sheet is None:
            self._new_sheet()  # an empty overview still gives its header
        self._finish_sheet()
        self.book.save(target)
        return self.rows
