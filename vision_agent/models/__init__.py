"""What each model is (`registry`), where its files come from and how they are verified (`store`).

Qt-free: the CLI, the services and the tests all use it directly.
"""
