"""The Slack bot: mentions, DMs and /ask answered in threads, with votes."""
