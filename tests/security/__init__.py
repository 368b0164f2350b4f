"""Security tests that span every route: bad-input fuzzing and mass assignment (issue 7 §6)."""
