"""Test doubles and drivers that are not tests: a real SMTP server."""
