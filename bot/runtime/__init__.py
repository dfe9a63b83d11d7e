"""Running the bot: settings, the composition root (app), the CLI, faqbot serve's HTTP server, logs
and metrics."""
