"""The phone: the CTI webhook, screen pop, callbacks, agent states and the replay tool."""
