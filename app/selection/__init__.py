"""Selection and assignment (選定・決定): a proposed allocation per call, adjusted and confirmed."""
