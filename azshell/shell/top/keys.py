"""``top``'s keys: small bindings on the view (azshell.shell.top.app), each one a line or two;
prompt_toolkit filters decide which apply (a question, the filter being typed, the help)."""

from __future__ import annotations

from typing import Any

from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings

from azshell.shell.top import view


def bindings(app: Any) -> KeyBindings:
    """Every key of the view; which apply depends on the view's state (filters)."""
    kb = KeyBindings()
    asking = Condition(lambda: app.question is not None)
    typing = Condition(lambda: app.typing)
    helping = Condition(lambda: app.mode == "help")
    _question_keys(app, kb, asking)
    _filter_keys(app, kb, typing)
    _view_keys(app, kb, ~asking & ~typing & ~helping)

    @kb.add("<any>", filter=helping)
    def _unhelp(event: Any) -> None:
        """Any key leaves the help."""
        app.mode = app.back_to if app.back_to != "help" else "list"

    @kb.add("c-c")
    def _leave(event: Any) -> None:
        """Ctrl-C leaves the view; it never touches a flow."""
        app.question = None
        event.app.exit()

    return kb


def _question_keys(app: Any, kb: KeyBindings, asking: Condition) -> None:
    @kb.add("y", filter=asking)
    def _yes(event: Any) -> None:
        """Answer yes: the action is sent."""
        app.answer(True)

    @kb.add("<any>", filter=asking)
    def _no(event: Any) -> None:
        """Any other key is no."""
        app.answer(False)


def _filter_keys(app: Any, kb: KeyBindings, typing: Condition) -> None:
    @kb.add("<any>", filter=typing)
    def _type(event: Any) -> None:
        """Typing the filter."""
        text = event.data
        if text.isprintable():
            app.filter_text += text

    @kb.add("backspace", filter=typing)
    def _erase(event: Any) -> None:
        app.filter_text = app.filter_text[:-1]

    @kb.add("enter", filter=typing)
    def _keep(event: Any) -> None:
        """Keep the filter."""
        app.typing = False

    @kb.add("escape", filter=typing, eager=True)
    def _clear(event: Any) -> None:
        """Clear the filter."""
        app.typing, app.filter_text = False, ""


def _view_keys(app: Any, kb: KeyBindings, free: Any) -> None:
    for key, step in (("up", -1), ("k", -1), ("down", 1), ("j", 1)):
        kb.add(key, filter=free)(lambda event, step=step: app.move(step))

    @kb.add("pageup", filter=free)
    def _page_up(event: Any) -> None:
        app.move(-(app.size()[1] - 6))

    @kb.add("pagedown", filter=free)
    def _page_down(event: Any) -> None:
        app.move(app.size()[1] - 6)

    @kb.add("g", filter=free)
    def _first(event: Any) -> None:
        app.move(-10**9)

    @kb.add("G", filter=free)
    def _last(event: Any) -> None:
        app.move(10**9)

    @kb.add("enter", filter=free)
    def _open(event: Any) -> None:
        """Open the selected execution."""
        if app.mode == "list":
            app.open_detail()

    @kb.add("l", filter=free)
    def _log(event: Any) -> None:
        """Follow the selected job's log, or the flow's."""
        if app.mode in ("list", "detail"):
            app.open_log()

    for key in ("c", "p", "r", "R"):
        kb.add(key, filter=free)(lambda event, key=key: app.ask(key))

    @kb.add("/", filter=free)
    def _filter(event: Any) -> None:
        app.mode = "list" if app.mode == "help" else app.mode
        app.typing = True

    @kb.add("s", filter=free)
    def _sort(event: Any) -> None:
        app.sort_i = (app.sort_i + 1) % len(view.SORTS)

    @kb.add("+", filter=free)
    def _faster(event: Any) -> None:
        app.step_interval(-1)

    @kb.add("-", filter=free)
    def _slower(event: Any) -> None:
        app.step_interval(1)

    @kb.add("?", filter=free)
    def _help(event: Any) -> None:
        app.back_to, app.mode = app.mode, "help"

    @kb.add("q", filter=free)
    @kb.add("escape", filter=free, eager=True)
    def _back(event: Any) -> None:
        """Back one level; from the list, leave top."""
        app.back()

