"""The dashboard's HTML: one page layout and small helpers. Every value that reaches a page goes
through `e` (FAQ text, transcripts and customers' words are untrusted); the helpers return markup
that is already escaped, so pages are assembled from those and from `e(...)` only."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from html import escape
from string import Template

from bot.dashboard.auth import Session

NAV = (
    ("/admin", "Overview"),
    ("/admin/tickets", "Tickets"),
    ("/admin/knowledge", "Knowledge"),
    ("/admin/gaps", "Gaps and drafts"),
    ("/admin/privacy", "Privacy"),
)

_PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · faqbot</title>
<link rel="stylesheet" href="/admin/static/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header>
<span class="brand">faqbot</span>
$nav
</header>
<main id="main" tabindex="-1">
<h1>$title</h1>
$notice
$body
</main>
</body>
</html>
""")

STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8;
  --accent: #0b57a4; --bad: #a4160b; --good: #1d6b2c; --bg-soft: #f3f5f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1.2rem;
  background: #102a43; color: #fff; }
header a { color: #fff; }
header nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0;
  padding: 0; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header form { margin-left: auto; }
.brand { font-weight: 700; font-size: 1.1rem; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
main:focus { outline: none; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; color: var(--ink);
  padding: .5rem; }
.skip:focus { left: 0; z-index: 1; }
h1 { font-size: 1.6rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
table.compact { width: auto; min-width: 24rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); }
th { background: var(--bg-soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
label { display: block; font-weight: 600; margin: .6rem 0 .2rem; }
input[type=text], input[type=password], input[type=search], select, textarea {
  font: inherit; padding: .4rem; border: 1px solid #767676; border-radius: 4px;
  width: 100%; max-width: 44rem; }
textarea { min-height: 6rem; }
button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; margin: .4rem .4rem .4rem 0; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
header button { background: transparent; border-color: #fff; }
.inline { display: inline; }
.notice { padding: .6rem .8rem; border-left: 5px solid var(--good); background: #eef7ef;
  white-space: pre-wrap; }
.error { padding: .6rem .8rem; border-left: 5px solid var(--bad); background: #fbeeed;
  white-space: pre-wrap; }
.muted { color: var(--muted); }
.pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(34rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; }
.chart { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.chart svg { flex: 1 1 16rem; min-width: 0; max-width: 34rem; height: auto; }
.chart table.compact { min-width: 0; flex: 0 0 auto; font-size: .9rem; }
.transcript .role { font-weight: 700; }
.diff-add { background: #e6f4e8; }
.diff-del { background: #fbe9e7; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; }
.filters label { margin-top: 0; }
.filters select { width: auto; }
"""


def e(value: object) -> str:
    return escape(str(value), quote=True)


def page(
    title: str,
    body: str,
    *,
    session: Session | None,
    current: str = "",
    notice: str = "",
    error: str = "",
) -> str:
    """A whole page; `body` is markup, `title`, `notice` and `error` are plain text."""
    nav = ""
    if session is not None:
        items = "".join(
            f'<li><a href="{href}"{" aria-current=page" if href == current else ""}>{e(label)}'
            "</a></li>"
            for href, label in NAV
        )
        nav = (
            f'<nav aria-label="Dashboard"><ul>{items}</ul></nav>'
            f'<form method="post" action="/admin/logout">{csrf_field(session)}'
            f'<button type="submit">Sign out ({e(session.name)})</button></form>'
        )
    said = ""
    if notice:
        said += f'<p class="notice" role="status">{e(notice)}</p>'
    if error:
        said += f'<p class="error" role="alert">{e(error)}</p>'
    return _PAGE.substitute(title=e(title), nav=nav, notice=said, body=body)


def csrf_field(session: Session) -> str:
    return f'<input type="hidden" name="csrf" value="{e(session.csrf)}">'


def action(
    session: Session,
    path: str,
    label: str,
    *,
    hidden: dict[str, str] | None = None,
    style: str = "",
) -> str:
    """A one-button form that POSTs to `path` with the session's CSRF token."""
    fields = "".join(
        f'<input type="hidden" name="{e(name)}" value="{e(value)}">'
        for name, value in (hidden or {}).items()
    )
    css = f' class="{e(style)}"' if style else ""
    return (
        f'<form class="inline" method="post" action="{e(path)}">{csrf_field(session)}{fields}'
        f"<button type=submit{css}>{e(label)}</button></form>"
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    caption: str = "",
    compact: bool = False,
) -> str:
    """`rows` hold markup (escape text with `e`); a header starting with '#' is numeric."""
    head = "".join(
        f'<th scope="col" class="num">{e(h[1:])}</th>' if h.startswith("#") else f"<th>{e(h)}</th>"
        for h in headers
    )
    numeric = [h.startswith("#") for h in headers]
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if is_num else f"<td>{cell}</td>"
            for cell, is_num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    css = ' class="compact"' if compact else ""
    return f"<table{css}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds)) if seconds else "-"
