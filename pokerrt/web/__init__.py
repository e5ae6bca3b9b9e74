"""The web client's pages: server-rendered shells that the ES modules in static/js bring to life."""
