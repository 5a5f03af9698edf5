"""When `shortflow sync` runs to keep the data current, derived from the sources themselves.

Each sync source declares `schedule`: a cron expression in US Eastern time (the publishers'
clock: FINRA posts Reg SHO files by 6 pm ET, short interest on its publication days after the
close). Sources with the same expression run together, in registry order, as one job: that is
what `shortflow schedule` prints, what `shortflow schedule --run` (the compose service) waits
for, and what the Kubernetes CronJobs in deploy/k8s/sync-cronjobs.yaml hold (a test checks that
the manifests match). A job that fires on a day a source publishes nothing costs no request: the
sync asks only for files its calendar says are out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from service.sync.plan import SyncSource

TIMEZONE = "America/New_York"

DAILY_MORNING = "0 7 * * *"
"""Every day at 7 am ET, for sources that publish once a day or less and at no fixed hour
(security master, SEC filings, issuers' fund files, CFTC's Friday release)."""
EASTERN = ZoneInfo(TIMEZONE)


@dataclass(frozen=True)
class Job:
    """The sources that share one schedule."""

    schedule: str
    sources: tuple[str, ...]

    @property
    def name(self) -> str:
        """A stable name for the job's CronJob (`shortflow-sync-<first source>`)."""
        return f"shortflow-sync-{self.sources[0]}"

    def next_run(self, after: datetime) -> datetime:
        """The first firing strictly after `after` (aware), in Eastern time."""
        return croniter(self.schedule, after.astimezone(EASTERN)).get_next(datetime)

    @property
    def args(self) -> list[str]:
        """The `shortflow` arguments the job runs."""
        out = ["sync"]
        for name in self.sources:
            out += ["--source", name]
        return out


def jobs(sources: Sequence[SyncSource]) -> tuple[Job, ...]:
    """Sources grouped by schedule, each group in registry order (an earlier source's files are
    stored before a later one plans: prices follow short interest)."""
    grouped: dict[str, list[str]] = {}
    for source in sources:
        if not croniter.is_valid(source.schedule):
            raise ValueError(f"sync source {source.name}: invalid cron {source.schedule!r}")
        grouped.setdefault(source.schedule, []).append(source.name)
    return tuple(Job(schedule, tuple(names)) for schedule, names in grouped.items())


def due(all_jobs: Sequence[Job], now: datetime) -> tuple[datetime, tuple[Job, ...]]:
    """The next firing time after `now` and the jobs that fire then."""
    times = {job: job.next_run(now) for job in all_jobs}
    first = min(times.values())
    return first, tuple(job for job, at in times.items() if at == first)
