"""Cases: the agent workspace, notes, merging, canned replies, SLA clocks and escalation."""
