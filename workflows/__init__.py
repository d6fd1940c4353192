"""The Temporal workflow that drives the protocol: a thin loop over `states`."""
