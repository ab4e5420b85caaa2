"""clauses: documents, their units and the reading views."""
