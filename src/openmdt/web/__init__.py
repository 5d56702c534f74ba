"""The web shell: FastAPI app factory, JSON API, security, and (separately) the HTML pages."""
