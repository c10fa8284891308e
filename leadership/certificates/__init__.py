"""Certificates: issue on completion, PDF, public verification, Open Badges 3.0 credential."""
