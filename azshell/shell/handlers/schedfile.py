"""schedules export / apply: schedules as a YAML file, applied like ``terraform apply``.

``export`` writes every schedule (flow, cron, execution options, SLA) in one normal form;
``apply`` reads such a file, compares it with the server in that same form, shows the plan
(added, changed, and with ``--prune`` removed), asks (``--yes`` in scripts), then makes exactly
those changes. Applying the same file again finds nothing to change. Rescheduling a flow drops
its SLA on the server, so a changed schedule gets its SLA set again right after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azshell import quartz
from azshell.errors import ApiError, LocalError, UsageError
from azshell.shell.line.parser import Invocation
from azshell.shell.run.context import Context, Reply

FAILURE_ENUM = {"FINISH_CURRENTLY_RUNNING": "finish", "CANCEL_ALL": "cancel",
                "FINISH_ALL_POSSIBLE": "possible"}
ENTRY_KEYS = ("project", "flow", "cron", "options", "sla")
OPTION_KEYS = ("disabled", "params", "concurrent", "on_failure", "notify_failure",
               "notify_success")
SLA_KEYS = ("emails", "rules")
RULE_KEYS = ("rule", "within", "job", "email", "kill")


def schedules(ctx: Context, inv: Invocation) -> Any:
    """``schedules`` (list), ``schedules export [PROJECT]``, ``schedules apply FILE``."""
    action = inv.values.get("action") or "list"
    target = inv.values.get("target")
    if action != "apply" and (inv.values["yes"] or inv.values["prune"] or inv.values["plan"]):
        raise UsageError("schedules: --yes, --prune and --plan go with 'schedules apply FILE'")
    if action == "list":
        if target:
            raise UsageError(f"schedules: unexpected argument {target!r} (did you mean "
                             f"'schedules export {target}'?)")
        from azshell.shell.handlers.schedules import schedules as listing

        return listing(ctx, inv)
    if action == "export":
        ctx.out.result(export_yaml(current(ctx, {target} if target else None)))
        return None
    if not target:
        raise UsageError("schedules apply: name the YAML file (schedules apply FILE)")
    return apply(ctx, inv, Path(target).expanduser())


# -- reading the server -------------------------------------------------------------------------

def current(ctx: Context, projects: set[str] | None) -> list[dict[str, Any]]:
    """The server's schedules (of ``projects`` only, if given) in the file's normal form."""
    found = []
    for item in ctx.client.schedules():
        if not isinstance(item, dict):
            continue
        project, flow = str(item.get("projectname")), str(item.get("flowname"))
        if projects is not None and project not in projects:
            continue
        cron = item.get("cron")
        if not isinstance(cron, str) or not cron:
            continue  # a period schedule (old API) has no cron to write
        entry: dict[str, Any] = {"project": project, "flow": flow, "cron": cron}
        detail = ctx.client.schedule(project, flow) or {}
        options = options_from_bean(detail.get("executionOptions"))
        if options:
            entry["options"] = options
        sla = sla_from_info(_sla_info(ctx, item.get("scheduleId")))
        if sla:
            entry["sla"] = sla
        entry["_id"] = item.get("scheduleId")
        found.append(entry)
    return sorted(found, key=lambda e: (e["project"], e["flow"]))


def _sla_info(ctx: Context, schedule_id: Any) -> dict[str, Any]:
    if not isinstance(schedule_id, int):
        return {}
    try:
        return ctx.client.sla_info(schedule_id)
    except ApiError:
        return {}


def options_from_bean(bean: Any) -> dict[str, Any]:
    """fetchSchedule's ``executionOptions`` as the file writes them; defaults left out."""
    if not isinstance(bean, dict):
        return {}
    out: dict[str, Any] = {}
    disabled = _flat_disabled(bean.get("disabledJobs") or [])
    if disabled:
        out["disabled"] = disabled
    params = {str(k): str(v) for k, v in (bean.get("flowParameters") or {}).items()}
    if params:
        out["params"] = dict(sorted(params.items()))
    concurrent = str(bean.get("concurrentOption") or "skip")
    if concurrent == "pipeline":
        concurrent = f"pipeline:{bean.get('pipelineLevel') or 1}"
    if concurrent != "skip":
        out["concurrent"] = concurrent
    action = FAILURE_ENUM.get(str(bean.get("failureAction")), "finish")
    if action != "finish":
        out["on_failure"] = action
    for kind, key in (("failure", "notify_failure"), ("success", "notify_success")):
        emails = [str(e) for e in bean.get(f"{kind}Emails") or []]
        if bean.get(f"{kind}EmailsOverridden") is True and emails:
            out[key] = emails
    return out


