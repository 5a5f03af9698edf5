"""Workbooks built by tests in the layouts of the issuers' downloads.

- iShares' fund download is SpreadsheetML 2003 XML (the layout of the real file,
  ../shared/data/ishares/IWM_fund_xls_*_excerpt.xml): `spreadsheet_row`, `historical_workbook`.
- State Street's SPDR NAV history is an .xlsx (a zip of XML parts): `xlsx`, `xlsx_parts`, and
  `spdr_nav_history`, SPY's history over `SPDR_DAYS` (no real file exists in ../shared/data: the
  numbers are made up, the layout is the documented one).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import date

SPREADSHEET_NS = 'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
HISTORICAL_HEADER = ("As Of", "NAV per Share", "Ex-Dividends", "Shares Outstanding")


def spreadsheet_row(*values: str) -> str:
    """One SpreadsheetML row of text cells."""
    cells = "".join(f'<ss:Cell><ss:Data ss:Type="String">{v}</ss:Data></ss:Cell>' for v in values)
    return f"<ss:Row>{cells}</ss:Row>\n"


def historical_workbook(rows: str, prologue: str = "") -> str:
    """An iShares fund download whose `Historical` worksheet holds the header and `rows`;
    `prologue` goes between the XML declaration and the workbook (a DOCTYPE)."""
    return (
        f'<?xml version="1.0"?>\n{prologue}<ss:Workbook {SPREADSHEET_NS}>\n'
        '<ss:Worksheet ss:Name="Historical">\n<ss:Table>\n'
        f"{spreadsheet_row(*HISTORICAL_HEADER)}{rows}</ss:Table>\n</ss:Worksheet>\n</ss:Workbook>\n"
    )


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx_parts(parts: Mapping[str, str | bytes]) -> bytes:
    """A zip holding `parts` by name (deflated), as an .xlsx is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in parts.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def xlsx(rows: list[list[str | float]], prologue: str = "") -> bytes:
    """An .xlsx whose first sheet holds `rows` (str: shared strings, numbers: numbers);
    `prologue` goes after the sheet's XML declaration (a DOCTYPE)."""
    strings: list[str] = []
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row):
            ref = f"{'ABCD'[column]}{number}"
            if isinstance(value, str):
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN}"><sheetData>'
        f"{''.join(xml_rows)}</sheetData></worksheet>"
    )
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">' + "".join(
        f"<si><t>{s}</t></si>" for s in strings
    )
    return xlsx_parts(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/worksheets/sheet1.xml": sheet,
            "xl/sharedStrings.xml": shared + "</sst>",
        }
    )


SPDR_DAYS = [  # (date, NAV, shares outstanding), newest first as State Street lists them
    (date(2025, 12, 5), 685.21, 1_021_432_116),
    (date(2025, 12, 4), 683.89, 1_019_082_116),
    (date(2025, 12, 3), 684.10, 1_024_532_116),
    (date(2025, 12, 2), 681.53, 1_024_532_116),
    (date(2025, 12, 1), 679.12, 1_018_982_116),
]


def spdr_nav_history(ticker: str = "SPY") -> bytes:
    """A NAV history of `SPDR_DAYS`: fund name and ticker above a `Date, NAV, Shares
    Outstanding, Total Net Assets` table, dates both as text and as Excel serial days (the two
    ways a workbook can hold them)."""
    rows: list[list[str | float]] = [
        ["Fund Name:", "SPDR S&amp;P 500 ETF Trust"],
        ["Ticker Symbol:", ticker],
        [],
        ["Date", "NAV", "Shares Outstanding", "Total Net Assets"],
    ]
    for index, (day, nav, shares) in enumerate(SPDR_DAYS):
        # Even rows date as text ("05-Dec-2025"), odd rows as Excel serial days.
        written: str | float = (
            day.strftime("%d-%b-%Y") if index % 2 == 0 else (day - date(1899, 12, 30)).days
        )
        rows.append([written, nav, shares, round(nav * shares, 2)])
    return xlsx(rows)
