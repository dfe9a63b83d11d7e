"""Keeping the FAQ right: sources, publishing and versions, the golden check (regression),
evaluation, gaps, drafts from agents' answers, auto-resolution."""
