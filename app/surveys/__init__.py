"""Post-engagement survey (事後アンケート), answered by the municipality."""
