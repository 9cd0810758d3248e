"""The units app's pages, one module per area."""
