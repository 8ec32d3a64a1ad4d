"""SLA clocks for interactions: holidays, business-hours calendars, event-driven clocks, policies.

Pure Python (no models, no database): the interactions app stores a clock's state as JSON on a case
and feeds it events as they happen. See docs/sla.md.
"""
