"""Demo data for the Fukushima tenant (filled in by the seed task)."""


def seed_demo(if_empty: bool = False) -> str:
    """Load the demo data; returns a one-line summary."""
    return "demo: nothing yet"
