"""Quartz cron expressions: what parses, what fires when, and how user input is read."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from azshell.quartz import CronError, describe, from_user, has_future_fire_time, parse

T0 = datetime(2024, 1, 31, 10, 0, 0)   # a Wednesday


def fires(expr: str, count: int = 3, after: datetime = T0) -> list[str]:
    return [t.isoformat(sep=" ") for t in parse(expr).next_fire_times(after, count)]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("0 30 2 ? * MON-FRI", ["2024-02-01 02:30:00", "2024-02-02 02:30:00",
                                "2024-02-05 02:30:00"]),
        ("0 0 12 * * ?", ["2024-01-31 12:00:00", "2024-02-01 12:00:00", "2024-02-02 12:00:00"]),
        ("0 0/15 * * * ?", ["2024-01-31 10:15:00", "2024-01-31 10:30:00",
                            "2024-01-31 10:45:00"]),
        ("*/20 * * * * ?", ["2024-01-31 10:00:20", "2024-01-31 10:00:40",
                            "2024-01-31 10:01:00"]),
        ("0 0 0 L * ?", ["2024-02-29 00:00:00", "2024-03-31 00:00:00", "2024-04-30 00:00:00"]),
        ("0 0 0 LW * ?", ["2024-02-29 00:00:00", "2024-03-29 00:00:00", "2024-04-30 00:00:00"]),
        ("0 0 0 L-2 * ?", ["2024-02-27 00:00:00", "2024-03-29 00:00:00", "2024-04-28 00:00:00"]),
        ("0 0 0 15W * ?", ["2024-02-15 00:00:00", "2024-03-15 00:00:00", "2024-04-15 00:00:00"]),
        ("0 0 0 1W * ?", ["2024-02-01 00:00:00", "2024-03-01 00:00:00", "2024-04-01 00:00:00"]),
        ("0 0 0 ? * 6#3", ["2024-02-16 00:00:00", "2024-03-15 00:00:00", "2024-04-19 00:00:00"]),
        ("0 0 0 ? * 5L", ["2024-02-29 00:00:00", "2024-03-28 00:00:00", "2024-04-25 00:00:00"]),
        ("0 0 0 ? * L", ["2024-02-03 00:00:00", "2024-02-10 00:00:00", "2024-02-17 00:00:00"]),
        ("0 0 22-2 * * ?", ["2024-01-31 22:00:00", "2024-01-31 23:00:00",
                            "2024-02-01 00:00:00"]),
        ("0 0 0 ? * FRI-MON", ["2024-02-02 00:00:00", "2024-02-03 00:00:00",
                               "2024-02-04 00:00:00"]),
        ("0 0 0 ? JAN-MAR/2 SUN", ["2024-02-04 00:00:00", "2024-02-11 00:00:00",
                                   "2024-02-18 00:00:00"]),   # Quartz ignores the /2
        ("0 0 0 ? 1-3/2 SUN", ["2024-03-03 00:00:00", "2024-03-10 00:00:00",
                               "2024-03-17 00:00:00"]),
        ("0 0 9 1,15 * ? 2024", ["2024-02-01 09:00:00", "2024-02-15 09:00:00",
                                 "2024-03-01 09:00:00"]),
        ("0 0 10 * * ?", ["2024-02-01 10:00:00", "2024-02-02 10:00:00", "2024-02-03 10:00:00"]),
        ("0 0 0 29 2 ?", ["2024-02-29 00:00:00", "2028-02-29 00:00:00", "2032-02-29 00:00:00"]),
        ("  0  0  1 ? * sun ", ["2024-02-04 01:00:00", "2024-02-11 01:00:00",
                                "2024-02-18 01:00:00"]),
    ],
)
def test_next_fire_times(expr, expected):
    assert fires(expr) == expected


def test_fire_times_are_strictly_after_and_keep_tzinfo():
    tz = timezone(timedelta(hours=2))
    after = datetime(2024, 1, 31, 12, 0, 0, 500, tzinfo=tz)
    result = parse("0 0 12 * * ?").next_fire_times(after, 1)
    assert result == [datetime(2024, 2, 1, 12, 0, 0, tzinfo=tz)]


def test_explicit_years_past_max_year_never_fire_as_in_quartz():
    """Quartz parses any explicit year, but getTimeAfter gives up past MAX_YEAR (this year + 100),
    so Azkaban refuses such a schedule as never firing."""
    year = datetime.now().year
    assert has_future_fire_time(f"0 0 0 1 1 ? {year + 99}")
    assert not has_future_fire_time(f"0 0 0 1 1 ? {year + 101}")


def test_a_time_only_in_a_spring_forward_gap_never_fires(monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        year = datetime.now().year + 1
        assert not has_future_fire_time(f"0 30 2 ? 3 1#2 {year}")
        assert has_future_fire_time(f"0 30 3 ? 3 1#2 {year}")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_no_future_fire_time():
    assert fires("0 0 0 1 1 ? 2023") == []
    assert fires("0 0 0 30 2 ?") == []
    assert not has_future_fire_time("0 0 0 1 1 ? 2000")
    assert has_future_fire_time("0 0 0 * * ?")


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("0 0 * * *", "Unexpected end of expression."),
        ("0 0 0 * * *", "Support for specifying both a day-of-week AND a day-of-month"),
        ("0 0 0 1 * MON", "Support for specifying both a day-of-week AND a day-of-month"),
        ("0 0 0 ? * ?", "'?' can only be specified for Day-of-Month -OR- Day-of-Week."),
        ("? 0 0 * * ?", "'?' can only be specified for Day-of-Month or Day-of-Week."),
        ("60 0 0 * * ?", "Minute and Second values must be between 0 and 59"),
        ("0 61 0 * * ?", "Minute and Second values must be between 0 and 59"),
        ("0 0 24 * * ?", "Hour values must be between 0 and 23"),
        ("0 0 0 32 * ?", "Day of month values must be between 1 and 31"),
        ("0 0 0 * 13 ?", "Month values must be between 1 and 12"),
        ("0 0 0 ? * 8", "Day-of-Week values must be between 1 and 7"),
        ("0 0 0 ? * 0", "Day-of-Week values must be between 1 and 7"),
        ("0 0 0 ? * MON#6", "A numeric value between 1 and 5 must follow the '#' option"),
        ("0 0 0 ? * MON#1,FRI#2", 'Support for specifying multiple "nth" days'),
        ("0 0 0 ? * XYZ", "Invalid Day-of-Week value: 'XYZ'"),
        ("0 0 0 * FOO ?", "Invalid Month value: 'FOO'"),
        ("0 0 0 L,5 * ?", "Support for specifying 'L' and 'LW' with other days of the month"),
        ("0 0 0 ? * 1L,2", "Support for specifying 'L' with other days of the week"),
        ("0 0 0 */32 * ?", "Increment > 31 : 32"),
        ("0 */61 0 * * ?", "Increment > 60 : 61"),
        ("0 0 0 5X * ?", "Unexpected character: X"),
        ("0 0 0 5L * ?", "'L' option is not valid here."),
        ("0 0 0 ? * 5W", "'W' option is not valid here."),
        ("0 0 0 L-31 * ?", "Offset from last day must be <= 30"),
        ("0 0 MON * * ?", "Illegal characters for this position: 'MON'"),
        ("0 0 L * * ?", "'L' option is not valid here. (pos=0) (hours field)"),
        ("0 0 0 ? * 2-FRI", "Illegal cron expression format"),
        ("0 0 0 ? * MON-5", "Illegal cron expression format"),
        ("0 0 0 ? * MON-567", "Invalid Day-of-Week value: '567'"),
        ("0 0 0 ? 1-MAR *", "Illegal cron expression format"),
        ("0 0 0 ? * MO", "Illegal cron expression format"),
        ("0 0 0 * * ? 2030-2020", "Start year must be less than stop year"),
        ("", "Unexpected end of expression."),
    ],
)
def test_invalid_expressions(expr, reason):
    if "(pos=" in reason:
        assert "field)" not in reason.replace("(hours field)", "")
    with pytest.raises(CronError) as info:
        parse(expr)
    assert reason in info.value.reason
    assert f"'{expr}'" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("expr", "same_as"),
    [
        # Quartz reads three letters and ignores what follows a name (or NAME-NAME) in a piece
        ("0 0 0 ? * MON/2", "0 0 0 ? * MON"),
        ("0 0 0 ? * MON-FRI/2", "0 0 0 ? * MON-FRI"),
        ("0 0 0 ? JAN/3 *", "0 0 0 ? JAN *"),
        ("0 0 0 ? * MONDAY", "0 0 0 ? * MON"),
        ("0 0 0 ? JANUARY-MARCH *", "0 0 0 ? JAN *"),   # 'U' follows JAN: the rest is ignored
        ("0 0 0 ? JAN-MARCH *", "0 0 0 ? JAN-MAR *"),
        ("0 0 0 ? * FRIDAY#2", "0 0 0 ? * FRI"),
        ("0 0 0 ? * FRI#2", "0 0 0 ? * 6#2"),
        ("0 0 0 ? * LW", "0 0 0 ? * SAT"),
        ("0 0 0 ? * L-3", "0 0 0 ? * SAT"),
        # a step of 0: every value after '*', the start alone after a number or range
        ("*/0 0 0 * * ?", "* 0 0 * * ?"),
        ("0/0 0 0 * * ?", "0 0 0 * * ?"),
        ("0 0 9-17/0 * * ?", "0 0 9 * * ?"),
        ("0 0 9-17/30 * * ?", "0 0 9 * * ?"),   # a range's step is not range-checked
        ("0 0 0 * * ? 2030 X Y", "0 0 0 * * ? 2030"),   # Quartz 2.2 stops after the year
    ],
)
def test_what_quartz_accepts_loosely(expr, same_as):
    assert fires(expr, 5) == fires(same_as, 5)


@pytest.mark.parametrize(
    ("user", "quartz"),
    [
        ("30 2 * * 1-5", "0 30 2 ? * 2-6"),
        ("30 2 * * MON-FRI", "0 30 2 ? * MON-FRI"),
        ("0 0 * * *", "0 0 0 * * ?"),
        ("*/5 * * * *", "0 */5 * * * ?"),
        ("0 9 1 * *", "0 0 9 1 * ?"),
        ("0 9 * * 0", "0 0 9 ? * 1"),
        ("0 9 * * 7", "0 0 9 ? * 1"),
        ("0 9 * * 5-7", "0 0 9 ? * 6-1"),
        ("0 9 * * */2", "0 0 9 ? * */2"),
        ("0 9 * * 0-7", "0 0 9 ? * 1-7"),
        ("0 9 * * 0-7/2", "0 0 9 ? * 1-7/2"),
        ("0 9 * * 1-7", "0 0 9 ? * 2-1"),
        ("0 9 * * 1,3-5,7", "0 0 9 ? * 2,4-6,1"),
        ("0 9 ? * 3", "0 0 9 ? * 3"),   # '?': Quartz without seconds, as Azkaban's UI reads it
        ("0 9 1 * ?", "0 0 9 1 * ?"),
        ("*/5 * ? * 2-6", "0 */5 * ? * 2-6"),
        ("@daily", "0 0 0 * * ?"),
        ("@hourly", "0 0 * * * ?"),
        ("0 30 2 ? * MON-FRI", "0 30 2 ? * MON-FRI"),
        ("0  30 2 ? * MON-FRI  2030", "0 30 2 ? * MON-FRI 2030"),
    ],
)
def test_from_user(user, quartz):
    result, note = from_user(user)
    assert result == quartz
    assert f"'{quartz}'" in note
    parse(result)


def test_from_user_says_a_question_mark_means_quartz_without_seconds():
    _, note = from_user("0 9 ? * 3")
    assert "Quartz without seconds" in note
    with pytest.raises(CronError, match="read as Quartz '0 0 9 \\? \\* 8'"):
        from_user("0 9 ? * 8")


def test_from_user_says_what_quartz_ignores_after_the_year():
    quartz, note = from_user("0 0 0 * * ? 2030 1")
    assert quartz == "0 0 0 * * ? 2030 1"
    assert "Quartz ignores '1' after the year" in note


@pytest.mark.parametrize(
    ("unix", "days"),
    [
        ("1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("0-7", {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}),
        ("1-7", {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}),
        ("5-7", {"Fri", "Sat", "Sun"}),
        ("0-7/2", {"Sun", "Tue", "Thu", "Sat"}),
    ],
)
def test_from_user_unix_weekdays_fire_on_the_same_days(unix, days):
    quartz, _ = from_user(f"0 9 * * {unix}")
    assert {t.strftime("%a") for t in parse(quartz).next_fire_times(T0, 14)} == days


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        ("0 0 1 1 1", "put '*' in one of them"),
        ("1 2 3", "give 5 (unix cron) or 6-7"),
        ("", "empty"),
        ("61 * * * *", "Minute and Second values must be between 0 and 59"),
        ("0 0 12 * * *", "put '?' in one of them"),
    ],
)
def test_from_user_errors(user, reason):
    with pytest.raises(CronError) as info:
        from_user(user)
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        ("0 30 2 ? * MON-FRI", "at 02:30 on MON-FRI"),
        ("0 30 2 ? * 2-6", "at 02:30 on MON-FRI"),
        ("0 0 12 * * ?", "at 12:00 every day"),
        ("0 */5 * * * ?", "every 5 minutes"),
        ("0 * * * * ?", "every minute"),
        ("0 15 9-17 * * ?", "at :15 past hours 9-17 every day"),
        ("0 0 0 ? * 6#3", "at 00:00 on the 3rd FRI of the month"),
        ("0 0 0 ? * 5L", "at 00:00 on the last THU of the month"),
        ("0 0 0 L * ?", "at 00:00 on the last day of the month"),
        ("0 0 0 1 1,3 ? 2030", "at 00:00 on day 1 of the month in JAN,MAR in 2030"),
        ("0 0 0 * * *", "invalid: Support for specifying both"),
        # steps, L, W and # read as they fire: the values named, never a step turned into a name
        ("0 0 0 ? * 1-7/2", "at 00:00 on SUN,TUE,THU,SAT"),
        ("0 0 0 ? * */2", "at 00:00 on SUN,TUE,THU,SAT"),
        ("0 0 0 ? */3 *", "at 00:00 every day in JAN,APR,JUL,OCT"),
        ("0 0 0 L-3W * ?",
         "at 00:00 on the weekday nearest the day 3 days before the last day of the month"),
        ("0 0 0 L-1 * ?", "at 00:00 on the day before the last day of the month"),
        ("0 0 0 ? * L", "at 00:00 on SAT"),
        ("0 0 0 ? * 2,6#3", "at 00:00 on the 3rd MON of the month"),
        ("0 0 0 ? * MON-FRI/2", "at 00:00 on MON-FRI"),
        ("0 */15 9-17 ? * 2-6", "every 15 minutes from 09:00 to 17:45 on MON-FRI"),
        ("0 0 */2 * * ?", "every 2 hours"),
        ("0 0/30 * * * ?", "every 30 minutes"),
        ("0 0,30 8,20 * * ?", "at 08:00, 08:30, 20:00, 20:30 every day"),
        ("0 0 0 1/2 * ?", "at 00:00 every 2nd day of the month from day 1 to day 31"),
        ("0 0 0 1 1 ? 2030/5", "at 00:00 on day 1 of the month in JAN every 5th year from 2030"),
        ("0 0 0 * * ? 2030 X", "at 00:00 every day in 2030"),
    ],
)
def test_describe(expr, text):
    assert describe(expr) == text if "invalid" not in text else describe(expr).startswith(text)


def test_describe_the_documented_unix_example():
    assert describe(from_user("*/15 9-17 * * 1-5")[0]) == (
        "every 15 minutes from 09:00 to 17:45 on MON-FRI")


@pytest.mark.parametrize("expr", ["0 0/1 * * * ? 2099-2100/99999999999",
                                  "0 0 0 1 1 ? 99999999999", "0 0/2147483648 * * * ?"])
def test_numbers_beyond_a_java_int_are_refused_as_quartz_does(expr: str) -> None:
    with pytest.raises(CronError, match="number too large"):
        parse(expr)
