"""Bar charts drawn on the server as SVG, with their numbers in a table beside them: nothing runs
in the browser, and a screen reader reads the table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.dashboard.html import e, table

WIDTH, HEIGHT = 560, 180
LEFT, BOTTOM, TOP = 44, 24, 10


def bar_chart(
    title: str,
    points: Sequence[tuple[str, float]],
    *,
    fmt: Callable[[float], str] = lambda v: f"{v:,.0f}",
    colour: str = "#0b57a4",
    unit: str = "Count",
) -> str:
    """One series per day (`points` are (YYYY-MM-DD, value), oldest first)."""
    top = max((value for _, value in points), default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(points), 1)
    bar = max(step * 0.7, 1.0)
    label_every = max(1, len(points) // 7)
    parts = [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" '
        'stroke="#767676"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="13">'
        f"{e(fmt(top))}</text>",
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="13">0</text>',
    ]
    for n, (day, value) in enumerate(points):
        h = plot_h * value / top
        x = LEFT + n * step + (step - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{e(day)}: {e(fmt(value))}</title></rect>'
        )
        if n % label_every == 0 or n == len(points) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                f'font-size="13">{e(day[5:])}</text>'
            )
    total = sum(value for _, value in points)
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{e(title)} per day, {e(fmt(total))} in all" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
    numbers = table(
        ["Day", "#" + unit],
        [(e(day), e(fmt(value))) for day, value in reversed(points) if value]
        + [("<strong>Total</strong>", f"<strong>{e(fmt(total))}</strong>")],
        compact=True,
    )
    return (
        f'<section class="card"><h3>{e(title)}</h3>'
        f'<div class="chart">{svg}{numbers}</div></section>'
    )
