"""Every side effect of the protocol: database, documents, notifications. Each idempotent."""
