"""Entry point for inspect_ai: importing this registers spillover's tasks and model providers."""
