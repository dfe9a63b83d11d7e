"""Platform adapters: they translate between a platform and the core, and decide nothing."""
