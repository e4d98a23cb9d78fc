"""Real loopback servers and a certificate factory for pxready's network tests."""
