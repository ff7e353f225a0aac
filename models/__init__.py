"""Tables (``models.tables``) and the domain services that own every rule and commit (``models.services``)."""
