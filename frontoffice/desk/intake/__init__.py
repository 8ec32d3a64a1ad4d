"""Intake forms: the builder (managers), filling at the desk or through a signed link, review and acceptance.

- ``choices``: field kinds, client details a field may map to, submission statuses;
- ``answers``: pure rules — which fields are shown, and cleaning the answers (browser rules, re-checked here);
- ``links``: the signed, expiring pre-arrival link;
- ``services``: every write (the builder, submissions, acceptance);
- ``selectors``: every read, scoped to the user;
- ``rules``: the transition guard (a clinic visit does not start before its form is accepted).
"""
