"""Reliability tests: concurrency, crash safety, bad and hostile input."""
