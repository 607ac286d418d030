"""sla: show or set the SLA of a flow's schedule (protocol §7.6).

An SLA belongs to a schedule, so both forms look the flow's schedule up first. ``sla set``
replaces every rule at once (that is what the server's call does); one line may carry several
rules: each ``--rule`` starts a new one, and the ``--job``, ``--within``, ``--email`` and
``--kill`` after it belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azshell.errors import NotFound, UsageError
from azshell.shell.handlers.jobcheck import closest
from azshell.shell.handlers.schedules import find_schedule
from azshell.shell.line.commands import Command
from azshell.shell.line.parser import Invocation, is_option, tokens
from azshell.shell.run import render
from azshell.shell.run.context import Context, Reply

_RULE_OPTIONS = ("job", "rule", "within", "email", "kill")


@dataclass
class Rule:
    """One SLA rule as typed: the options between one ``--rule`` and the next."""

    rule: str = ""
    within: str = ""
    job: str = ""
    email: bool = False
    kill: bool = False


def rules_in_order(command: Command, line: str) -> list[Rule]:
    """The rules of a ``sla set`` line, grouped by the order of their options.

    The parser has already checked every word; this only regroups them, which a dict of values
    cannot (``--email --rule finish --kill``: which rule mails?). Options given before the first
    ``--rule`` belong to the first rule.
    """
    rules: list[Rule] = []
    before: list[tuple[str, str]] = []
    pending: str | None = None
    for tok in tokens(line)[1:]:
        word = tok.text
        if pending is not None:
            _give(rules, before, pending, word)
            pending = None
            continue
        if word == "--":
            break
        if not is_option(word):
            continue
        flag, eq, inline = word.partition("=")
        opt = command.option(flag)
        if opt is None or opt.dest not in _RULE_OPTIONS:
            pending = "" if opt is not None and opt.takes_value and not eq else None
            continue
        if opt.dest == "rule":
            rules.append(Rule())
        if not opt.takes_value:
            _give(rules, before, opt.dest, "true")
        elif eq:
            _give(rules, before, opt.dest, inline)
        else:
            pending = opt.dest
    return rules


def _give(rules: list[Rule], before: list[tuple[str, str]], dest: str, value: str) -> None:
    if not dest:  # the value of an option that is not part of a rule (--emails)
        return
    if not rules:
        before.append((dest, value))
        return
    if dest == "rule" and before:
        for key, early in before:
            _set(rules[-1], key, early)
        before.clear()
    _set(rules[-1], dest, value)


def _set(rule: Rule, dest: str, value: str) -> None:
    if dest in ("email", "kill"):
        setattr(rule, dest, True)
        return
    if getattr(rule, dest):
        raise UsageError(f"sla set: --{dest} given twice for one rule "
                         "(each --rule starts a new rule)")
    setattr(rule, dest, value.lower() if dest == "rule" else value)


def to_settings(rules: list[Rule], jobs: list[str]) -> list[Any]:
    """The client's SlaSettings, every rule checked here: nothing is sent for a bad one."""
    from azshell.client import SlaSetting
    from azshell.client.options import parse_duration

    if not rules:
        raise UsageError("sla set: give at least one --rule success|finish with --within H:MM "
                         "and --email and/or --kill")
    settings = []
    for number, rule in enumerate(rules, 1):
        which = f"rule {number} ({rule.rule}{' of ' + rule.job if rule.job else ''})"
        if not rule.within:
            raise UsageError(f"sla set: {which} needs --within H:MM")
        if not (rule.email or rule.kill):
            raise UsageError(f"sla set: {which} needs an action: --email, --kill or both")
        if rule.job and jobs and rule.job not in jobs:
            raise UsageError(f"sla set: {which}: no job {rule.job!r} in this flow"
                             f"{closest(rule.job, jobs)}; nothing was sent")
        minutes = parse_duration(rule.within)
        if minutes <= 0:
            raise UsageError(f"sla set: {which}: --within must be at least one minute")
        setting = SlaSetting(rule="success" if rule.rule == "success" else "finish",
                             duration_minutes=minutes, job=rule.job, email=rule.email,
                             kill=rule.kill)
        setting.to_param()  # the client's own checks, before any request
        settings.append(setting)
    return settings


def sla(ctx: Context, inv: Invocation) -> Reply:
    """``sla P F`` shows the SLA; ``sla set P F --rule ... --within ... --email`` replaces it."""
    values = inv.values
    given = [f"--{d.replace('_', '-')}" for d in (*_RULE_OPTIONS, "emails") if values.get(d)]
    if values.get("action") != "set" and given:
        raise UsageError(f"sla: {', '.join(given)}: only with 'sla set' "
                         f"{inv.command.error_usage()}")
    if values.get("action") == "set":
        rules = rules_in_order(inv.command, inv.line)
        to_settings(rules, [])  # every check but the job names, before any request
        return _set_sla(ctx, inv, rules)
    return _show(ctx, values["project"], values["flow"])


