"""Queries and writes of the API and the review pages: keyword-only helpers over a Session, one module per
resource. No HTTP and no presentation here (that is `api.render`)."""
