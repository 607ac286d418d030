"""Key bindings added to prompt_toolkit's defaults (Emacs keys, Ctrl-R search, Ctrl-C, Ctrl-D).

Each binding is one small function whose docstring says what the key does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prompt_toolkit.completion import CompleteEvent, get_common_complete_suffix
from prompt_toolkit.filters import completion_is_selected, has_completions
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent


def shell_bindings(toggle_toolbar: Callable[[], None]) -> KeyBindings:
    """The shell's own keys; ``toggle_toolbar`` flips the ``toolbar`` setting."""
    kb = KeyBindings()

    @kb.add("f2")
    def _toolbar(event: KeyPressEvent) -> None:
        """F2: show or hide the bottom toolbar (like `set toolbar on|off`)."""
        toggle_toolbar()
        event.app.invalidate()

    @kb.add("tab")
    def _tab(event: KeyPressEvent) -> None:
        """Tab: complete the word (one match: inserted, the menu closed, so Enter runs the
        line), or its common part and show the menu; in an open menu, the next entry."""
        buffer = event.app.current_buffer
        state = buffer.complete_state
        if state is not None and state.completions and (
                state.complete_index is not None or len(state.completions) > 1):
            buffer.complete_next()
            return
        if buffer.completer is None:
            return
        buffer.complete_state = None  # a menu typing opened (perhaps of one entry) gives way
        # Computed here, not by the background completion that typing started: a Tab typed
        # while that one runs would otherwise be lost.
        completions = list(buffer.completer.get_completions(
            buffer.document, CompleteEvent(completion_requested=True)))
        if len(completions) == 1:
            buffer.apply_completion(completions[0])
            _space_after(buffer, completions[0].text)
            buffer.complete_state = None
            return
        common = get_common_complete_suffix(buffer.document, completions)
        if common:
            buffer.insert_text(common)
        if completions:
            buffer.start_completion(select_first=False)

    @kb.add("c-space")
    def _complete(event: KeyPressEvent) -> None:
        """Ctrl-Space: open the completion menu (or move to its next entry)."""
        buffer = event.app.current_buffer
        if buffer.complete_state:
            buffer.complete_next()
        else:
            buffer.start_completion(select_first=False)

    @kb.add("enter", filter=has_completions & completion_is_selected)
    def _take_completion(event: KeyPressEvent) -> None:
        """Enter on a menu entry: take it and keep editing (the next Enter runs the line)."""
        buffer = event.app.current_buffer
        state = buffer.complete_state
        taken = state.current_completion if state is not None else None
        if taken is not None:
            buffer.apply_completion(taken)
        buffer.complete_state = None
        if taken is not None:
            _space_after(buffer, taken.text)

    return kb


def _space_after(buffer: Any, text: str) -> None:
    """A finished word gets its space, as in a shell; a directory or ``key=`` goes on."""
    if not text.endswith(("/", " ", "=")) and buffer.document.is_cursor_at_the_end:
        buffer.insert_text(" ")
