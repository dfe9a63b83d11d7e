"""The support team's web dashboard at /admin, served by `faqbot serve` (bot/runtime/server.py).

Everything it shows is read from Redis and everything it does goes through the same core code
as the desk and the CLI, so it works from any replica: a reply typed here reaches the customer
on their platform like one typed in the desk thread.
"""

from __future__ import annotations

from bot.dashboard.pages import Dashboard, add_dashboard

__all__ = ["Dashboard", "add_dashboard"]
