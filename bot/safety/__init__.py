"""What protects customers and the company: personal data redacted before it leaves (redact), the
output guard (guard), mentions and markup defused (sanitize)."""
