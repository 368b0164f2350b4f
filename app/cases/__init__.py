"""Cases (事例) and the case collection (事例集), in the format of the national collection (003)."""
