"""Following an execution: the poll pacing, the live view, `log --follow`."""
