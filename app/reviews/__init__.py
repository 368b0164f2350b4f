"""Review (審査) of menu proposals and applications: per-call weighted rubrics, scores with
justifications, reviewer assignment, conflict-of-interest declarations and the 審査表 export."""
