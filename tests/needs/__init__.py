"""Tests of the needs survey (DX課題把握アンケート)."""
