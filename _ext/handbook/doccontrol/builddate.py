"""The build date: the one clock the handbook reads.

Builds are reproducible, so the date comes from ``handbook_build_date`` (a
setting tests use), else ``SOURCE_DATE_EPOCH``, else today's UTC date.
"""

from __future__ import annotations

import datetime as dt
import os


def build_date(setting: str | dt.date | None = None, environ=os.environ) -> dt.date:
    """Return the date a build should treat as "today"."""
    if isinstance(setting, dt.date):
        return setting
    if setting:
        return dt.date.fromisoformat(setting)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(tz=dt.timezone.utc).date()
