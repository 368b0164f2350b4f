"""Engagements (派遣・支援案件): support sessions logged by providers, completion reports."""
