"""The support team's side of a ticket: its events, the webhook, reminders, and the relay of a
ticket resolved elsewhere to the customer's platform."""
