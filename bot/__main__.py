"""``python -m bot`` is the ``hamkke`` command."""

from bot.cli import main

raise SystemExit(main())
