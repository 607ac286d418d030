"""One source of exit statuses: each error class's ``exit_code`` is what the shell exits with."""

from __future__ import annotations

import inspect

import pytest

from azshell import errors
from azshell.shell.run.exitcodes import MEANINGS, exit_code

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass)
           if issubclass(c, errors.AzshellError)]
EXPECTED = {
    errors.UsageError: 2, errors.ConnectionFailed: 3, errors.RequestTimedOut: 3,
    errors.SessionError: 3, errors.LoginFailed: 3, errors.OutcomeUnknown: 1,
    errors.ApiError: 1, errors.LogNotReady: 1, errors.Interrupted: 130,
}


def _instance(cls: type[errors.AzshellError]) -> errors.AzshellError:
    if cls is errors.ProjectValidationError:
        return cls(["bad"])
    if cls is errors.FlowNotStarted:
        return cls("no", "p", "f")
    return cls("message")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_class_attribute_is_the_exit_status(cls: type[errors.AzshellError]) -> None:
    err = _instance(cls)
    assert exit_code(err) == err.exit_code
    assert err.exit_code in {code for code, _ in MEANINGS}
    if cls in EXPECTED:
        assert err.exit_code == EXPECTED[cls]


def test_ctrl_c_and_foreign_errors() -> None:
    assert exit_code(KeyboardInterrupt()) == 130
    assert exit_code(ValueError("x")) == 1
