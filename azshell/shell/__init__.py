"""The shell: commands, parsing, completion, rendering, the interactive app and scripts."""

from __future__ import annotations

import gc


def started() -> None:
    """The start-up imports are done (the first prompt is drawn, or a script starts): collect
    garbage from now on, leaving what start-up built out of every later pass. ``azshell.cli``
    turns the collector off before those imports: they allocate many objects and free few, so
    its passes over them were pure cost (about 5% of the time to the first prompt)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
