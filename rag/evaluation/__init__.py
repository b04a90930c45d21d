"""Evaluation: question files, metrics over answers, reports, and the optional LLM judge."""
