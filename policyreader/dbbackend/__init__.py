"""Django database backend for the embedded PostgreSQL server (see policyreader.embedded_db)."""
