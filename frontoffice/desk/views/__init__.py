"""The desk's pages: the clerk's day and visits (``visits``), visit types and rooms (``setup``)."""
