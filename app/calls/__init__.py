"""Calls (募集): one per tenant and fiscal year, with its phase windows and per-call rules."""
