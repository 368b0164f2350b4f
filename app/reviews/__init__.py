"""Review (審査) of menu proposals by reviewers on the tenant's rubric."""
