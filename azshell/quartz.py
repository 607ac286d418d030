"""Quartz cron expressions: parsing, next fire times, and reading a user's 5-field cron.

Azkaban schedules with Quartz ``CronExpression``: seconds first, six or seven fields
(``sec min hour day-of-month month day-of-week [year]``), ``?`` in exactly one of the two day
fields, day-of-week 1-7 = SUN-SAT, plus ``L``, ``W``, ``#``. The sandbox refuses what
:func:`parse` refuses (with Quartz's own reasons) and expressions that never fire again; the
client uses :func:`from_user` so people can type the cron they know. Pure, no dependencies.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR = range(7)
FIELD_NAMES = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# Quartz: CronExpression.MAX_YEAR = this year + 100.
MAX_YEAR = _dt.date.today().year + 100
_BOUNDS = {
    SECOND: (0, 59), MINUTE: (0, 59), HOUR: (0, 23), DAY_OF_MONTH: (1, 31),
    MONTH: (1, 12), DAY_OF_WEEK: (1, 7), YEAR: (1970, MAX_YEAR),
}
_RANGE_MESSAGES = {
    SECOND: "Minute and Second values must be between 0 and 59",
    MINUTE: "Minute and Second values must be between 0 and 59",
    HOUR: "Hour values must be between 0 and 23",
    DAY_OF_MONTH: "Day of month values must be between 1 and 31",
    MONTH: "Month values must be between 1 and 12",
    DAY_OF_WEEK: "Day-of-Week values must be between 1 and 7",
}
_MAX_INCREMENT = {SECOND: 59, MINUTE: 59, HOUR: 23, DAY_OF_MONTH: 31, DAY_OF_WEEK: 7, MONTH: 12}
_WRAP = {SECOND: 60, MINUTE: 60, HOUR: 24, MONTH: 12, DAY_OF_WEEK: 7, DAY_OF_MONTH: 31}


class CronError(ValueError):
    """An expression Quartz would not accept; ``reason`` is Quartz's wording where it has one."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"invalid cron expression '{expression}': {reason}")
        self.expression = expression
        self.reason = reason


class _Refused(Exception):
    """Internal: a field piece Quartz refuses (becomes a CronError with the whole expression)."""


