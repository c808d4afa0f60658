"""Sub-commands contributed by analyses and exporters (registered on import)."""
