"""Conformance: the same scenario against the sandbox and real Azkaban servers, compared."""
