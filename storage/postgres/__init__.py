"""Quizbot's PostgreSQL backend (asyncpg): the URL, the pool, the migrations and the store.

Selected by ``QUIZBOT_DATABASE=postgresql://user:password@host:5432/database``; a path keeps
SQLite. The schema and its guarantees are SQLite's (``storage/migrations/``), written in
PostgreSQL's DDL in ``storage/postgres/migrations/`` under the same version numbers.
"""
