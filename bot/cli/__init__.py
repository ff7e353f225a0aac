"""The ``hamkke`` command: run the bot, migrate, load the demo, invite people, chat in the terminal, and set up
the center's programs, work units (사업단) and annual targets (목표량); one module per subject."""

from bot.cli.entry import main

__all__ = ["main"]
