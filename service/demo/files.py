"""Writers for the public input formats (PRODUCT.md section 1).

The demo generator writes its data as real files in these layouts and loads them through the same
ingest pipeline as any user file; tests and benchmarks use the same writers for their fixtures.
Each writer streams rows to disk, so multi-million-row files cost no memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

FINRA_HEADER = (
    "accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|"
    "marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|"
    "averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|"
    "changePreviousNumber|settlementDate"
)
REGSHO_HEADER = "Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market"


@dataclass(frozen=True)
class ShortInterestRow:
    symbol: str
    name: str
    market_class: str
    current: int
    previous: int | None
    average_daily_volume: int
    split: bool = False
    revised: bool = False

    @property
    def days_to_cover(self) -> float:
        """FINRA's rule: position / average daily volume, at least 1.00, 999.99 without volume."""
        if self.average_daily_volume == 0:
            return 999.99
        return max(1.0, round(self.current / self.average_daily_volume, 2))


def write_finra_bulk(path: Path, settlement: date, rows: Iterable[ShortInterestRow]) -> Path:
    """A FINRA bulk short-interest file (`shrtYYYYMMDD.csv`, pipe-delimited, LF)."""
    return write_finra_bulk_rows(path, ((settlement, row) for row in rows))


def write_finra_bulk_rows(path: Path, rows: Iterable[tuple[date, ShortInterestRow]]) -> Path:
    """The bulk layout with each row's own settlement date (a file spanning several dates)."""
    exchange = {"NYSE": "A", "AMEX": "B", "ARCA": "E", "BZX": "H", "NNM": "R", "SC": "R"}
    with path.open("w", newline="") as out:
        out.write(FINRA_HEADER + "\n")
        for settlement, row in rows:
            previous = "" if row.previous is None else str(row.previous)
            change = "" if row.previous is None else str(row.current - row.previous)
            percent = (
                f"{(row.current - row.previous) / row.previous * 100:.2f}" if row.previous else ""
            )
            out.write(
                "|".join(
                    (
                        f"{settlement:%Y%m%d}",
                        row.symbol,
                        row.name,
                        exchange.get(row.market_class, "S"),
                        row.market_class,
                        str(row.current),
                        previous,
                        "S" if row.split else "",
                        str(row.average_daily_volume),
                        f"{row.days_to_cover:.2f}",
                        "R" if row.revised else "",
                        percent,
                        change,
                        settlement.isoformat(),
                    )
                )
                + "\n"
            )
    return path


@dataclass(frozen=True)
class ShortVolumeRow:
    day: date
    symbol: str
    short_volume: float
    short_exempt_volume: float
    total_volume: float
    market: str = "B,Q,N"


def _volume(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6f}"


def write_regsho(
    path: Path, rows: Iterable[ShortVolumeRow], *, trailer: bool = True, crlf: bool = True
) -> int:
    """A Reg SHO daily file (pipe-delimited, CRLF, record-count trailer); returns its row count."""
    end = "\r\n" if crlf else "\n"
    count = 0
    with path.open("w", newline="") as out:
        out.write(REGSHO_HEADER + end)
        for row in rows:
            out.write(
                f"{row.day:%Y%m%d}|{row.symbol}|{_volume(row.short_volume)}|"
                f"{_volume(row.short_exempt_volume)}|{_volume(row.total_volume)}|{row.market}{end}"
            )
            count += 1
        if trailer:
            out.write(f"{count}{end}")
    return count


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> Path:
    """A plain CSV file (UTF-8, comma, header first); None is written as an empty cell."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    return path


@dataclass(frozen=True)
class Holding:
    ticker: str
    name: str
    quantity: float
    price: float
    weight: float
    asset_class: str = "Equity"


def write_ishares_holdings(
    path: Path,
    fund_name: str,
    as_of: date,
    shares_outstanding: int,
    holdings: Iterable[Holding],
) -> Path:
    """A holdings download in the iShares layout (BOM, preamble, quoted numbers, disclaimer)."""
    header = (
        "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,"
        "Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date"
    )
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(f"{fund_name}\n")
        out.write(f'Fund Holdings as of,"{as_of:%b %d, %Y}"\n')
        out.write('Inception Date,"May 22, 2000"\n')
        out.write(f'Shares Outstanding,"{shares_outstanding:,.2f}"\n')
        out.write('Stock,"-"\nBond,"-"\nCash,"-"\nOther,"-"\n \n')
        out.write(header + "\n")
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for h in holdings:
            value = h.quantity * h.price
            writer.writerow(
                [
                    h.ticker,
                    h.name,
                    "Information Technology",
                    h.asset_class,
                    f"{value:,.2f}",
                    f"{h.weight:.2f}",
                    f"{value:,.2f}",
                    f"{h.quantity:,.2f}",
                    f"{h.price:,.2f}",
                    "United States",
                    "NASDAQ",
                    "USD",
                    "1.00",
                    "USD",
                    "-",
                ]
            )
        out.write(" \n")
        out.write('"Generated by shortflow: the numbers are synthetic; the layout is iShares\'."\n')
    return path
