"""The debugging aids: `-v` lines, `curl`, the `--debug` log."""
