"""Shared building blocks: base model, column types, enum and workflow helpers, audit, web helpers, 和暦."""
