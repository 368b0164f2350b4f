"""Declared relationships between providers and municipalities (利害関係, issue 3 §5): a provider
with a declared relationship to a municipality (e.g. its incumbent vendor) is never assigned to it."""
