"""The time zone of the times the shell shows: the local one unless ``--tz``/``set tz`` says.

Every time the shell prints goes through ``time.localtime`` (render.py, follow_view.py), so
choosing a zone is setting ``TZ`` for this process and calling ``tzset``: one place, and the
renderers stay pure. ``local`` restores the zone the process started with.
"""

from __future__ import annotations

import os
import time

from azshell.errors import UsageError

_STARTED_WITH = os.environ.get("TZ")


def check_zone(name: str, where: str = "tz") -> str:
    """``local``, ``UTC`` or an IANA zone name (``Europe/Paris``) this machine knows."""
    name = name.strip()
    if name.lower() in ("local", "utc"):
        return name.lower() if name.lower() == "local" else "UTC"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{where}: unknown time zone {name!r} (try UTC, local or an IANA "
                         "name such as Europe/Paris)") from None
    return name


def apply_zone(name: str) -> None:
    """Show times in ``name`` from now on (the process's TZ)."""
    if name == "local":
        if _STARTED_WITH is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = _STARTED_WITH
    else:
        os.environ["TZ"] = "UTC0" if name == "UTC" else name
    if hasattr(time, "tzset"):
        time.tzset()
