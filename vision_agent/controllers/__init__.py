"""Widget-free controllers: each tab's pipeline and state, driven by its view."""