def _flat_disabled(items: list[Any], prefix: str = "") -> list[str]:
    """``["a", {"id": "sub", "children": ["b"]}]`` -> ``["a", "sub:b"]``."""
    out = []
    for item in items:
        if isinstance(item, dict):
            children = item.get("children") or []
            name = f"{prefix}{item.get('id')}"
            out += _flat_disabled(children, f"{name}:") if children else [name]
        else:
            out.append(f"{prefix}{item}")
    return out


def sla_from_info(info: dict[str, Any]) -> dict[str, Any]:
    """slaInfo's settings as rules (``SUCCEED`` -> success, ``120m`` -> ``2:00``)."""
    settings = info.get("settings")
    if not isinstance(settings, list) or not settings:
        return {}
    rules = []
    for setting in settings:
        if not isinstance(setting, dict):
            continue
        minutes = int(str(setting.get("duration") or "0m").rstrip("m") or 0)
        actions = [str(a).upper() for a in setting.get("actions") or []]
        rule: dict[str, Any] = {"rule": "success" if setting.get("rule") == "SUCCEED"
                                else "finish", "within": _hmm(minutes)}
        if setting.get("id"):
            rule["job"] = str(setting["id"])
        rule["email"] = "EMAIL" in actions
        rule["kill"] = "KILL" in actions
        rules.append(rule)
    return {"emails": [str(e) for e in info.get("slaEmails") or []], "rules": rules}


def _hmm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def export_yaml(entries: list[dict[str, Any]]) -> str:
    """The file ``apply`` reads (``_id`` and other private keys left out)."""
    import yaml

    clean = [{k: v for k, v in e.items() if not k.startswith("_")} for e in entries]
    text = yaml.safe_dump({"schedules": clean}, sort_keys=False, default_flow_style=False,
                          allow_unicode=True)
    return ("# azshell schedules: 'schedules apply FILE' makes the server match this file\n"
            + text)


# -- reading the file ---------------------------------------------------------------------------

