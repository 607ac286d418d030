"""The interactive shell (prompt_toolkit): the app, keys, history, completion,
highlighting, toolbar.
"""
