"""Tests of the engagements domain."""
