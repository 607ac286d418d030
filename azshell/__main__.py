"""`python -m azshell` is the same as the `azshell` command."""

from azshell.cli import main

raise SystemExit(main())
