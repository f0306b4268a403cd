"""Imports every command module so that its commands attach to the app. One line per group."""
