"""The review UI: server-rendered pages (Jinja2) with htmx partials, one router per page. Every page needs a
login; forms carry the CSRF token."""
