"""Self-test checks, one module per tab (see `vision_agent.selftest`)."""
