"""Coverage (支援状況): which municipalities were supported in which fiscal year, the priority rule
(not supported in the past N years, 001:170) and the K-year coverage goal (001:165)."""
