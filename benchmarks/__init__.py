"""Performance benchmarks (scripts, not tests): ``python -m benchmarks.<name>``."""
