"""Needs survey (DX課題把握アンケート): each municipality's DX issues and maturity per fiscal year,
asked before menu proposals (product.md §4), summarised de-identified for providers."""
