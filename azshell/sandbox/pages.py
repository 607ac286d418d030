"""The few HTML pages the sandbox serves: login page, Jetty error page, minimal project pages.

Clients recognise these by markers the real pages have (``<form id="login-form"``, the hidden
``id="csrf-token"`` input, Jetty's "HTTP ERROR 500" page), so only those parts are faithful;
the rest is a short page a person can read in a browser.
"""

from __future__ import annotations

import secrets
from html import escape

from azshell.sandbox.http import Response

HTML = "text/html; charset=utf-8"  # as Jetty 6 writes it
_JETTY_ID = "abcdefghijklmnopqrstuvwxyz0123456789"


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>Azkaban Web Client - {escape(title)}</title>\n</head>\n<body>\n"
        f"<div class=\"navbar\"><span class=\"navbar-brand\">Azkaban</span>"
        f"<span class=\"navbar-title\">azshell sandbox</span></div>\n"
        f"{body}\n</body>\n</html>\n"
    )


def html(body: str, status: int = 200) -> Response:
    return Response(status=status, body=body.encode("utf-8"), content_type=HTML)


def login_page(error: str | None = None) -> Response:
    """``login.vm``: the page every unauthenticated non-ajax request gets."""
    message = f"<div class=\"alert alert-danger\" id=\"error-msg\">{escape(error)}</div>\n" \
        if error else ""
    body = (
        "<div class=\"container\">\n<div class=\"login\">\n"
        f"{message}"
        "<form id=\"login-form\" method=\"post\" action=\"\">\n"
        "<fieldset>\n<legend>Login</legend>\n"
        "<div class=\"form-group\"><label for=\"username\">Username</label>\n"
        "<input type=\"text\" class=\"form-control\" id=\"username\" name=\"username\"></div>\n"
        "<div class=\"form-group\"><label for=\"password\">Password</label>\n"
        "<input type=\"password\" class=\"form-control\" id=\"password\" name=\"password\"></div>\n"
        "<input type=\"hidden\" name=\"action\" value=\"login\">\n"
        "<button type=\"submit\" id=\"login-submit\">Login</button>\n"
        "</fieldset>\n</form>\n</div><!-- /.login -->\n</div>"
    )
    page = html(_page("Login", body))
    # rendering the page opens a servlet session: Jetty 6 sets its cookie (seen on 3.90.0)
    page.add_cookie("JSESSIONID", "".join(secrets.choice(_JETTY_ID) for _ in range(25)))
    return page


def message_page(title: str, message: str) -> Response:
    """A page with one line on it (``errorMsg`` of the real templates)."""
    return html(_page(title, f"<div class=\"alert\" id=\"error-msg\">{escape(message)}</div>"))


def project_page(name: str, description: str, flows: list[str]) -> Response:
    items = "".join(f"<li class=\"flow\">{escape(f)}</li>" for f in flows)
    body = (f"<h1 id=\"project-name\">{escape(name)}</h1>\n"
            f"<p id=\"project-description\">{escape(description)}</p>\n<ul>{items}</ul>")
    return html(_page(f"Project {name}", body))


def permissions_page(name: str, user_perms: dict[str, list[str]], csrf_token: str) -> Response:
    """``permissionspage.vm``: the one place a real server exposes the CSRF token."""
    rows = "".join(
        f"<tr><td>{escape(user)}</td><td>{escape(', '.join(types))}</td></tr>"
        for user, types in user_perms.items())
    body = (f"<input type=\"hidden\" id=\"csrf-token\" name=\"csrf-token\" "
            f"value=\"{escape(csrf_token)}\">\n"
            f"<h1 id=\"project-name\">{escape(name)}</h1>\n<table id=\"permissions-table\">"
            f"{rows}</table>")
    return html(_page(f"Permissions of {name}", body))