@dataclass
class QuartzCron:
    """A parsed Quartz cron expression."""

    expression: str
    seconds: frozenset[int] = field(default_factory=frozenset)
    minutes: frozenset[int] = field(default_factory=frozenset)
    hours: frozenset[int] = field(default_factory=frozenset)
    days_of_month: frozenset[int] = field(default_factory=frozenset)
    months: frozenset[int] = field(default_factory=frozenset)
    days_of_week: frozenset[int] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)
    day_of_month_given: bool = True   # False when day-of-month is '?'
    last_day_of_month: bool = False   # L (with last_day_offset: L-n)
    last_day_offset: int = 0
    nearest_weekday: bool = False     # W (15W, LW)
    last_day_of_week: bool = False    # nL
    nth_day_of_week: int = 0          # n#k

    def next_fire_times(self, after: _dt.datetime, count: int = 1) -> list[_dt.datetime]:
        """The next ``count`` fire times strictly after ``after`` (same tzinfo), maybe fewer."""
        times: list[_dt.datetime] = []
        current = after
        for _ in range(count):
            found = self._next_after(current)
            if found is None:
                break
            times.append(found)
            current = found
        return times

    def _next_after(self, after: _dt.datetime) -> _dt.datetime | None:
        """Quartz works on wall-clock fields in its zone: a wall time that a spring-forward gap
        skips is never a fire time (``setCalendarHour`` lands on the next hour, which must match
        the hours too), and a repeated one resolves as Java's calendar does, to the later instant.
        """
        zone = after.tzinfo
        wall = after.astimezone(zone).replace(tzinfo=None) if zone else after
        while True:
            found = self._next_wall_after(wall)
            if found is None or zone is None:
                return found
            moment = found.replace(tzinfo=zone, fold=1)
            if _exists(moment):
                return moment
            wall = found

    def _next_wall_after(self, after: _dt.datetime) -> _dt.datetime | None:
        start = after.replace(microsecond=0) + _dt.timedelta(seconds=1)
        day = start.date()
        first = True
        while day.year <= MAX_YEAR:
            if day.year not in self.years:
                day = _dt.date(day.year + 1, 1, 1)
                first = False
                continue
            if day.month not in self.months:
                day = _first_of_next_month(day)
                first = False
                continue
            if self._day_matches(day):
                floor = start.time() if first else _dt.time(0, 0, 0)
                moment = self._time_on_or_after(floor)
                if moment is not None:
                    return _dt.datetime.combine(day, moment)
            day += _dt.timedelta(days=1)
            first = False
        return None

    def _time_on_or_after(self, floor: _dt.time) -> _dt.time | None:
        for hour in sorted(h for h in self.hours if h >= floor.hour):
            for minute in sorted(self.minutes):
                if hour == floor.hour and minute < floor.minute:
                    continue
                for second in sorted(self.seconds):
                    if (hour, minute) == (floor.hour, floor.minute) and second < floor.second:
                        continue
                    return _dt.time(hour, minute, second)
        return None

    def _day_matches(self, day: _dt.date) -> bool:
        if self.day_of_month_given:
            return self._day_of_month_matches(day)
        return self._day_of_week_matches(day)

    def _day_of_month_matches(self, day: _dt.date) -> bool:
        last = calendar.monthrange(day.year, day.month)[1]
        if self.last_day_of_month:
            target = last - self.last_day_offset
            if target < 1:
                return False
            if self.nearest_weekday:
                target = _nearest_weekday(day.year, day.month, target)
            return day.day == target
        if self.nearest_weekday:
            wanted = min(self.days_of_month)
            return wanted <= last and day.day == _nearest_weekday(day.year, day.month, wanted)
        return day.day in self.days_of_month

    def _day_of_week_matches(self, day: _dt.date) -> bool:
        last = calendar.monthrange(day.year, day.month)[1]
        weekday = (day.weekday() + 1) % 7 + 1   # Quartz: 1 = Sunday ... 7 = Saturday
        if self.last_day_of_week:
            return weekday == min(self.days_of_week) and day.day + 7 > last
        if self.nth_day_of_week:
            return (weekday == min(self.days_of_week)
                    and (day.day - 1) // 7 + 1 == self.nth_day_of_week)
        return weekday in self.days_of_week


def _exists(moment: _dt.datetime) -> bool:
    """False for a wall time inside a spring-forward gap (it does not survive a round trip)."""
    back = moment.astimezone(_dt.timezone.utc).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def local_zone_id() -> str:
    """Java's default zone id (``TimeZone.getDefault()``): ``TZ``, then ``/etc/timezone``, then
    the ``/etc/localtime`` link; "" when none says."""
    zone = os.environ.get("TZ", "").lstrip(":")
    if zone:
        return zone
    try:
        text = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if text:
        return text
    target = os.path.realpath("/etc/localtime")
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""


def local_zone() -> _dt.tzinfo:
    """The machine's time zone with its rules, so that times in the other daylight-saving
    period get their own offset; a fixed offset only when no rules can be found."""
    try:
        return ZoneInfo(local_zone_id())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass  # a POSIX TZ rule, or no zone database: today's offset is the best left
    return _dt.datetime.now().astimezone().tzinfo or _dt.timezone.utc


def _first_of_next_month(day: _dt.date) -> _dt.date:
    if day.month == 12:
        return _dt.date(day.year + 1, 1, 1)
    return _dt.date(day.year, day.month + 1, 1)


def _nearest_weekday(year: int, month: int, wanted: int) -> int:
    """``W``: the weekday nearest to day ``wanted`` without leaving the month."""
    last = calendar.monthrange(year, month)[1]
    weekday = _dt.date(year, month, wanted).weekday()
    if weekday == 5:   # Saturday -> Friday, or Monday when the 1st
        return wanted + 2 if wanted == 1 else wanted - 1
    if weekday == 6:   # Sunday -> Monday, or Friday when the last day
        return wanted - 2 if wanted == last else wanted + 1
    return wanted


# -- parsing ------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")


class _Builder:
    def __init__(self) -> None:
        self.sets: list[set[int]] = [set() for _ in range(7)]
        self.no_spec = [False] * 7
        self.flags: dict[str, int | bool] = {}

    def add(self, kind: int, start: int, end: int | None, step: int | None) -> None:
        """``addToSet``: a value, a range (wrapping past the maximum) or a stepped range."""
        low, high = _BOUNDS[kind]
        if kind in _RANGE_MESSAGES and (
            not low <= start <= high or (end is not None and end > high)
            or (kind == DAY_OF_WEEK and end == 0)
        ):
            raise _Refused(_RANGE_MESSAGES[kind])
        if end is None and step is None:
            self.sets[kind].add(start)
            return
        if step == 0:   # Quartz's addToSet: no increment, the start alone
            self.sets[kind].add(start)
            return
        stop = high if end is None else end
        step = step or 1
        wrap = 0
        if stop < start:
            if kind == YEAR:
                raise _Refused("Start year must be less than stop year")
            wrap = _WRAP[kind]
            stop += wrap
        for raw in range(start, stop + 1, step):
            value = raw % wrap if wrap else raw
            if wrap and value == 0 and kind in (MONTH, DAY_OF_WEEK, DAY_OF_MONTH):
                value = wrap
            self.sets[kind].add(value)

    def add_all(self, kind: int, step: int) -> None:
        low, high = _BOUNDS[kind]
        self.sets[kind].update(range(low, high + 1, step))


def _check_step(kind: int, step: int) -> None:
    """``checkIncrementRange`` (only for ``*/n`` and ``n/m``: Quartz does not check a range's)."""
    limit = _MAX_INCREMENT.get(kind)
    if limit is not None and step > limit:
        raise _Refused(f"Increment > {limit + 1 if kind in (SECOND, MINUTE, HOUR) else limit} : "
                       f"{step}")


def _name_value(kind: int, token: str) -> int | None:
    if kind == MONTH and token in MONTHS:
        return MONTHS.index(token) + 1
    if kind == DAY_OF_WEEK and token in DAYS:
        return DAYS.index(token) + 1
    return None


def _name(kind: int, text: str, pos: int) -> int:
    """The three letters at ``pos`` as a month or day (Quartz reads no more: MONDAY is MON)."""
    word = text[pos:pos + 3]
    if len(word) < 3:   # Quartz: StringIndexOutOfBoundsException
        raise _Refused(f"Illegal cron expression format (a name needs three letters: '{text}')")
    value = _name_value(kind, word)
    if value is None:
        what = "Month" if kind == MONTH else "Day-of-Week"
        raise _Refused(f"Invalid {what} value: '{word}'")
    return value


def _number(text: str, pos: int) -> tuple[int, int]:
    """A number starting at ``pos``; anything else (a name in ``2-FRI``) is Quartz's
    NumberFormatException."""
    match = _NUMBER.match(text, pos)
    if match:
        return _java_int(match.group(), text), match.end()
    if pos >= len(text):
        raise _Refused("Unexpected end of expression.")
    raise _Refused(f"Illegal cron expression format (not a number: '{text[pos:]}' in '{text}')")


def _java_int(digits: str, text: str) -> int:
    """Quartz reads numbers with ``Integer.parseInt``: beyond a Java int it is a
    NumberFormatException."""
    if len(digits) > 10 or int(digits) > 2**31 - 1:
        raise _Refused(f"Illegal cron expression format (number too large: '{digits}' in "
                       f"'{text}')")
    return int(digits)


def _step(kind: int, text: str, pos: int, *, checked: bool = True) -> tuple[int, int]:
    match = _NUMBER.match(text, pos)
    if not match:
        raise _Refused("'/' must be followed by an integer.")
    step = _java_int(match.group(), text)
    if checked:
        _check_step(kind, step)
    return step, match.end()


def _is_last_form(text: str) -> bool:
    """``L``, ``LW``, ``L-n``, ``L-nW``: Quartz's own branch; any other word is a name."""
    return text in ("L", "LW") or re.fullmatch(r"L-\d*W?", text) is not None


def _piece(builder: _Builder, kind: int, text: str) -> None:
    """One comma-separated piece of a field (``storeExpressionVals``)."""
    if text[0].isalpha() and not _is_last_form(text):
        _named_piece(builder, kind, text)
        return
    if text == "?":
        if kind not in (DAY_OF_MONTH, DAY_OF_WEEK):
            raise _Refused("'?' can only be specified for Day-of-Month or Day-of-Week.")
        builder.no_spec[kind] = True
        return
    if text.startswith("?"):
        raise _Refused(f"Illegal character after '?': {text[1]}")
    if text[0] in "*/":
        pos = 1 if text[0] == "*" else 0
        step = 1
        if pos < len(text):
            if text[pos] != "/":
                raise _Refused(f"Unexpected character: {text[pos]}")
            step, pos = _step(kind, text, pos + 1)
        _expect_end(text, pos)
        builder.add_all(kind, step or 1)   # Quartz: */0 is every value
        return
    if text[0] == "L":
        _last_piece(builder, kind, text)
        return
    start, pos = _number(text, 0)
    if pos == len(text):
        builder.add(kind, start, None, None)
        return
    _suffix(builder, kind, text, start, pos)


def _named_piece(builder: _Builder, kind: int, text: str) -> None:
    """``MON``, ``MON-FRI``, ``JAN-MAR``, ``FRI#3``, ``FRIL``: Quartz reads a name, then ``-`` and
    a second name, ``#n`` or ``L``, and ignores the rest, so ``MON/2`` is MON, ``MON-FRI/2`` is
    MON-FRI and ``JAN/3`` is January."""
    if kind not in (MONTH, DAY_OF_WEEK):
        raise _Refused(f"Illegal characters for this position: '{text[:3]}'")
    start = _name(kind, text, 0)
    mark = text[3:4]
    if mark == "-":
        builder.add(kind, start, _name(kind, text, 4), 1)
        return
    if kind == DAY_OF_WEEK and mark == "#":
        nth = text[4:]
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise _Refused("A numeric value between 1 and 5 must follow the '#' option")
        builder.flags["nth_day_of_week"] = int(nth)
    elif kind == DAY_OF_WEEK and mark == "L":
        builder.flags["last_day_of_week"] = True
    builder.add(kind, start, None, None)


def _last_piece(builder: _Builder, kind: int, text: str) -> None:
    """``L``, ``L-3``, ``LW`` (day-of-month) or ``L`` = Saturday (day-of-week, where Quartz
    ignores what follows the ``L``)."""
    if kind == DAY_OF_WEEK:
        builder.add(kind, 7, None, None)
        return
    if kind != DAY_OF_MONTH:
        raise _Refused("'L' option is not valid here. (pos=0)")
    builder.flags["last_day_of_month"] = True
    pos = 1
    if text.startswith("L-"):
        offset, pos = _number(text, 2)
        if offset > 30:
            raise _Refused("Offset from last day must be <= 30")
        builder.flags["last_day_offset"] = offset
    if text[pos:pos + 1] == "W":
        builder.flags["nearest_weekday"] = True
        pos += 1
    _expect_end(text, pos)


def _suffix(builder: _Builder, kind: int, text: str, start: int, pos: int) -> None:
    """What follows a first number: ``-end[/step]``, ``/step``, ``L``, ``W`` or ``#n``. A step
    of 0 keeps only the start (``0/0`` is 0), as Quartz's ``addToSet`` does."""
    mark = text[pos]
    if mark in "LW#":
        _special_suffix(builder, kind, text, start, pos)
        return
    if mark == "-":
        end, pos = _number(text, pos + 1)
        step = 1
        if pos < len(text) and text[pos] == "/":
            step, pos = _step(kind, text, pos + 1, checked=False)
        _expect_end(text, pos)
        builder.add(kind, start, end, step)
        return
    if mark != "/":
        raise _Refused(f"Unexpected character: {mark}")
    step, pos = _step(kind, text, pos + 1)
    _expect_end(text, pos)
    builder.add(kind, start, None, step)


def _special_suffix(builder: _Builder, kind: int, text: str, start: int, pos: int) -> None:
    """``5L`` (last Thursday), ``15W`` (nearest weekday), ``6#3`` (third Friday)."""
    mark = text[pos]
    allowed = {"L": DAY_OF_WEEK, "W": DAY_OF_MONTH, "#": DAY_OF_WEEK}[mark]
    if kind != allowed:
        raise _Refused(f"'{mark}' option is not valid here. (pos={pos})")
    if mark == "W":
        if start > 31:
            raise _Refused("The 'W' option does not make sense with values larger than 31 "
                           "(max number of days in a month)")
        builder.add(kind, start, None, None)
        builder.flags["nearest_weekday"] = True
        _expect_end(text, pos + 1)
        return
    if mark == "#":
        nth = text[pos + 1:]
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise _Refused("A numeric value between 1 and 5 must follow the '#' option")
        builder.flags["nth_day_of_week"] = int(nth)
    else:
        builder.flags["last_day_of_week"] = True
        _expect_end(text, pos + 1)
    if not 1 <= start <= 7:
        raise _Refused(_RANGE_MESSAGES[DAY_OF_WEEK])
    builder.sets[kind].add(start)


def _expect_end(text: str, pos: int) -> None:
    if pos < len(text):
        raise _Refused(f"Unexpected character: {text[pos]}")


def _field(builder: _Builder, kind: int, text: str) -> None:
    if kind == DAY_OF_MONTH and "L" in text and len(text) > 1 and "," in text:
        raise _Refused(
            "Support for specifying 'L' and 'LW' with other days of the month is not implemented"
        )
    if kind == DAY_OF_WEEK and "L" in text and len(text) > 1 and "," in text:
        raise _Refused("Support for specifying 'L' with other days of the week is not implemented")
    if kind == DAY_OF_WEEK and text.count("#") > 1:
        raise _Refused('Support for specifying multiple "nth" days is not implemented.')
    pieces = [p for p in text.split(",") if p]
    if not pieces:
        raise _Refused("Unexpected end of expression.")
    for piece in pieces:
        _piece(builder, kind, piece)


def parse(expr: str) -> QuartzCron:
    """Parse a Quartz expression; raise :class:`CronError` with Quartz's reason if refused."""
    fields = expr.upper().split()[:7]   # Quartz (2.2) stops reading after the year
    if len(fields) < 6:
        raise CronError(expr, "Unexpected end of expression.")
    builder = _Builder()
    try:
        for kind, text in enumerate(fields):
            _field(builder, kind, text)
    except _Refused as exc:
        raise CronError(expr, f"{exc} ({FIELD_NAMES[kind]} field)") from None
    if len(fields) == 6:
        builder.add_all(YEAR, 1)
    dom_given = not builder.no_spec[DAY_OF_MONTH]
    dow_given = not builder.no_spec[DAY_OF_WEEK]
    if builder.no_spec[DAY_OF_MONTH] and builder.no_spec[DAY_OF_WEEK]:
        raise CronError(expr, "'?' can only be specified for Day-of-Month -OR- Day-of-Week.")
    if dom_given and dow_given:
        raise CronError(
            expr,
            "Support for specifying both a day-of-week AND a day-of-month parameter is not "
            "implemented. (put '?' in one of them)",
        )
    sets = [frozenset(s) for s in builder.sets]
    return QuartzCron(
        expression=" ".join(expr.split()),
        seconds=sets[SECOND], minutes=sets[MINUTE], hours=sets[HOUR],
        days_of_month=sets[DAY_OF_MONTH], months=sets[MONTH],
        days_of_week=sets[DAY_OF_WEEK], years=sets[YEAR],
        day_of_month_given=dom_given,
        last_day_of_month=bool(builder.flags.get("last_day_of_month", False)),
        last_day_offset=int(builder.flags.get("last_day_offset", 0)),
        nearest_weekday=bool(builder.flags.get("nearest_weekday", False)),
        last_day_of_week=bool(builder.flags.get("last_day_of_week", False)),
        nth_day_of_week=int(builder.flags.get("nth_day_of_week", 0)),
    )


def has_future_fire_time(expr: str, now: _dt.datetime | None = None) -> bool:
    """True when the expression parses and fires at least once after ``now``."""
    cron = parse(expr)
    return bool(cron.next_fire_times(now or _dt.datetime.now(local_zone()), 1))


# -- what users type ----------------------------------------------------------------------

_SHORTCUTS = {
    "@yearly": "0 0 0 1 1 ?", "@annually": "0 0 0 1 1 ?", "@monthly": "0 0 0 1 * ?",
    "@weekly": "0 0 0 ? * SUN", "@daily": "0 0 0 * * ?", "@midnight": "0 0 0 * * ?",
    "@hourly": "0 0 * * * ?",
}


def _unix_day_of_week(text: str) -> str:
    """Unix day-of-week numbers (0 or 7 = Sunday) to Quartz's (1 = Sunday); names unchanged.

    A range keeps its days: ``1-7`` becomes ``2-1`` (Quartz wraps past Saturday), and ``0-7``,
    every day, becomes ``1-7`` rather than ``1-1``.
    """
    def convert(value: int) -> int:
        return 1 if value == 7 else value + 1

    def piece(match: re.Match[str]) -> str:
        start, end = int(match.group(1)), match.group(2)
        if end is None:
            return str(convert(start)) if start <= 7 else match.group(1)
        if start == 0 and int(end) == 7:
            return "1-7"
        if start > 7 or int(end) > 7:
            return match.group()
        return f"{convert(start)}-{convert(int(end))}"

    return re.sub(r"(?<![/#\d-])(\d+)(?:-(\d+))?", piece, text)


def from_user(expr: str) -> tuple[str, str]:
    """Read a 5-field unix cron, an ``@daily``-style shortcut, or a 6/7-field Quartz expression.

    Returns ``(quartz_expression, note)``; the note says how the input was read. A unix cron
    gets ``0`` seconds, and its day fields the ``?`` Quartz requires; 5 fields with a ``?`` are
    Quartz without seconds (days numbered from Sunday = 1). Raises :class:`CronError`.
    """
    text = " ".join(expr.split())
    if not text:
        raise CronError(expr, "the expression is empty")
    shortcut = _SHORTCUTS.get(text.lower())
    if shortcut:
        return shortcut, f"read {text} as Quartz '{shortcut}' (seconds first)"
    fields = text.split(" ")
    if len(fields) >= 6:
        parse(text)
        ignored = f"; Quartz ignores '{' '.join(fields[7:])}' after the year" if fields[7:] else ""
        return text, f"read as Quartz '{text}' (seconds first{ignored})"
    if len(fields) != 5:
        raise CronError(
            expr, f"{len(fields)} fields: give 5 (unix cron) or 6-7 (Quartz, seconds first)"
        )
    if "?" in text:   # Quartz-only syntax: Azkaban's UI prepends "0 " to such a cron (§7.1)
        quartz = f"0 {text}"
        try:
            parse(quartz)
        except CronError as exc:
            raise CronError(expr, f"{exc.reason} (read as Quartz '{quartz}')") from None
        return quartz, (f"read as Quartz without seconds (it has '?'), as Azkaban's page does: "
                        f"'{quartz}'")
    minute, hour, dom, month, dow = fields
    dom_any, dow_any = dom in ("*", "?"), dow in ("*", "?")
    if dom_any and dow_any:
        dom, dow = "*", "?"
    elif dow_any:
        dow = "?"
    elif dom_any:
        dom, dow = "?", _unix_day_of_week(dow)
    else:
        raise CronError(
            expr,
            "Quartz cannot restrict both the day of month and the day of week; "
            "put '*' in one of them",
        )
    quartz = f"0 {minute} {hour} {dom} {month} {dow}"
    try:
        parse(quartz)
    except CronError as exc:
        raise CronError(expr, f"{exc.reason} (read as Quartz '{quartz}')") from None
    return quartz, f"read as Quartz '{quartz}' (seconds first)"


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _listed(values: frozenset[int], names: tuple[str, ...] = (), first: int = 1) -> str:
    """``MON-FRI``, ``SUN,TUE,THU``, ``1,15``: runs of three or more as ranges."""
    def name(value: int) -> str:
        return names[value - first] if names else str(value)

    runs: list[list[int]] = []
    for value in sorted(values):
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    parts = [f"{name(run[0])}-{name(run[-1])}" if len(run) >= 3 else ",".join(map(name, run))
             for run in runs]
    return ",".join(parts)


def _step_of(values: frozenset[int]) -> int:
    """The step when the values are a progression of more than two, else 0."""
    ordered = sorted(values)
    if len(ordered) < 3:
        return 0
    step = ordered[1] - ordered[0]
    if any(b - a != step for a, b in itertools.pairwise(ordered)):
        return 0
    return step


def _counted(values: frozenset[int], unit: str, low: int, high: int) -> str:
    """``every 5 minutes``, ``every 15 minutes from :05``, ``at minutes 0,20``."""
    ordered = sorted(values)
    step = ordered[1] - ordered[0] if len(ordered) > 1 else 0
    if len(values) == high - low + 1:
        return f"every {unit}"
    if step > 1 and ordered == list(range(ordered[0], high + 1, step)):
        start = min(values)
        return f"every {step} {unit}s" + (f" from {unit} {start}" if start != low else "")
    return f"at {unit}s {_listed(values)}"


def _describe_time(cron: QuartzCron) -> str:
    seconds, minutes, hours = cron.seconds, cron.minutes, cron.hours
    if len(seconds) == len(minutes) == len(hours) == 1:
        (sec,), (minute,), (hour,) = seconds, minutes, hours
        return f"at {hour:02d}:{minute:02d}" + (f":{sec:02d}" if sec else "")
    if seconds == {0}:
        return _describe_minutes(minutes, hours)
    text = _counted(seconds, "second", 0, 59)
    if len(minutes) == len(hours) == 1:
        return f"{text} during {min(hours):02d}:{min(minutes):02d}"
    if len(minutes) < 60:
        text += f" during minutes {_listed(minutes)}"
    if len(hours) < 24:
        text += f" {'of' if len(minutes) < 60 else 'during'} hours {_listed(hours)}"
    return text


def _describe_minutes(minutes: frozenset[int], hours: frozenset[int]) -> str:  # noqa: PLR0911
    """Times on the minute: a few listed, else a step or a list, within the hours."""
    every_hour = len(hours) == 24
    if len(minutes) == 1:
        (minute,) = minutes
        by_hours = _counted(hours, "hour", 0, 23)
        if every_hour:
            return f"at minute {minute} of every hour"
        if by_hours.startswith("every"):
            return by_hours + (f", at :{minute:02d}" if minute else "")
    if len(minutes) * len(hours) <= 4:
        return "at " + ", ".join(f"{h:02d}:{m:02d}" for h in sorted(hours) for m in sorted(minutes))
    if len(minutes) == 1:
        return f"at :{min(minutes):02d} past hours {_listed(hours)}"
    text = _counted(minutes, "minute", 0, 59)
    if every_hour:
        return text if text.startswith("every") else f"{text} of every hour"
    if len(hours) > 1 and len(hours) == max(hours) - min(hours) + 1:
        text = text.split(" from minute ")[0]
        return (f"{text} from {min(hours):02d}:{min(minutes):02d} "
                f"to {max(hours):02d}:{max(minutes):02d}")
    return f"{text} during hours {_listed(hours)}"


def _describe_days(cron: QuartzCron) -> str:  # noqa: PLR0911 - one case each
    if not cron.day_of_month_given:
        days = cron.days_of_week
        if cron.nth_day_of_week:   # Quartz uses the first day listed with '#'
            return (f"on the {_ordinal(cron.nth_day_of_week)} {DAYS[min(days) - 1]} "
                    "of the month")
        if cron.last_day_of_week:
            return f"on the last {DAYS[min(days) - 1]} of the month"
        return "every day" if len(days) == 7 else f"on {_listed(days, DAYS)}"
    if cron.last_day_of_month:
        offset = cron.last_day_offset
        target = {0: "the last day", 1: "the day before the last day"}.get(
            offset, f"the day {offset} days before the last day")
        if cron.nearest_weekday:
            return ("on the last weekday of the month" if not offset
                    else f"on the weekday nearest {target} of the month")
        return f"on {target} of the month"
    days = cron.days_of_month
    if cron.nearest_weekday:
        return f"on the weekday nearest day {min(days)} of the month"
    if len(days) == 31:
        return "every day"
    step = _step_of(days)
    if step > 1 and len(days) > 4:
        return (f"every {_ordinal(step)} day of the month from day {min(days)} "
                f"to day {max(days)}")
    return f"on day{'s' if len(days) > 1 else ''} {_listed(days)} of the month"


def _describe_years(years: frozenset[int]) -> str:
    step = _step_of(years)
    if step > 1 and len(years) > 4:
        return f"every {_ordinal(step)} year from {min(years)}"
    if len(years) > 1 and len(years) == max(years) - min(years) + 1:
        return f"from {min(years)} to {max(years)}"
    return f"in {_listed(years)}"


def describe(expr: str) -> str:
    """A short English reading of a Quartz expression, e.g. ``at 02:30 on MON-FRI``: made from
    the values Quartz would fire on, so that a step, ``L``, ``W`` or ``#`` reads as it fires."""
    try:
        cron = parse(expr)
    except CronError as exc:
        return f"invalid: {exc.reason}"
    time = _describe_time(cron)
    days = _describe_days(cron)
    parts = [time] if days == "every day" and "every" in time else [time, days]
    if len(cron.months) < 12:
        parts.append(f"in {_listed(cron.months, MONTHS)}")
    if len(expr.split()) >= 7 and expr.split()[6] != "*":
        parts.append(_describe_years(cron.years))
    return " ".join(parts)
