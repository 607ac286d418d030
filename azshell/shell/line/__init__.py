"""The command line: the command table, argument kinds, parsing, help and docs/commands.md."""
