"""The demo dataset: years of consistent, synthetic market history, deterministic from a seed.

Written as files in the public formats (service/demo/files.py) and loaded through the ordinary
ingest pipeline, so the demo exercises exactly what user files go through:

- securities: `stocks` companies plus ten ETFs, share counts changing yearly, one symbol change;
- indexes: R2000 (members reconstituted every June) tracked by IWM and VTWO, SP500 tracked by SPY;
- FINRA short interest for every settlement date of `years` years (one bulk file per date), as a
  mean-reverting share of float, with FINRA's days to cover, a few revisions and splits;
- daily closes for the ETFs and the 200 largest companies; the others have closes around their
  settlement dates (enough for short value and the squeeze screen);
- Reg SHO consolidated short volume for the last `short_volume_years` years;
- daily shares outstanding and NAV of every ETF (flows derived from them), with some large
  redemption weeks; one IWM holdings snapshot.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from service.analytics import calendar
from service.demo.files import (
    Holding,
    ShortInterestRow,
    ShortVolumeRow,
    write_csv,
    write_finra_bulk_rows,
    write_ishares_holdings,
    write_regsho,
)

ETFS = (
    ("IWM", "iShares Russell 2000 ETF", "R2000", 65.0, 280_000_000),
    ("VTWO", "Vanguard Russell 2000 ETF", "R2000", 33.0, 120_000_000),
    ("SPY", "SPDR S&P 500 ETF Trust", "SP500", 110.0, 900_000_000),
    ("QQQ", "Invesco QQQ Trust", None, 45.0, 550_000_000),
    ("DIA", "SPDR Dow Jones Industrial Average ETF", None, 95.0, 30_000_000),
    ("XLF", "Financial Select Sector SPDR Fund", None, 18.0, 1_100_000_000),
    ("XLK", "Technology Select Sector SPDR Fund", None, 40.0, 300_000_000),
    ("TLT", "iShares 20+ Year Treasury Bond ETF", None, 120.0, 150_000_000),
    ("GLD", "SPDR Gold Shares", None, 115.0, 260_000_000),
    ("EEM", "iShares MSCI Emerging Markets ETF", None, 41.0, 800_000_000),
)
WORDS = [
    "Apex",
    "Birch",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Ridge",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Xenon",
    "Yarrow",
    "Zephyr",
    "Atlas",
    "Beacon",
    "Cedar",
    "Drift",
    "Echo",
    "Flint",
    "Grove",
    "Haven",
    "Ion",
    "Jade",
    "Kite",
    "Lark",
    "Maple",
    "Nova",
    "Onyx",
    "Pike",
    "Quill",
    "Rune",
    "Sage",
    "Thorn",
    "Union",
    "Vale",
    "Wren",
]
SUFFIXES = ("Inc.", "Corp.", "Holdings Inc.", "Group Inc.", "Technologies Inc.", "Bancorp")
CLASSES = ("NNM", "NYSE", "NNM", "SC", "AMEX")
DAILY_PRICED_STOCKS = 200


@dataclass
class Company:
    symbol: str
    name: str
    market_class: str
    shares: int
    float_ratio: float
    price: float
    volatility: float
    short_share: float  # target short interest as a share of float
    hot: bool  # a crowded short: higher targets, bigger swings
    closes: dict[date, float] = field(default_factory=dict)
    former_symbol: str | None = None
    renamed_on: date | None = None

    def symbol_on(self, day: date) -> str:
        """The symbol files of `day` use (the former one before a symbol change)."""
        if self.former_symbol is not None and self.renamed_on is not None and day < self.renamed_on:
            return self.former_symbol
        return self.symbol


@dataclass(frozen=True)
class DemoPlan:
    """What to generate; the defaults are `shortflow demo`'s."""

    seed: int = 7
    stocks: int = 3000
    years: int = 10
    short_volume_years: int = 1
    end: date | None = None


@dataclass
class DemoFiles:
    """The generated files, in the order they must be ingested: (kind, path, options)."""

    files: list[tuple[str, Path, dict[str, str]]] = field(default_factory=list)

    def add(self, kind: str, path: Path, **options: str) -> None:
        self.files.append((kind, path, options))


def latest_published_settlement(today: date) -> date:
    day = calendar.settlement_date_on_or_before(today)
    while calendar.publication_date(day) > today:
        day = calendar.previous_settlement_date(day)
    return day


