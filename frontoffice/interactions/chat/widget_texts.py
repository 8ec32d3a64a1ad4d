"""The texts of the visitor's chat widget, from Django's translation catalogue.

The widget's script holds no words of its own: the config endpoint (``GET <token>/``) sends these in the
visitor's language, so they are translated, and checked by ``make messages-check``, like every other text.
The context "chat widget" keeps them apart from the staff pages' words (an "Agent" there is a role; here
it is the person answering).
"""

from __future__ import annotations

from django.utils.translation import pgettext


def widget_texts() -> dict[str, str]:
    """Every text the widget shows, in the active language, by the key the script uses."""
    return {
        "open": pgettext("chat widget", "Chat with us"),
        "title": pgettext("chat widget", "Chat"),
        "close": pgettext("chat widget", "Close the chat"),
        "name": pgettext("chat widget", "Your name (optional)"),
        "email": pgettext("chat widget", "Your e-mail (optional)"),
        "emailRequired": pgettext("chat widget", "Your e-mail"),
        "message": pgettext("chat widget", "Your message"),
        "send": pgettext("chat widget", "Send"),
        "offlineName": pgettext("chat widget", "Name"),
        "offlineText": pgettext("chat widget", "Message for us"),
        "log": pgettext("chat widget", "Chat messages"),
        "waiting": pgettext("chat widget", "Waiting for an agent…"),
        "joined": pgettext("chat widget", "An agent has joined the chat."),
        "ended": pgettext("chat widget", "The chat has ended."),
        "newChat": pgettext("chat widget", "Start a new chat"),
        "end": pgettext("chat widget", "End the chat"),
        "offline": pgettext("chat widget", "Nobody is online now. Leave a message and we will answer by e-mail."),
        "slow": pgettext(
            "chat widget", "Nobody is free right now. You may leave a message and we will answer by e-mail."
        ),
        "leave": pgettext("chat widget", "Leave a message instead"),
        "sendOffline": pgettext("chat widget", "Send by e-mail"),
        "hint": pgettext("chat widget", "Enter sends; Shift+Enter starts a new line."),
        "failed": pgettext("chat widget", "The message could not be sent. Please try again."),
        "you": pgettext("chat widget", "You"),
        "agent": pgettext("chat widget", "Agent"),
    }
