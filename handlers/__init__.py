"""Framework-neutral conversations: ``Incoming`` → ``list[Reply]``, a routing table, state in the database."""
