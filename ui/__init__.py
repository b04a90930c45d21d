"""Front ends over the rag engine: web chat and Slack bot (thin: they only format)."""
