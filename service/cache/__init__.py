"""Response caching: dataset versions (what invalidates), and the two-tier response cache."""
