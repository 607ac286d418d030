"""Settings, files and sessions: the config, the paths, the saved sessions, connecting."""
