"""Web chat: the embeddable widget, the visitor's and the agent's sides, offline hours."""
