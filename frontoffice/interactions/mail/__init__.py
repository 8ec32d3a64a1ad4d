"""E-mail: mailboxes read over IMAP and sent over SMTP, threading, bounces and auto-replies."""
