"""The app's screens and its JSON API, one blueprint per module."""