def generate(
    plan: DemoPlan, directory: Path, progress: Callable[[str], None] = lambda _: None
) -> DemoFiles:
    """Write the demo files under `directory`; returns them in ingest order."""
    rng = random.Random(plan.seed)
    directory.mkdir(parents=True, exist_ok=True)
    end = plan.end or latest_published_settlement(date.today())
    start = date(end.year - plan.years, end.month, 1)
    settlements = [
        d
        for year in range(start.year, end.year + 1)
        for d in calendar.settlement_dates(year)
        if start <= d <= end
    ]
    # Daily data runs to the last trading day before today (short interest stops at the newest
    # published settlement date, as it would in production).
    last_day = plan.end or date.today() - timedelta(days=1)
    first_day = settlements[0] - timedelta(days=10)
    days = list(calendar.trading_days(first_day, last_day))
    companies = _companies(rng, plan.stocks)
    out = DemoFiles()

    progress("securities and indexes")
    out.add("securities", _securities(directory, companies, settlements[0], end))
    out.add("index-members", _members(rng, directory, companies, settlements[0], end))

    progress("prices")
    _price_paths(rng, companies, days, settlements)
    etfs = _etf_paths(rng, days)
    out.add("prices", _prices(directory, companies, etfs))

    progress("short interest")
    for path in _short_interest(rng, directory, companies, etfs, settlements):
        out.add("short-interest", path)

    progress("short volume")
    volume_start = end - timedelta(days=365 * plan.short_volume_years)
    out.add("short-volume", _short_volume(rng, directory, companies, etfs, days, volume_start))

    progress("fund flows and holdings")
    out.add("fund-flows", _flows(directory, etfs))
    out.add(
        "holdings",
        _holdings(directory, companies, etfs, settlements[-1]),
        index="R2000",
        fund="IWM",
    )
    return out


def _companies(rng: random.Random, count: int) -> list[Company]:
    seen: set[str] = {symbol for symbol, *_ in ETFS}
    companies: list[Company] = []
    while len(companies) < count:
        length = rng.choice((3, 4, 4, 4))
        symbol = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(length))
        if symbol in seen:
            continue
        seen.add(symbol)
        hot = rng.random() < 0.03
        companies.append(
            Company(
                symbol=symbol,
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}",
                market_class=rng.choice(CLASSES),
                shares=int(math.exp(rng.uniform(math.log(8e6), math.log(250e6)))),
                # A few companies publish no float: the squeeze screen leaves them out.
                float_ratio=0.0 if rng.random() < 0.015 else rng.uniform(0.6, 0.97),
                price=math.exp(rng.uniform(math.log(4), math.log(180))),
                volatility=rng.uniform(0.015, 0.04),
                short_share=rng.uniform(0.2, 0.35) if hot else rng.betavariate(1.6, 30),
                hot=hot,
            )
        )
    companies.sort(key=lambda c: -c.shares * c.price)  # the largest first
    return companies


def _securities(directory: Path, companies: list[Company], start: date, end: date) -> Path:
    rows: list[list[object]] = []
    renamed = companies[10]
    renamed.former_symbol, renamed.renamed_on = renamed.symbol, date(end.year - 2, 6, 1)
    renamed.symbol += "X"
    for year in range(start.year, end.year + 1):
        as_of = max(date(year, 1, 2), start)
        for index, company in enumerate(companies):
            growth = 1 + 0.01 * ((index + year) % 7 - 3)  # buybacks and issuance
            shares = int(company.shares * growth ** (year - start.year))
            rows.append(
                [
                    company.symbol_on(as_of),
                    company.name,
                    "stock",
                    company.market_class,
                    shares,
                    int(shares * company.float_ratio),
                    as_of.isoformat(),
                    None,
                    None,
                ]
            )
    for symbol, name, index_code, _, shares in ETFS:
        rows.append(
            [symbol, name, "etf", "ARCA", shares, None, start.isoformat(), index_code, None]
        )
    # One company (renamed above) changed its symbol two years ago: its history stays one
    # security, and files before the change name the old symbol.
    assert renamed.former_symbol is not None
    assert renamed.renamed_on is not None
    rows.append(
        [
            renamed.symbol,
            renamed.name,
            "stock",
            renamed.market_class,
            None,
            None,
            renamed.renamed_on.isoformat(),
            None,
            renamed.former_symbol,
        ]
    )
    header = [
        "symbol",
        "name",
        "type",
        "market_class",
        "shares_outstanding",
        "float_shares",
        "as_of",
        "tracks_index",
        "previous_symbol",
    ]
    return write_csv(directory / "securities.csv", header, rows)


