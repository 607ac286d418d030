"""azshell: an interactive shell for the Azkaban workflow scheduler.

Kept import-free on purpose: `azshell --version` must not pay for requests or prompt_toolkit.
"""

__version__ = "0.1.0"
