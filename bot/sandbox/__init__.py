"""Local sandboxes: an in-process Telegram Bot API emulator for end-to-end tests and demos."""