def read_file(path: Path) -> list[dict[str, Any]]:
    """The file's schedules in normal form; LocalError naming the entry and key at fault."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise LocalError(f"schedules apply: cannot read {path}: {err.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise LocalError(f"schedules apply: {path} is not valid YAML: "
                         f"{str(err).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("schedules", []), list):
        raise LocalError(f"schedules apply: {path} must hold 'schedules:', a list of "
                         "{project, flow, cron, options, sla}")
    entries, seen = [], set()
    for number, raw in enumerate(data.get("schedules") or [], 1):
        entry = _entry(path, number, raw)
        key = (entry["project"], entry["flow"])
        if key in seen:
            raise LocalError(f"schedules apply: {path}: schedule {number}: flow "
                             f"{key[0]}/{key[1]} is listed twice (a flow has one schedule)")
        seen.add(key)
        entries.append(entry)
    return sorted(entries, key=lambda e: (e["project"], e["flow"]))


def _entry(path: Path, number: int, raw: Any) -> dict[str, Any]:
    def bad(message: str) -> LocalError:
        return LocalError(f"schedules apply: {path}: schedule {number}: {message}")

    if not isinstance(raw, dict):
        raise bad("must be a mapping with project, flow and cron")
    _known(raw, ENTRY_KEYS, bad, "a schedule")
    for key in ("project", "flow", "cron"):
        if not isinstance(raw.get(key), (str, int)) or not str(raw.get(key)).strip():
            raise bad(f"'{key}' is missing or not text")
    try:
        cron, _ = quartz.from_user(str(raw["cron"]))
    except quartz.CronError as err:
        raise bad(str(err)) from None
    entry: dict[str, Any] = {"project": str(raw["project"]), "flow": str(raw["flow"]),
                             "cron": cron}
    options = _options(raw.get("options"), bad)
    if options:
        entry["options"] = options
    sla = _sla(raw.get("sla"), bad)
    if sla:
        entry["sla"] = sla
    return entry


def _known(raw: dict[str, Any], keys: tuple[str, ...], bad: Any, what: str) -> None:
    for key in raw:
        if key not in keys:
            raise bad(f"unknown key {key!r} in {what} (known: {', '.join(keys)})")


def _options(raw: Any, bad: Any) -> dict[str, Any]:
    """Options checked by the client's own rules; written back in export's normal form."""
    from azshell.client import ExecuteOptions

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad("'options' must be a mapping")
    _known(raw, OPTION_KEYS, bad, "options")
    bean: dict[str, Any] = {
        "disabledJobs": _strings(raw.get("disabled"), "disabled", bad),
        "flowParameters": _params(raw.get("params"), bad),
        "failureEmails": _strings(raw.get("notify_failure"), "notify_failure", bad),
        "successEmails": _strings(raw.get("notify_success"), "notify_success", bad),
    }
    bean["failureEmailsOverridden"] = bool(bean["failureEmails"])
    bean["successEmailsOverridden"] = bool(bean["successEmails"])
    concurrent = str(raw.get("concurrent") or "skip")
    on_failure = str(raw.get("on_failure") or "finish")
    try:
        ExecuteOptions(concurrent=concurrent, on_failure=on_failure).to_params()
    except UsageError as err:
        raise bad(str(err)) from None
    level = concurrent.partition(":")[2]
    bean["concurrentOption"] = concurrent.partition(":")[0]
    bean["pipelineLevel"] = int(level) if level.isdigit() else None
    reverse = {v: k for k, v in FAILURE_ENUM.items()}
    bean["failureAction"] = reverse.get(on_failure)
    return options_from_bean(bean)


def _strings(raw: Any, key: str, bad: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [w for w in raw.replace(";", ",").split(",") if w.strip()]
    if not isinstance(raw, list) or not all(isinstance(x, (str, int)) for x in raw):
        raise bad(f"'{key}' must be a list of names")
    return [str(x).strip() for x in raw]


def _params(raw: Any, bad: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or any(isinstance(v, (dict, list)) for v in raw.values()):
        raise bad("'params' must map names to values")
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def _sla(raw: Any, bad: Any) -> dict[str, Any]:
    from azshell.client.options import parse_duration

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad("'sla' must be a mapping with emails and rules")
    _known(raw, SLA_KEYS, bad, "sla")
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise bad("'sla' needs 'rules', a list of {rule, within, job, email, kill}")
    rules = []
    for index, item in enumerate(rules_raw, 1):
        if not isinstance(item, dict):
            raise bad(f"SLA rule {index} must be a mapping")
        _known(item, RULE_KEYS, bad, f"SLA rule {index}")
        kind = str(item.get("rule") or "").lower()
        if kind not in ("success", "finish"):
            raise bad(f"SLA rule {index}: 'rule' must be success or finish")
        within = item.get("within")
        try:  # an unquoted 2:00 is YAML 1.1's sexagesimal 120: minutes, which it means
            minutes = within if isinstance(within, int) else parse_duration(str(within or ""))
        except UsageError as err:
            raise bad(f"SLA rule {index}: {err}") from None
        if minutes <= 0:
            raise bad(f"SLA rule {index}: 'within' must be at least one minute (H:MM)")
        email, kill = item.get("email") is True, item.get("kill") is True
        if not (email or kill):
            raise bad(f"SLA rule {index}: needs email: true and/or kill: true")
        rule: dict[str, Any] = {"rule": kind, "within": _hmm(minutes)}
        if item.get("job"):
            rule["job"] = str(item["job"])
        rule.update(email=email, kill=kill)
        rules.append(rule)
    return {"emails": _strings(raw.get("emails"), "emails", bad), "rules": rules}


# -- the plan and its application ---------------------------------------------------------------

def plan_changes(wanted: list[dict[str, Any]], have: list[dict[str, Any]], prune: bool,
                 ) -> list[dict[str, Any]]:
    """``add``/``change``/``remove`` entries; ``fields`` says what a change changes."""
    have_by = {(e["project"], e["flow"]): e for e in have}
    changes = []
    for entry in wanted:
        old = have_by.get((entry["project"], entry["flow"]))
        if old is None:
            changes.append({"action": "add", **entry, "fields": ["cron", "options", "sla"]})
            continue
        fields = [k for k in ("cron", "options", "sla") if entry.get(k) != old.get(k)]
        if fields:
            changes.append({"action": "change", **entry, "fields": fields,
                            "was": {k: old.get(k) for k in fields}})
    if prune:
        listed = {(e["project"], e["flow"]) for e in wanted}
        changes += [{"action": "remove", "project": e["project"], "flow": e["flow"],
                     "cron": e["cron"], "fields": []}
                    for e in have if (e["project"], e["flow"]) not in listed]
    return changes


def apply(ctx: Context, inv: Invocation, path: Path) -> Reply:
    wanted = read_file(path)
    projects = {e["project"] for e in wanted}
    _check_flows(ctx, wanted)
    have = current(ctx, projects)
    changes = plan_changes(wanted, have, bool(inv.values["prune"]))
    text = plan_text(path, changes)
    data: dict[str, Any] = {"ok": True, "file": str(path), "changes": _public(changes),
                            "applied": False}
    if not changes or inv.values["plan"]:
        return Reply(data, text=text)
    if not inv.values["yes"]:
        if not ctx.interactive:
            raise UsageError("schedules apply: refusing to change schedules in a script "
                             "without --yes")
        ctx.out.note(text)
        if not ctx.confirm(f"Make these {len(changes)} change(s)?"):
            return Reply(data, text="nothing changed")
    elif ctx.out.stderr_tty:
        ctx.out.note(text)
    for change in changes:
        _apply_one(ctx, change)
    data["applied"] = True
    done = f"applied {len(changes)} change{'' if len(changes) == 1 else 's'}"
    return Reply(data, text=done)


def _check_flows(ctx: Context, wanted: list[dict[str, Any]]) -> None:
    """Every project and flow the file names exists: nothing changes for a file with a typo."""
    flows: dict[str, list[str]] = {}
    for entry in wanted:
        project = entry["project"]
        if project not in flows:
            flows[project] = ctx.client.flows(project)
        if entry["flow"] not in flows[project]:
            raise LocalError(f"schedules apply: project {project} has no flow "
                             f"{entry['flow']!r}; nothing was changed")


def _apply_one(ctx: Context, change: dict[str, Any]) -> None:
    from azshell.client import ExecuteOptions, SlaSetting
    from azshell.client.options import parse_duration

    project, flow = change["project"], change["flow"]
    if change["action"] == "remove":
        ctx.client.unschedule(project, flow)
        return
    opts = change.get("options") or {}
    options = ExecuteOptions(disabled=list(opts.get("disabled") or []),
                             params=dict(opts.get("params") or {}),
                             concurrent=opts.get("concurrent") or "skip",
                             on_failure=opts.get("on_failure") or "finish",
                             notify_failure=list(opts.get("notify_failure") or []),
                             notify_success=list(opts.get("notify_success") or []))
    schedule_id = ctx.client.schedule_cron(project, flow, change["cron"], options)
    sla = change.get("sla")
    if sla:
        settings = [SlaSetting(rule=r["rule"], duration_minutes=parse_duration(r["within"]),
                               job=r.get("job", ""), email=r["email"], kill=r["kill"])
                    for r in sla["rules"]]
        ctx.client.set_sla(schedule_id, settings, list(sla.get("emails") or []))


def _public(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if not k.startswith("_")} for c in changes]


def plan_text(path: Path, changes: list[dict[str, Any]]) -> str:
    if not changes:
        return f"{path}: the server's schedules already match; nothing to change"
    lines = [f"schedules apply {path}:"]
    for change in changes:
        mark = {"add": "+", "change": "~", "remove": "-"}[change["action"]]
        head = f"  {mark} {change['project']}/{change['flow']}"
        if change["action"] == "remove":
            lines.append(f"{head}  remove (cron {change['cron']})")
            continue
        if change["action"] == "add":
            lines.append(f"{head}  add, cron {change['cron']}")
            continue
        lines.append(f"{head}  change {', '.join(change['fields'])}")
        for field in change["fields"]:
            lines.append(f"      {field}: {_short(change['was'].get(field))} -> "
                         f"{_short(change.get(field))}")
    return "\n".join(lines)


def _short(value: Any) -> str:
    if value in (None, {}, []):
        return "-"
    import json

    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