def _set_sla(ctx: Context, inv: Invocation, rules: list[Rule]) -> Reply:
    project, flow = inv.values["project"], inv.values["flow"]
    try:
        found = find_schedule(ctx, project, flow)
    except NotFound as err:
        if not err.message.endswith("has no schedule"):
            raise
        raise NotFound(f"sla set: {err.message}, and an SLA belongs to a schedule: schedule "
                       f"it first ('schedule {project} {flow} CRON', e.g. @daily)") from None
    info = _info(ctx, found["scheduleId"], project, flow)
    settings = to_settings(rules, [str(j) for j in info.get("allJobNames") or []])
    emails = list(inv.values.get("emails") or info.get("slaEmails") or [])
    if any(s.email for s in settings) and not emails:
        raise UsageError("sla set: --email needs addresses to mail: add --emails a@b,c@d")
    ctx.client.set_sla(found["scheduleId"], settings, emails)
    data = {"ok": True, "project": project, "flow": flow, "scheduleId": found["scheduleId"],
            "cron": found.get("cronExpression"),
            "settings": [{"job": s.job, "rule": "SUCCESS" if s.rule == "success" else "FINISH",
                          "within": _clock(s.duration_minutes), "email": s.email,
                          "kill": s.kill} for s in settings],
            "slaEmails": emails}
    return Reply(data, text=sla_text(data, "set the SLA of"))


def _info(ctx: Context, schedule_id: int, project: str, flow: str) -> dict[str, Any]:
    """slaInfo; its list of the flow's jobs also feeds the completion of ``--job``."""
    info = ctx.client.sla_info(schedule_id)
    jobs = info.get("allJobNames")
    if isinstance(jobs, list) and jobs:
        ctx.names.add_jobs(project, flow, [str(j) for j in jobs])
    return info


def _show(ctx: Context, project: str, flow: str) -> Reply:
    found = find_schedule(ctx, project, flow)
    info = _info(ctx, found["scheduleId"], project, flow)
    data = {"project": project, "flow": flow, "scheduleId": found["scheduleId"],
            "cron": found.get("cronExpression"), **info}
    if isinstance(info.get("settings"), list):
        data["settings"] = [_one_word(s) for s in info["settings"]]
    return Reply(data, text=sla_text(data))


def _one_word(setting: Any) -> Any:
    """slaInfo answers ``SUCCEED`` for the rule that ``sla set`` (and setSla) call ``SUCCESS``
    (protocol §7.6): azshell says SUCCESS in both, so a script compares one word."""
    if isinstance(setting, dict) and setting.get("rule") == "SUCCEED":
        return {**setting, "rule": "SUCCESS"}
    return setting


def _clock(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}:{rest:02d}"


def _within(duration: Any) -> str:
    """``"90m"`` (slaInfo's form) as ``1:30``."""
    text = str(duration or "")
    if text.endswith("m") and text[:-1].isdigit():
        return _clock(int(text[:-1]))
    return text or "-"


def _actions(setting: dict[str, Any]) -> str:
    """slaInfo's ``actions`` list, or the email/kill flags of the answer to ``sla set``."""
    actions = setting.get("actions")
    if actions is None:
        actions = [name.upper() for name in ("email", "kill") if setting.get(name)]
    return ", ".join(actions) or "-"


def sla_table(data: Any) -> tuple[list[str], render.Rows]:
    """The rules of ``sla`` (the server's slaInfo) and of ``sla set`` (what was sent)."""
    settings = (data.get("settings") or []) if isinstance(data, dict) else []
    rows = [(s.get("id", s.get("job")) or "(flow)", s.get("rule"),
             s["within"] if "within" in s else _within(s.get("duration")), _actions(s))
            for s in settings if isinstance(s, dict)]
    return ["JOB", "RULE", "WITHIN", "ACTIONS"], rows


def sla_text(data: dict[str, Any], verb: str = "SLA of") -> str:
    """What a person reads on a terminal: the rules as a table and who gets the mails."""
    project, flow = data["project"], data["flow"]
    head = f"{verb} {project}/{flow} (schedule {data['scheduleId']}, cron {data.get('cron')})"
    emails = ", ".join(data.get("slaEmails") or [])
    if not data.get("settings"):
        lines = [f"{project}/{flow} has no SLA; set one with: sla set {project} {flow} "
                 "--rule success --within 2:00 --email --emails you@example.com"]
        if emails:
            lines.append(f"suggested e-mails (the schedule's failure e-mails): {emails}")
        return "\n".join(lines)
    headers, rows = sla_table(data)
    return "\n".join([head, render.table(headers, rows), f"e-mails: {emails or '-'}"])
