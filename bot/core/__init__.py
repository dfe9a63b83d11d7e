"""The platform-free decisions: messages and replies (models), the ports adapters implement
(channels), routing, intents, language, business hours and who may do what (policy). Imports no
storage, settings or platform."""
