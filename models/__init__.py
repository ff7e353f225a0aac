"""Tables (``models.tables``, shared) and the domain use cases by feature, which own every rule and commit.

From the bottom up: ``platform`` → ``people`` → ``outbox`` → ``enrollment`` → ``programs``; ``attendance`` and
``casework`` beside them; ``reports``; ``demo`` on top. A package imports only packages below it
(``tests/test_architecture.py`` checks there is no cycle).
"""
