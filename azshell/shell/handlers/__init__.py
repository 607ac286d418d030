"""Command handlers, one module per command group.

A handler is ``handler(ctx, inv) -> data | Reply | None``: it calls the client, returns the answer
(the JSON document a script gets) and lets ``run_line`` render it. Errors are raised as
``azshell.errors`` exceptions; handlers never print results themselves.
"""
