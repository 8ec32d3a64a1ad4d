"""Contacts at large: logging a call or a counter conversation, follow-ups, topics and teams, the client's timeline."""
