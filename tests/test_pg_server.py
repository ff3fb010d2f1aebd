"""The embedded PostgreSQL the tests use: it runs (as a non-root user), speaks to an
ordinary role, and has pgvector."""

import psycopg


def test_server_runs_with_pgvector_for_an_ordinary_role(pg_url):
    with psycopg.connect(pg_url) as conn:
        user, superuser = conn.execute("SELECT current_user, rolsuper FROM pg_roles "
                                       "WHERE rolname = current_user").fetchone()
        assert (user, superuser) == ("engram", False)  # RLS applies to this role
        assert conn.execute("SELECT '[1,0]'::vector <=> '[0,1]'::vector").fetchone()[0] == 1.0


def test_each_test_gets_its_own_database(pg_server, pg_url):
    other = pg_server.create_database("another_one")
    assert other != pg_url
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE t (x int)")
    with psycopg.connect(other) as conn:
        assert conn.execute("SELECT to_regclass('t')").fetchone()[0] is None
