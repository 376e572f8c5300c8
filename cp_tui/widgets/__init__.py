"""Reusable widgets: they display and post messages; they never reach into the App."""
