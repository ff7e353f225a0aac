"""APScheduler as the clock: reminder planning, outbox draining, summaries (the database is the truth)."""
