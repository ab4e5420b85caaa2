"""PostgreSQL backend that starts the embedded server before the first connection.

Used only when DATABASE_URL is unset. Everything but the start-up step is
Django's own PostgreSQL backend. Django creates the connection object as soon as
models load, so the server is started later, when a connection is opened (or
dbshell runs): commands that never query the database never start it.
"""

from django.db.backends.postgresql import base as postgresql
from django.db.backends.postgresql import client

from policyreader import embedded_db


class DatabaseClient(client.DatabaseClient):
    def runshell(self, parameters):
        self.connection.ensure_embedded_server()
        super().runshell(parameters)


class DatabaseWrapper(postgresql.DatabaseWrapper):
    client_class = DatabaseClient

    def ensure_embedded_server(self) -> None:
        """Start or attach to the server (once per process) and fill in HOST/PORT."""
        if not self.settings_dict.get("HOST"):
            uri = embedded_db.start(self.settings_dict["EMBEDDED_DATA_DIR"])
            found = embedded_db.connection_settings(uri)
            self.settings_dict["HOST"] = found["HOST"]
            self.settings_dict["PORT"] = found["PORT"]

    def get_connection_params(self):
        self.ensure_embedded_server()
        return super().get_connection_params()
