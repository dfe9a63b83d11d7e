"""Local stand-ins of the remote services the bot talks to; tests start them on loopback."""