def _members(
    rng: random.Random, directory: Path, companies: list[Company], start: date, end: date
) -> Path:
    rows: list[list[object]] = []
    smaller = companies[500:]
    # Russell reconstitution each June: ~10% of members swap with non-members.
    current = {c.symbol for c in smaller[:2000]}
    pool = [c.symbol for c in smaller]
    since = dict.fromkeys(current, start)
    for year in range(start.year, end.year + 1):
        reconstitution = date(year, 6, 28)
        if not start < reconstitution <= end:
            continue
        leaving = set(rng.sample(sorted(current), k=len(current) // 10))
        joining = (
            set(rng.sample(sorted(set(pool) - current), k=len(leaving)))
            if len(pool) > len(current)
            else set()
        )
        for symbol in leaving:
            rows.append(
                ["R2000", symbol, since.pop(symbol), reconstitution - timedelta(days=1), None]
            )
        current = (current - leaving) | joining
        since.update(dict.fromkeys(joining, reconstitution))
    rows += [["R2000", symbol, started, None, None] for symbol, started in since.items()]
    rows += [["SP500", c.symbol, start, None, None] for c in companies[:500]]
    header = ["index", "symbol", "start_date", "end_date", "weight"]
    rows.sort(key=lambda row: (str(row[0]), str(row[1])))
    return write_csv(directory / "index_members.csv", header, rows)


def _price_paths(
    rng: random.Random, companies: list[Company], days: list[date], settlements: list[date]
) -> None:
    """Daily closes for the largest companies. For the others, closes on the settlement dates and
    the last month (what short value and the squeeze screen use), stepping the same random walk
    from one kept day to the next (volatility scaled by the square root of the days between)."""
    recent = days[-25:]
    sparse = sorted(set(settlements) | set(recent))
    for index, company in enumerate(companies):
        kept = days if index < DAILY_PRICED_STOCKS else sparse
        drift = rng.uniform(-0.0002, 0.0006)
        price, previous = company.price, kept[0]
        for day in kept:
            steps = max(1, len(range(previous.toordinal(), day.toordinal())) * 5 // 7)
            price *= math.exp(rng.gauss(drift * steps, company.volatility * math.sqrt(steps)))
            price = min(max(price, 0.5), 5000.0)
            company.closes[day] = round(price, 2)
            previous = day


def _etf_paths(rng: random.Random, days: list[date]) -> dict[str, dict[date, tuple[float, int]]]:
    """{ETF: {day: (NAV, shares outstanding)}} with creations, redemptions and outflow waves."""
    paths: dict[str, dict[date, tuple[float, int]]] = {}
    for symbol, _, _, price, shares in ETFS:
        path = {}
        nav = price
        outstanding = shares
        for day in days:
            nav = round(nav * math.exp(rng.gauss(0.0003, 0.011)), 2)
            change = rng.gauss(0.0002, 0.006)
            if rng.random() < 0.01:
                change -= rng.uniform(0.02, 0.06)  # a redemption wave
            outstanding = max(int(outstanding * (1 + change)) // 50_000 * 50_000, 1_000_000)
            path[day] = (nav, outstanding)
        paths[symbol] = path
    return paths


def _prices(
    directory: Path, companies: list[Company], etfs: dict[str, dict[date, tuple[float, int]]]
) -> Path:
    def rows() -> Iterator[list[object]]:
        for symbol, path in etfs.items():
            for day, (nav, _) in path.items():
                yield [day.isoformat(), symbol, None, None, None, nav, None]
        for company in companies:
            for day, close in company.closes.items():
                yield [day.isoformat(), company.symbol_on(day), None, None, None, close, None]

    header = ["date", "symbol", "open", "high", "low", "close", "volume"]
    return write_csv(directory / "prices.csv", header, rows())


def _short_interest(
    rng: random.Random,
    directory: Path,
    companies: list[Company],
    etfs: dict[str, dict[date, tuple[float, int]]],
    settlements: list[date],
) -> list[Path]:
    previous: dict[str, int] = {}
    share = {c.symbol: c.short_share for c in companies}
    # One file per settlement date, named as FINRA names it: a bulk file holds one date, and the
    # ingest rejects rows of any other (service/sources/short_interest/format.py).
    files: dict[date, list[tuple[date, ShortInterestRow]]] = {}
    for settlement in settlements:
        rows = files.setdefault(settlement, [])
        for company in companies:
            target = company.short_share
            swing = 0.35 if company.hot else 0.12
            moved = (
                share[company.symbol]
                + 0.3 * (target - share[company.symbol])
                + rng.gauss(0, swing * target)
            )
            share[company.symbol] = min(0.6, max(0.0005, moved))
            # Short interest follows the float (the shares outstanding when no float is known).
            floating = company.shares * (company.float_ratio or 0.8)
            current = int(floating * share[company.symbol])
            thin = company.market_class == "SC" and rng.random() < 0.02  # no trades this cycle
            turnover = rng.uniform(0.003, 0.02) * (0.6 if company.hot else 1)
            adv = 0 if thin else int(floating * turnover)
            symbol = company.symbol_on(settlement)
            rows.append(
                (
                    settlement,
                    _si_row(
                        rng,
                        symbol,
                        company.name,
                        company.market_class,
                        current,
                        previous,
                        adv,
                        company.symbol,
                    ),
                )
            )
        for symbol, name, _, _, _ in ETFS:
            outstanding = etfs[symbol][calendar.trading_day_on_or_before(settlement)][1]
            current = int(outstanding * rng.uniform(0.02, 0.3))
            adv = int(outstanding * rng.uniform(0.02, 0.1))
            rows.append(
                (settlement, _si_row(rng, symbol, name, "ARCA", current, previous, adv, symbol))
            )
    paths = []
    for settlement, rows in sorted(files.items()):
        paths.append(write_finra_bulk_rows(directory / f"shrt{settlement:%Y%m%d}.csv", rows))
    return paths


def _si_row(
    rng: random.Random,
    symbol: str,
    name: str,
    market_class: str,
    current: int,
    previous: dict[str, int],
    adv: int,
    key: str,
) -> ShortInterestRow:
    before = previous.get(key)
    revised = before is not None and rng.random() < 0.004
    if revised and before is not None:
        before = int(before * rng.uniform(0.9, 1.1))  # FINRA revised the previous position
    previous[key] = current
    return ShortInterestRow(
        symbol,
        name,
        market_class,
        current,
        before,
        adv,
        split=rng.random() < 0.001,
        revised=revised,
    )


def _short_volume(
    rng: random.Random,
    directory: Path,
    companies: list[Company],
    etfs: dict[str, dict[date, tuple[float, int]]],
    days: list[date],
    start: date,
) -> Path:
    symbols = [c.symbol for c in companies] + list(etfs)
    ratio = {s: rng.uniform(0.35, 0.55) for s in symbols}
    for company in companies:
        if company.hot:
            ratio[company.symbol] = rng.uniform(0.55, 0.7)

    def rows() -> Iterator[ShortVolumeRow]:
        for day in days:
            if day < start:
                continue
            for symbol in symbols:
                total = int(rng.lognormvariate(12, 1.2))
                short = int(total * min(0.95, max(0.05, rng.gauss(ratio[symbol], 0.06))))
                yield ShortVolumeRow(day, symbol, short, short // 80, total, "B,Q,N")

    first = next(day for day in days if day >= start)
    path = directory / f"CNMSshvol{first:%Y%m%d}.txt"
    write_regsho(path, rows())
    return path


def _flows(directory: Path, etfs: dict[str, dict[date, tuple[float, int]]]) -> Path:
    def rows() -> Iterator[list[object]]:
        for symbol, path in etfs.items():
            for day, (nav, outstanding) in path.items():
                yield [day.isoformat(), symbol, outstanding, nav]

    return write_csv(
        directory / "fund_flows.csv", ["date", "symbol", "shares_outstanding", "nav"], rows()
    )


def _holdings(
    directory: Path,
    companies: list[Company],
    etfs: dict[str, dict[date, tuple[float, int]]],
    as_of: date,
) -> Path:
    members = companies[500:2500]
    total = sum(c.shares * c.price for c in members)
    holdings = [
        Holding(
            c.symbol,
            c.name.upper(),
            round(c.shares * 0.07),
            c.closes.get(as_of, c.price),
            round(c.shares * c.price / total * 100, 2),
        )
        for c in members[:150]
    ]
    holdings.append(
        Holding("XTSLA", "BLK CSH FND TREASURY SL AGENCY", 1e8, 1.0, 0.7, "Money Market")
    )
    shares = etfs["IWM"][calendar.trading_day_on_or_before(as_of)][1]
    return write_ishares_holdings(
        directory / f"IWM_holdings_{as_of:%Y%m%d}.csv",
        "iShares Russell 2000 ETF",
        as_of,
        shares,
        holdings,
    )
