"""Completion scripts for the `azshell` command line in bash, zsh and fish.

``azshell --completion SHELL`` prints one; it is built from the option parser and the command
table, so it offers every option, the choices of an option, the profiles of the config file (the
script asks ``azshell --list-profiles`` when they are wanted) and the shell's own commands as the
first word after ``-c`` or in place of the URL. Nothing here runs unless asked for.
"""

from __future__ import annotations

import argparse

from azshell.options import build_parser
from azshell.shell.line.commands import all_words

_FILES = ("--ca-cert", "-f", "--file")
_PROFILE = ("-p", "--profile")
_COMMAND = ("-c", "--command")


def _actions() -> list[argparse.Action]:
    """The options a user may type (hidden ones left out), in --help order."""
    return [a for a in build_parser()._actions
            if a.option_strings and a.help != argparse.SUPPRESS]


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def _words(first: bool = False) -> str:
    """The shell's commands (after -c), and `sandbox` too as the first word of the line."""
    words = {w for w in all_words() if w[:1].isalpha()} | ({"sandbox"} if first else set())
    return " ".join(sorted(words))


def bash() -> str:
    """A bash function for ``complete -F``; source it or drop it in bash-completion's folder."""
    cases = []
    for action in _actions():
        if not _takes_value(action):
            continue
        flags = "|".join(action.option_strings)
        if set(action.option_strings) & set(_PROFILE):
            reply = 'COMPREPLY=($(compgen -W "$(azshell --list-profiles 2>/dev/null)" -- "$cur"))'
        elif set(action.option_strings) & set(_COMMAND):
            reply = f'COMPREPLY=($(compgen -W "{_words()}" -- "$cur"))'
        elif set(action.option_strings) & set(_FILES):
            reply = 'COMPREPLY=($(compgen -f -- "$cur"))'
        elif action.choices:
            reply = f'COMPREPLY=($(compgen -W "{" ".join(action.choices)}" -- "$cur"))'
        else:
            reply = "COMPREPLY=()"
        cases.append(f"        {flags}) {reply}; return ;;")
    options = " ".join(f for a in _actions() for f in a.option_strings)
    case_lines = "\n".join(cases)
    return f"""\
# bash completion for azshell (azshell --completion bash)
_azshell() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    case "$prev" in
{case_lines}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "{options}" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "{_words(first=True)}" -- "$cur"))
    fi
}}
complete -o default -F _azshell azshell
"""


def _zsh_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "'\\''").replace("[", "\\[").replace(
        "]", "\\]").replace(":", "\\:")


def zsh() -> str:
    """A ``#compdef`` function; put it on $fpath as ``_azshell``, or eval it."""
    specs = []
    for action in _actions():
        help_text = _zsh_quote((action.help or "").rstrip("."))
        flags = action.option_strings
        if not _takes_value(action):
            action_spec = ""
        elif set(flags) & set(_PROFILE):
            action_spec = ":profile:_azshell_profiles"
        elif set(flags) & set(_COMMAND):
            action_spec = ":command:_azshell_commands"
        elif set(flags) & set(_FILES):
            action_spec = ":file:_files"
        elif action.choices:
            action_spec = f":{action.metavar or 'value'}:({' '.join(action.choices)})"
        else:
            action_spec = f":{action.metavar or 'value'}:"
        repeat = "*" if action.dest == "commands" else ""
        if len(flags) > 1:
            specs.append(f"  '{repeat}({' '.join(flags)})'{{{','.join(flags)}}}"
                         f"'[{help_text}]{action_spec}'")
        else:
            specs.append(f"  '{repeat}{flags[0]}[{help_text}]{action_spec}'")
    spec_lines = " \\\n".join(specs)
    return f"""\
#compdef azshell
# zsh completion for azshell (azshell --completion zsh)
_azshell_profiles() {{
  local -a profiles
  profiles=(${{(f)"$(azshell --list-profiles 2>/dev/null)"}})
  compadd -a profiles
}}
_azshell_commands() {{
  compadd {_words()}
}}
_azshell_first() {{
  compadd {_words(first=True)}
}}
_azshell() {{
  _arguments -s \\
{spec_lines} \\
  '1:URL or command:_azshell_first' \\
  '*::arguments:_files'
}}
if [[ "$funcstack[1]" == "_azshell" ]]; then
  _azshell "$@"
else
  compdef _azshell azshell
fi
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish() -> str:
    """``complete`` lines; save them as ~/.config/fish/completions/azshell.fish."""
    lines = ["# fish completion for azshell (azshell --completion fish)",
             "complete -c azshell -f",
             f"complete -c azshell -n '__fish_is_first_arg' -a {_fish_quote(_words(first=True))}"]
    for action in _actions():
        parts = ["complete -c azshell"]
        for flag in action.option_strings:
            parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
        if _takes_value(action):
            flags = set(action.option_strings)
            if flags & set(_PROFILE):
                parts.append("-x -a '(azshell --list-profiles 2>/dev/null)'")
            elif flags & set(_COMMAND):
                parts.append(f"-x -a {_fish_quote(_words())}")
            elif flags & set(_FILES):
                parts.append("-r -F")
            elif action.choices:
                parts.append(f"-x -a {_fish_quote(' '.join(action.choices))}")
            else:
                parts.append("-x")
        parts.append(f"-d {_fish_quote((action.help or '').rstrip('.'))}")
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


SCRIPTS = {"bash": bash, "zsh": zsh, "fish": fish}


def script(shell: str) -> str:
    """The completion script of ``shell`` (bash, zsh or fish)."""
    return SCRIPTS[shell]()
