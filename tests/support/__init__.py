"""What the tests share: drawings, model files, servers, X sessions, the assets folder."""
