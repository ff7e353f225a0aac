"""The composition root: settings, the CLI, the Telegram adapters, the outbox sender and the sandboxes."""
