"""Answering: extractive and LLM answerers, grounding and citation checks, follow-up questions."""
